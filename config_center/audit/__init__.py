"""变更记录 (audit): reads of the history tables — the timeline, one object's versions, pure diff helpers."""

from .diff import EMPTY, FieldChange, FieldSpec, diff_versions, display_value, escape_formula
from .sources import SOURCES, SOURCES_BY_KEY, Source, field_specs
from .timeline import (
    AUDIT_PERMISSION,
    AuditFilters,
    Entry,
    ObjectHistory,
    TimelinePage,
    object_history,
    timeline_iter,
    timeline_page,
)

__all__ = [
    "AUDIT_PERMISSION",
    "EMPTY",
    "SOURCES",
    "SOURCES_BY_KEY",
    "AuditFilters",
    "Entry",
    "FieldChange",
    "FieldSpec",
    "ObjectHistory",
    "Source",
    "TimelinePage",
    "diff_versions",
    "display_value",
    "escape_formula",
    "field_specs",
    "object_history",
    "timeline_iter",
    "timeline_page",
]
