from django.contrib import admin

from ..models import Material
from ..resources import MaterialResource
from .base import CatalogSheetAdmin


@admin.register(Material)
class MaterialAdmin(CatalogSheetAdmin):
    resource_classes = [MaterialResource]
    menu_order = 60
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "description"]
