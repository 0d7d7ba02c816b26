"""The history tables 变更记录 reads — contributed by each app (``core.registry``) — and how their fields show."""

from functools import cache

from django.db.models import Model

from core.registry import HistorySource, registry

from .diff import FieldSpec

Source = HistorySource

# Bookkeeping columns that change on every save and say nothing the history row does not.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at", "updated_by"})


def sources() -> tuple[Source, ...]:
    """Every history table the apps contributed, in menu order."""
    return registry.history_sources


def source_by_key(key: str) -> Source | None:
    return next((source for source in registry.history_sources if source.key == key), None)


def label_joins(model: type[Model]) -> tuple[str, ...]:
    """The relations to fetch when a row names an object of ``model`` (its label reaches further)."""
    source = registry.history_source(model)
    return source.label_joins if source else ()


def value_names(source: Source) -> list[str]:
    """The history columns the timeline reads of ``source``."""
    names = ["id", "history_id", "history_date", "history_type", "history_change_reason"]
    return [*names, "history_user__username", *(s.key for s in field_specs(source.model) if not s.many)]


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
