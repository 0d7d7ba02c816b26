"""Draft models: a city's binding of a matter and everything that hangs off it."""

from .binding import DistributionMode, FlowMode, LocalMatter, OnlineDepth, PostFeePayer, ReviewLevel
from .checklist import ChecklistItem, ChecklistKind
from .proxies import BindableMatter, BindingCategory
from .slots import PrintDocument, PrintSlot, PrintTemplate, SmsSlot
from .tags import Tag, TagKind

__all__ = [
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
    "ReviewLevel",
    "SmsSlot",
    "Tag",
    "TagKind",
]
