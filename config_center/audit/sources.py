"""The tables 变更记录 reads — history tables and event tables, contributed by each app (``core.registry``) —
and how their fields show."""

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.db.models import Field, Model

from core.registry import EventSource, TimelineSource, registry

from .diff import ACTION_LABELS, FieldSpec

Source = TimelineSource

# Bookkeeping columns that change on every save and say nothing the history row does not.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at", "updated_by"})


def sources() -> tuple[Source, ...]:
    """Every history and event table the apps contributed, in menu order."""
    return registry.timeline_sources


def source_by_key(key: str) -> Source | None:
    return next((source for source in registry.timeline_sources if source.key == key), None)


def is_event(source: Source) -> bool:
    return isinstance(source, EventSource)


def label_joins(model: type[Model]) -> tuple[str, ...]:
    """The relations to fetch when a row names an object of ``model`` (its label reaches further)."""
    source = registry.history_source(model)
    return source.label_joins if source else ()


def value_names(source: Source) -> list[str]:
    """The columns the timeline reads of ``source`` (of an event table: only those its entry shows)."""
    names = [source.object_id, source.row_id, source.when, source.action, source.reason]
    names += [f"{source.user}__username", *(s.key for s in specs_of(source) if not s.many)]
    return list(dict.fromkeys(names))


def specs_of(source: Source) -> tuple[FieldSpec, ...]:
    """The fields the timeline shows of ``source``: a history table's audited fields; an event's region
    field and facts."""
    if is_event(source):
        return event_specs(source)
    return field_specs(source.model)


def action_labels(source: Source) -> Mapping[Any, str]:
    """What the timeline calls each action of ``source``: 新增/修改/删除, or the event's action choices."""
    if is_event(source):
        return dict(source.model._meta.get_field(source.action).flatchoices)
    return ACTION_LABELS


def _spec(model_field: Field) -> FieldSpec:
    return FieldSpec(
        name=model_field.name,
        key=model_field.attname,
        label=model_field.verbose_name,
        choices=dict(model_field.flatchoices) if model_field.choices else None,
        related=model_field.related_model if model_field.is_relation else None,
        boolean=model_field.get_internal_type() == "BooleanField",
    )


@cache
def event_specs(source: EventSource) -> tuple[FieldSpec, ...]:
    """The region field of an event table (where its model has one), then its facts."""
    meta = source.model._meta
    path = getattr(source.model, "scope_region_path", None)
    names = [path.split("__")[0]] if path and path != "self" else []
    names += [name for name in source.facts if name not in names]
    return tuple(_spec(meta.get_field(name)) for name in names)


@cache
def field_specs(model: type[Model]) -> tuple[FieldSpec, ...]:
    """The audited fields of ``model`` in declaration order, many-to-many fields last."""
    tracked = {f.name for f in model.history.model._meta.fields}
    specs = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in IGNORED_FIELDS or model_field.name not in tracked:
            continue
        specs.append(_spec(model_field))
    for m2m in getattr(model.history.model, "_history_m2m_fields", ()):
        specs.append(
            FieldSpec(
                name=m2m.name, key=m2m.name, label=m2m.verbose_name, related=m2m.related_model, many=True
            )
        )
    return tuple(specs)
