"""SMS admin: categories, templates (短信模板列表), the placeholder vocabulary, the outbox, the holiday calendar."""

from .category import SmsTemplateCategoryAdmin
from .holiday import HolidayAdmin
from .outbox import SmsMessageAdmin
from .placeholder import PlaceholderCodeAdmin
from .template import SmsTemplateAdmin

__all__ = [
    "HolidayAdmin",
    "PlaceholderCodeAdmin",
    "SmsMessageAdmin",
    "SmsTemplateAdmin",
    "SmsTemplateCategoryAdmin",
]
