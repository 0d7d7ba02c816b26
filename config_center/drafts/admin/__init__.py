"""Draft screens: 定制本地业务, 本地业务属性定义, the list views, print templates and tags."""

from .binding import BindableMatterAdmin, BindingCategoryAdmin
from .lists import ChecklistItemAdmin, PrintSlotAdmin, SmsSlotAdmin
from .local_matter import LocalMatterAdmin
from .print_template import PrintTemplateAdmin
from .tag import TagAdmin

__all__ = [
    "BindableMatterAdmin",
    "BindingCategoryAdmin",
    "ChecklistItemAdmin",
    "LocalMatterAdmin",
    "PrintSlotAdmin",
    "PrintTemplateAdmin",
    "SmsSlotAdmin",
    "TagAdmin",
]
