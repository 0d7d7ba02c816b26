"""The pure part of 变更记录: how a stored value reads, what differs between two versions, safe cells.

No database here: a version is a mapping of field keys to stored values, related objects are named by a
mapping (model, primary key) → name that the caller fetched in one go.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.registry import EMPTY_VALUE

EMPTY = EMPTY_VALUE
ACTION_LABELS = {"+": _("新增"), "~": _("修改"), "-": _("删除")}
# Cells a spreadsheet would run as a formula (OWASP CSV injection: = + - @, and tab / CR before them).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class FieldSpec:
    """How to read and show one field of a version: ``key`` in the version's values, its label, its kind."""

    name: str  # the model field's name
    key: str  # where a version's values hold it: the attname ("region_id"), or the name of a m2m field
    label: str
    choices: Mapping[Any, str] | None = None
    related: Any = None  # the related model: values are its primary keys
    boolean: bool = False
    many: bool = False  # a many-to-many field: values are frozensets of primary keys


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}：{self.old} → {self.new}"


@dataclass(frozen=True)
class FieldValue:
    """One fact of an event (a release's 版本号, 紧急发布…): what the timeline lists instead of changes."""

    label: str
    value: str

    def __str__(self) -> str:
        return f"{self.label}：{self.value}"


RelatedLabels = Mapping[tuple[Any, Any], str]  # (related model, primary key) → its readable name


def display_value(spec: FieldSpec, value: Any, related: RelatedLabels) -> str:
    """A stored value as the screens show it: choice label, 是/否, the related object's name, or the text."""
    if value is None or value == "":
        return EMPTY
    if spec.many:
        names = sorted(related.get((spec.related, pk), f"#{pk}") for pk in value)
        return "、".join(names) if names else EMPTY
    if spec.boolean:
        return str(_("是")) if value else str(_("否"))
    if spec.related is not None:
        return related.get((spec.related, value), f"#{value}")
    if spec.choices is not None and value in spec.choices:
        return str(spec.choices[value])
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == frozenset()


def diff_versions(
    specs: Sequence[FieldSpec],
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    related: RelatedLabels,
) -> list[FieldChange]:
    """Field by field, what differs from ``old`` to ``new``; with no ``old`` (a creation), every value set."""
    changes = []
    for spec in specs:
        after = new.get(spec.key)
        if old is None:
            if _blank(after):
                continue
            before = None
        else:
            before = old.get(spec.key)
            if before == after or (_blank(before) and _blank(after)):
                continue
        changes.append(
            FieldChange(
                str(spec.label), display_value(spec, before, related), display_value(spec, after, related)
            )
        )
    return changes


def event_facts(
    specs: Sequence[FieldSpec], values: Mapping[str, Any], related: RelatedLabels
) -> list[FieldValue]:
    """The facts of an event as they read; a blank value, or a flag that is not set, says nothing."""
    return [
        FieldValue(str(spec.label), display_value(spec, values.get(spec.key), related))
        for spec in specs
        if not _blank(values.get(spec.key)) and not (spec.boolean and not values.get(spec.key))
    ]


def escape_formula(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe; others pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
