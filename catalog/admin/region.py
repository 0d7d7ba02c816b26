from django.contrib import admin

from ..models import Region
from ..resources import RegionResource
from .base import CatalogSheetAdmin


@admin.register(Region)
class RegionAdmin(CatalogSheetAdmin):
    resource_classes = [RegionResource]
    menu_order = 10
    list_display = ["code", "name", "level", "parent"]
    list_select_related = ["parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
