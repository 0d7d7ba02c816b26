from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin
from core.spreadsheets.resources import SpreadsheetMixin

from ..models import Tag
from ..resources import TagResource


@admin.register(Tag)
class TagAdmin(HistoryPermissionMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    resource_classes = [TagResource]
    menu_group = "city"
    menu_order = 50
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
