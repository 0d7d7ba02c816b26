from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from permissions.admin_mixins import ScopedAdminMixin

from ..models import SmsTemplate


@admin.register(SmsTemplate)
class SmsTemplateAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    required_capability = "permissions.manage_sms"
    include_province_wide = True
    menu_group = "city"
    menu_order = 31
    list_display = ["function_code", "name", "category", "is_active"]
    list_select_related = ["category"]
    list_filter = ["category", "is_active"]
    search_fields = ["function_code", "name", "content"]
    fields = [
        "category",
        "name",
        "function_code",
        "is_active",
        "content",
        "allow_full_id_number",
        "mask_names",
    ]
