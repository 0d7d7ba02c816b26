"""The runtime engine: answers from an immutable snapshot of the published configuration (pure).

Imports nothing from Django. Build an ``EngineSnapshot`` once with ``build_snapshot`` (from plain
release data), then ask ``checklist`` and ``sms_slot`` (``routing.decisions.route`` asks where a case goes); each returns a frozen answer or
a ``Refusal`` whose ``reason_code`` is one of the constants below.
"""

from .decisions import (
    NOT_BOUND,
    REASON_CODES,
    SMS_EVENTS,
    UNKNOWN_CHANNEL,
    UNKNOWN_EVENT,
    UNKNOWN_MATTER,
    UNKNOWN_REGION,
    ChecklistAnswer,
    Refusal,
    SmsAnswer,
    checklist,
    not_bound,
    sms_slot,
    unknown_matter,
)
from .snapshot import (
    Agency,
    ApplicationItem,
    AuxiliaryItem,
    ChannelChecklist,
    EngineSnapshot,
    MaterialRef,
    MatterConfig,
    MatterInfo,
    SnapshotError,
    build_snapshot,
    with_releases,
)

__all__ = [
    "NOT_BOUND",
    "REASON_CODES",
    "SMS_EVENTS",
    "UNKNOWN_CHANNEL",
    "UNKNOWN_EVENT",
    "UNKNOWN_MATTER",
    "UNKNOWN_REGION",
    "Agency",
    "ApplicationItem",
    "AuxiliaryItem",
    "ChannelChecklist",
    "ChecklistAnswer",
    "EngineSnapshot",
    "MaterialRef",
    "MatterConfig",
    "MatterInfo",
    "Refusal",
    "SmsAnswer",
    "SnapshotError",
    "build_snapshot",
    "checklist",
    "not_bound",
    "sms_slot",
    "unknown_matter",
    "with_releases",
]
