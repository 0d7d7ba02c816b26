"""The models under history that 变更记录 reads, and how each one's fields and objects are shown."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db.models import Model, QuerySet

from catalog.models import Agency, Channel, Holiday, Material, Matter, MatterCategory, Region
from permissions.models import Assignment, Role
from sms_templates.models import PlaceholderCode, SmsTemplate, SmsTemplateCategory

from ..drafts.models import ChecklistItem, LocalMatter, PrintSlot, PrintTemplate, SmsSlot, Tag
from .diff import EMPTY, FieldSpec

# Bookkeeping columns that change on every save and say nothing the history row does not.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at", "updated_by"})


@dataclass(frozen=True)
class Source:
    """One history table: its model, the lookups free text matches, and how to name one of its objects."""

    model: type[Model]
    search: tuple[str, ...]
    # The object's name from its fields' display values; None: the model's own __str__ (own fields only).
    label: Callable[[Callable[[str], str]], str] | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def history(self) -> QuerySet:
        return self.model.history.all()

    @property
    def specs(self) -> tuple[FieldSpec, ...]:
        return field_specs(self.model)

    def value_names(self) -> list[str]:
        names = ["id", "history_id", "history_date", "history_type", "history_change_reason"]
        return [*names, "history_user__username", *(s.key for s in self.specs if not s.many)]


SOURCES: tuple[Source, ...] = (
    Source(
        LocalMatter,
        ("matter__code", "matter__name", "region__name"),
        lambda v: f"{v('region')} · {v('matter')}",
    ),
    Source(
        ChecklistItem,
        (
            "material__code",
            "material__name",
            "name",
            "local_matter__matter__code",
            "local_matter__matter__name",
        ),
        lambda v: f"{v('local_matter')} · {v('channel')} · {v('kind')}：{v('material')}",
    ),
    Source(
        SmsSlot,
        (
            "template__function_code",
            "template__name",
            "local_matter__matter__code",
            "local_matter__matter__name",
        ),
        lambda v: f"{v('local_matter')} · {v('event')} → {v('template')}",
    ),
    Source(
        PrintSlot,
        ("template__code", "template__name", "local_matter__matter__code", "local_matter__matter__name"),
        lambda v: f"{v('local_matter')} · {v('document')} → {v('template')}",
    ),
    Source(PrintTemplate, ("code", "name")),
    Source(Tag, ("code", "name")),
    Source(SmsTemplateCategory, ("name",)),
    Source(SmsTemplate, ("function_code", "name")),
    Source(PlaceholderCode, ("code", "meaning")),
    Source(Holiday, ("name",)),
    Source(Region, ("code", "name")),
    Source(Agency, ("code", "name")),
    Source(Channel, ("code", "name")),
    Source(MatterCategory, ("code", "name")),
    Source(Matter, ("code", "name", "aliases")),
    Source(Material, ("code", "name")),
    Source(Role, ("code", "name")),
    Source(
        Assignment,
        ("user__username", "role__code", "role__name", "agency__name", "region__name"),
        lambda v: f"{v('user')} · {v('role')} · {v('agency') if v('agency') != EMPTY else v('region')}",
    ),
)
SOURCES_BY_KEY = {source.key: source for source in SOURCES}
# Related objects whose __str__ (or scope path) reaches further: fetched with these joins.
RELATED_JOINS: dict[type[Model], tuple[str, ...]] = {
    LocalMatter: ("region", "matter"),
    SmsTemplateCategory: ("region",),
}


@cache
def field_specs(model: type[Model]) -> tuple[FieldSpec, ...]:
    """The audited fields of ``model`` in declaration order, many-to-many fields last."""
    tracked = {f.name for f in model.history.model._meta.fields}
    specs = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in IGNORED_FIELDS or model_field.name not in tracked:
            continue
        specs.append(
            FieldSpec(
                name=model_field.name,
                key=model_field.attname,
                label=model_field.verbose_name,
                choices=dict(model_field.flatchoices) if model_field.choices else None,
                related=model_field.related_model if model_field.is_relation else None,
                boolean=model_field.get_internal_type() == "BooleanField",
            )
        )
    for m2m in getattr(model.history.model, "_history_m2m_fields", ()):
        specs.append(
            FieldSpec(
                name=m2m.name, key=m2m.name, label=m2m.verbose_name, related=m2m.related_model, many=True
            )
        )
    return tuple(specs)
