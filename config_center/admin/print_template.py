from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import PrintTemplate


@admin.register(PrintTemplate)
class PrintTemplateAdmin(SimpleHistoryAdmin):
    menu_group = "city"
    menu_order = 40
    list_display = ["code", "name", "document", "region", "is_active"]
    list_select_related = ["region"]
    list_filter = ["document", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]
