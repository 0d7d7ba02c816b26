from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin

from ..models import Tag


@admin.register(Tag)
class TagAdmin(HistoryPermissionMixin, SimpleHistoryAdmin):
    menu_group = "city"
    menu_order = 50
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
