from django.contrib import admin

from ..models import Agency
from ..resources import AgencyResource
from .base import CatalogSheetAdmin


@admin.register(Agency)
class AgencyAdmin(CatalogSheetAdmin):
    resource_classes = [AgencyResource]
    menu_order = 20
    list_display = ["code", "name", "kind", "region", "parent", "is_active"]
    list_select_related = ["region", "parent"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "region__name"]
    autocomplete_fields = ["region", "parent"]
