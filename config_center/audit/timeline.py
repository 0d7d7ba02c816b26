"""变更记录: one timeline over the history tables of every catalog, configuration, SMS and permission model,
and over the tables of events that change the runtime (发布 and 回滚 of a city's configuration).

Every source names its time, id, user and reason columns, so filters and the merge are one path. Per table
one count and one query for the keys (date, id) of its newest matching rows, merged in Python; then, per
table on the page, one query for the rows; for a history table also one (a window over their objects'
versions) for which version came before each, one for those previous versions, one per many-to-many field;
and one per related model to turn ids into names. So a page costs a fixed number of queries however many
rows the tables hold. An event table is read only in the columns its entries show.
"""

import heapq
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from itertools import islice
from typing import Any

from django.db.models import F, Model, Q, QuerySet, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Region
from permissions.selectors import allowed_city_codes

from .diff import FieldChange, FieldValue, RelatedLabels, diff_versions, display_value, event_facts
from .sources import (
    Source,
    action_labels,
    field_specs,
    is_event,
    label_joins,
    source_by_key,
    sources,
    specs_of,
    value_names,
)

AUDIT_PERMISSION = "permissions.view_audit"


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    city: str | None = None  # a city's region code: its own rows and its counties' and agencies'
    source: str | None = None  # a timeline source's key
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    text: str = ""


def _region_lookup(model: type[Model]) -> str | None:
    path = getattr(model, "scope_region_path", None)
    if path is None:
        return None
    return "id" if path == "self" else f"{path}_id"


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _plans(user, filters: AuditFilters) -> list[tuple[Source, QuerySet]]:
    """Each table the user may read, filtered; rows with no region only for province-wide viewers."""
    cities = allowed_city_codes(user, [AUDIT_PERMISSION])
    if filters.city:
        cities = frozenset({filters.city}) if cities is None or filters.city in cities else frozenset()
    region_ids = None
    if cities is not None:
        region_ids = list(
            Region.objects.filter(Q(code__in=cities) | Q(parent__code__in=cities)).values_list(
                "pk", flat=True
            )
        )
        if not region_ids:
            return []
    plans = []
    for source in sources():
        if filters.source and source.key != filters.source:
            continue
        condition = Q()
        if region_ids is not None:
            lookup = _region_lookup(source.model)
            if lookup is None:
                continue
            condition &= Q(**{f"{lookup}__in": region_ids})
        if filters.user_id is not None:
            condition &= Q(**{f"{source.user}_id": filters.user_id})
        if filters.date_from:
            condition &= Q(**{f"{source.when}__gte": _start_of(filters.date_from)})
        if filters.date_to:
            condition &= Q(**{f"{source.when}__lt": _start_of(filters.date_to + timedelta(days=1))})
        if filters.text:
            lookups = (source.reason, f"{source.user}__username", *source.search)
            condition &= reduce(
                operator.or_, (Q(**{f"{lookup}__icontains": filters.text}) for lookup in lookups)
            )
        plans.append((source, source.rows.filter(condition)))
    return plans


# ---- entries ---------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One history row, or one event, as the auditor reads it."""

    source: Source
    object_id: Any
    object_label: str
    history_id: int  # the row's id in its table: a history id, or the event's own
    when: datetime
    user: str
    action: str  # "+", "~" or "-"; an event's action choice ("publish", "rollback")
    reason: str
    region: str
    changes: list[FieldChange]
    values: dict[str, Any] = field(repr=False, default_factory=dict)
    facts: list[FieldValue] = field(default_factory=list)  # an event's, listed where changes are

    @property
    def action_label(self) -> str:
        return str(action_labels(self.source).get(self.action, self.action))

    @property
    def is_event(self) -> bool:
        return is_event(self.source)

    @property
    def model_label(self) -> str:
        return self.source.verbose_name


Key = tuple[datetime, int, int]  # (time, id of the row in its table, index of the plan)


def _keys(plans: Sequence[tuple[Source, QuerySet]], limit: int | None) -> Iterator[Key]:
    """The keys of every plan's rows, newest first, merged; ``limit`` rows at most from each table."""
    streams = []
    for index, (source, queryset) in enumerate(plans):
        ordered = queryset.order_by(f"-{source.when}", f"-{source.row_id}")
        rows = ordered.values_list(source.when, source.row_id)
        rows = list(rows[:limit]) if limit is not None else rows.iterator(chunk_size=2000)
        streams.append(_tagged(rows, index))
    return heapq.merge(*streams, key=lambda key: (key[0], key[1]), reverse=True)


def _tagged(rows: Iterable[tuple[datetime, int]], index: int) -> Iterator[Key]:
    for when, history_id in rows:
        yield when, history_id, index


