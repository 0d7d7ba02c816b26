from django.contrib import admin

from ..models import MatterCategory
from .base import CatalogAdmin


@admin.register(MatterCategory)
class MatterCategoryAdmin(CatalogAdmin):
    menu_order = 40
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]
