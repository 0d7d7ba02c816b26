"""SMS template admin: categories, templates (短信模板列表), the placeholder vocabulary."""

from .category import SmsTemplateCategoryAdmin
from .placeholder import PlaceholderCodeAdmin
from .template import SmsTemplateAdmin

__all__ = ["PlaceholderCodeAdmin", "SmsTemplateAdmin", "SmsTemplateCategoryAdmin"]
