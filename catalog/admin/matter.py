from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Matter
from ..resources import MatterResource
from .base import CatalogSheetAdmin


@admin.register(Matter)
class MatterAdmin(CatalogSheetAdmin):
    resource_classes = [MatterResource]
    menu_order = 50
    list_display = [
        "code",
        "name",
        "category",
        "province_wide",
        "joint_handling",
        "default_time_limit_days",
        "is_active",
    ]
    list_select_related = ["category"]
    list_filter = ["category", "province_wide", "joint_handling", "is_active"]
    search_fields = ["code", "name", "aliases", "category__name"]
    autocomplete_fields = ["category", "prerequisites", "conflicts"]
    fieldsets = [
        (None, {"fields": ["code", "name", "aliases", "category", "is_active"]}),
        (_("办理规则"), {"fields": ["province_wide", "joint_handling", "default_time_limit_days"]}),
        (_("联办关系"), {"fields": ["prerequisites", "conflicts"]}),
    ]
