from django.contrib import admin

from ..models import Channel
from .base import CatalogAdmin


@admin.register(Channel)
class ChannelAdmin(CatalogAdmin):
    menu_order = 30
    list_display = ["code", "name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
