"""Configuration-centre models: a city's binding of a matter and everything that hangs off it."""

from .binding import DistributionMode, FlowMode, LocalMatter, OnlineDepth, PostFeePayer
from .checklist import ChecklistItem, ChecklistKind
from .proxies import BindableMatter, BindingCategory
from .release import ConfigVersion, PublishPolicy, Release, ReleaseKind
from .slots import PrintDocument, PrintSlot, PrintTemplate, SmsEvent, SmsSlot
from .tags import Tag, TagKind

__all__ = [
    "ConfigVersion",
    "PublishPolicy",
    "Release",
    "ReleaseKind",
    "BindableMatter",
    "BindingCategory",
    "ChecklistItem",
    "ChecklistKind",
    "DistributionMode",
    "FlowMode",
    "LocalMatter",
    "OnlineDepth",
    "PostFeePayer",
    "PrintDocument",
    "PrintSlot",
    "PrintTemplate",
    "SmsEvent",
    "SmsSlot",
    "Tag",
    "TagKind",
]
