from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheets.resources import SpreadsheetMixin
from permissions.admin_mixins import ScopedAdminMixin

from ..models import PrintTemplate
from ..resources import PrintTemplateResource


@admin.register(PrintTemplate)
class PrintTemplateAdmin(ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    resource_classes = [PrintTemplateResource]
    required_capability = "permissions.configure_local"
    include_province_wide = True
    menu_group = "city"
    menu_order = 40
    list_display = ["code", "name", "document", "region", "is_active"]
    list_select_related = ["region"]
    list_filter = ["document", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]
