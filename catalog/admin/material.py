from django.contrib import admin

from ..models import Material
from .base import CatalogAdmin


@admin.register(Material)
class MaterialAdmin(CatalogAdmin):
    menu_order = 60
    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "description"]
