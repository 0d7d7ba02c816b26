from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin

from ..models import PlaceholderCode


@admin.register(PlaceholderCode)
class PlaceholderCodeAdmin(HistoryPermissionMixin, SimpleHistoryAdmin):
    menu_group = "city"
    menu_order = 32
    list_display = ["code", "meaning", "sample_value", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["code", "meaning"]
