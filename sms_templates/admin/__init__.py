"""SMS admin: categories, templates (短信模板列表), the placeholder vocabulary, the outbox."""

from .category import SmsTemplateCategoryAdmin
from .outbox import SmsMessageAdmin
from .placeholder import PlaceholderCodeAdmin
from .template import SmsTemplateAdmin

__all__ = [
    "PlaceholderCodeAdmin",
    "SmsMessageAdmin",
    "SmsTemplateAdmin",
    "SmsTemplateCategoryAdmin",
]