def _previous_ids(history: QuerySet, rows: Sequence[Mapping[str, Any]]) -> dict[int, int | None]:
    """For every version of the rows' objects up to the newest row: the history id of the version before.

    One pass per object (a window over its versions) rather than one lookup per row, which would read an
    object's versions once for each of its rows on the page.
    """
    if not rows:
        return {}
    before = Window(
        Lag("history_id"), partition_by=[F("id")], order_by=[F("history_date").asc(), F("history_id").asc()]
    )
    versions = history.filter(
        id__in={row["id"] for row in rows}, history_date__lte=max(row["history_date"] for row in rows)
    )
    return dict(versions.order_by().annotate(previous_id=before).values_list("history_id", "previous_id"))


def _fetch(source: Source, history_ids: Iterable[int]) -> tuple[list[dict], dict[int, dict]]:
    """The rows, and their previous versions by history id, with many-to-many sets filled in.

    An event has no versions: its row alone, in the columns its entry shows.
    """
    if is_event(source):
        return list(source.rows.filter(pk__in=list(history_ids)).values(*value_names(source))), {}
    history = source.model.history
    names = value_names(source)
    rows = list(history.filter(history_id__in=list(history_ids)).values(*names))
    previous_of = _previous_ids(history.all(), rows)
    for row in rows:
        row["previous_id"] = previous_of.get(row["history_id"])
    previous_ids = [row["previous_id"] for row in rows if row["previous_id"]]
    previous = {}
    if previous_ids:
        previous = {
            row["history_id"]: row for row in history.filter(history_id__in=previous_ids).values(*names)
        }
    many = [spec for spec in field_specs(source.model) if spec.many]
    if many:
        every = [*rows, *previous.values()]  # a row may also be another's previous version: two dicts
        for spec in many:
            through = getattr(history.model, spec.key).model
            target = source.model._meta.get_field(spec.key).m2m_reverse_field_name()
            sets: dict[int, set] = defaultdict(set)
            ids = {row["history_id"] for row in every}
            pairs = through.objects.filter(history_id__in=ids).values_list("history_id", f"{target}_id")
            for history_id, pk in pairs:
                sets[history_id].add(pk)
            for row in every:
                row[spec.key] = frozenset(sets[row["history_id"]])
    return rows, previous


def _resolve(wanted: Mapping[type[Model], set]) -> dict[type[Model], dict[Any, Any]]:
    """Related objects by model and pk, one query per model; deleted ones from their deletion history row."""
    found: dict[type[Model], dict[Any, Any]] = {}
    for model, pks in wanted.items():
        pks = {pk for pk in pks if pk is not None}
        if not pks:
            continue
        joins = label_joins(model)
        objects = {obj.pk: obj for obj in model._base_manager.select_related(*joins).filter(pk__in=pks)}
        missing = pks - objects.keys()
        if missing and hasattr(model, "history"):
            deleted = model.history.filter(id__in=missing, history_type="-").select_related(*joins)
            for row in deleted.order_by("history_date", "history_id"):
                objects[row.id] = row
        found[model] = objects
    return found


def _name(model: type[Model], obj: Any) -> str:
    """str() of a live object, or of a deleted one rebuilt from its history row (with its joins copied)."""
    if not hasattr(obj, "history_id"):
        return str(obj)
    try:
        instance = obj.instance
        for join in label_joins(model):
            setattr(instance, join, getattr(obj, join))
        name = str(instance)
    except Exception:  # a half-deleted chain (its own joins gone too) still deserves a name
        name = f"#{obj.id}"
    return f"{name}（{_('已删除')}）"


def _region_of(source: Source, row: Mapping[str, Any], objects: Mapping) -> Any:
    path = getattr(source.model, "scope_region_path", None)
    if path is None:
        return None
    if path == "self":
        return objects.get(Region, {}).get(row["id"])
    first, *rest = path.split("__")
    model_field = source.model._meta.get_field(first)
    target = objects.get(model_field.related_model, {}).get(row[model_field.attname])
    for part in rest:
        target = getattr(target, part, None) if target is not None else None
    return target


def _object_label(source: Source, row: Mapping[str, Any], labels: RelatedLabels) -> str:
    if source.label is not None:
        by_name = {spec.name: spec for spec in specs_of(source)}

        def value(name: str) -> str:
            return display_value(by_name[name], row.get(by_name[name].key), labels)

        return source.label(value)
    if is_event(source):  # no instance to ask: it would fetch its relations row by row
        return f"{source.verbose_name} #{row[source.row_id]}"
    return str(
        source.model(**{spec.key: row.get(spec.key) for spec in field_specs(source.model) if not spec.many})
    )


