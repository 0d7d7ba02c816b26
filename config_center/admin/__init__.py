"""Configuration-centre admin: one module per screen, registered on import."""

from .audit import AuditLogAdmin
from .binding import BindableMatterAdmin, BindingCategoryAdmin
from .lists import ChecklistItemAdmin, SmsSlotAdmin
from .local_matter import LocalMatterAdmin
from .print_template import PrintTemplateAdmin
from .release import PublishPolicyAdmin, ReleaseAdmin
from .tag import TagAdmin

__all__ = [
    "AuditLogAdmin",
    "BindableMatterAdmin",
    "BindingCategoryAdmin",
    "ChecklistItemAdmin",
    "LocalMatterAdmin",
    "SmsSlotAdmin",
    "PrintTemplateAdmin",
    "PublishPolicyAdmin",
    "ReleaseAdmin",
    "TagAdmin",
]
