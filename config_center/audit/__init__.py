"""变更记录 (audit): reads of the history tables — the timeline, one object's versions, pure diff helpers."""

from .diff import EMPTY, FieldChange, FieldSpec, diff_versions, display_value, escape_formula
from .sources import Source, field_specs, source_by_key, sources
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
    "source_by_key",
    "sources",
    "object_history",
    "timeline_iter",
    "timeline_page",
]