def _entries(plans: Sequence[tuple[Source, QuerySet]], keys: Sequence[Key]) -> tuple[list[Entry], dict]:
    """Entries for ``keys`` in their order, and the related names they used (for comparing versions)."""
    wanted_ids: dict[int, list[int]] = defaultdict(list)
    for _when, history_id, index in keys:
        wanted_ids[index].append(history_id)
    fetched = {index: _fetch(plans[index][0], ids) for index, ids in wanted_ids.items()}
    wanted: dict[type[Model], set] = defaultdict(set)
    for index, (rows, previous) in fetched.items():
        source = plans[index][0]
        for row in [*rows, *previous.values()]:
            for spec in specs_of(source):
                if spec.related is not None:
                    value = row.get(spec.key)
                    wanted[spec.related].update(value if spec.many else [value])
            if getattr(source.model, "scope_region_path", None) == "self":
                wanted[Region].add(row["id"])
    objects = _resolve(wanted)
    labels = {(model, pk): _name(model, obj) for model, found in objects.items() for pk, obj in found.items()}
    by_key = {}
    for index, (rows, previous) in fetched.items():
        source = plans[index][0]
        for row in rows:
            region = _region_of(source, row, objects)
            entry = Entry(
                source=source,
                object_id=row[source.object_id],
                object_label=_object_label(source, row, labels),
                history_id=row[source.row_id],
                when=row[source.when],
                user=row[f"{source.user}__username"] or "",
                action=row[source.action],
                reason=row[source.reason] or "",
                region=str(region) if region is not None else "",
                changes=[],
                values=row,
            )
            if is_event(source):
                facts = [spec for spec in specs_of(source) if spec.name in source.facts]
                entry.facts = event_facts(facts, row, labels)
            elif entry.action != "-":
                before = previous.get(row["previous_id"])
                entry.changes = diff_versions(field_specs(source.model), before, row, labels)
            by_key[(index, entry.history_id)] = entry
    return [by_key[(index, history_id)] for _when, history_id, index in keys], labels


# ---- the public reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    count: int
    number: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


def timeline_page(*, user, filters: AuditFilters, number: int = 1, per_page: int = 50) -> TimelinePage:
    """One page of the merged timeline the user may read, newest first."""
    plans = _plans(user, filters)
    count = sum(queryset.count() for _source, queryset in plans)
    number = min(max(1, number), max(1, -(-count // per_page)))
    offset = (number - 1) * per_page
    keys = list(islice(_keys(plans, offset + per_page), offset, offset + per_page))
    entries, _labels = _entries(plans, keys)
    return TimelinePage(entries, count, number, per_page)


def timeline_iter(*, user, filters: AuditFilters, chunk: int = 1000) -> Iterator[Entry]:
    """Every matching entry, newest first, fetched ``chunk`` at a time (for the export)."""
    plans = _plans(user, filters)
    keys = _keys(plans, None)
    while batch := list(islice(keys, chunk)):
        yield from _entries(plans, batch)[0]


@dataclass(frozen=True)
class ObjectHistory:
    """The versions of one object (newest first) and what is needed to compare any two of them."""

    source: Source
    versions: list[Entry]
    labels: RelatedLabels
    total: int  # versions in all, of which ``versions`` holds the newest

    def version(self, history_id: int) -> Entry | None:
        return next((v for v in self.versions if v.history_id == history_id), None)

    def number(self, entry: Entry) -> int:
        """The version's number, 1 being the oldest."""
        return self.total - next(i for i, version in enumerate(self.versions) if version is entry)

    def before(self, entry: Entry) -> Entry:
        """The version just before ``entry`` (itself if it is the oldest shown)."""
        index = next(i for i, version in enumerate(self.versions) if version is entry)
        return self.versions[min(index + 1, len(self.versions) - 1)]

    def compare(self, a: Entry, b: Entry) -> list[FieldChange]:
        return diff_versions(field_specs(self.source.model), a.values, b.values, self.labels)


def object_history(*, user, source_key: str, object_id: Any, limit: int = 200) -> ObjectHistory | None:
    """The newest ``limit`` versions of one object, if the user may read its history (else None)."""
    source = source_by_key(source_key)
    if source is None or is_event(source):  # an event has one version: its own page shows it
        return None
    plans = [
        (plan_source, queryset.filter(id=object_id))
        for plan_source, queryset in _plans(user, AuditFilters(source=source_key))
    ]
    if not plans:
        return None
    keys = list(_keys(plans, limit))
    if not keys:
        return None
    versions, labels = _entries(plans, keys)
    total = len(versions) if len(versions) < limit else plans[0][1].count()
    return ObjectHistory(source, versions, labels, total)
