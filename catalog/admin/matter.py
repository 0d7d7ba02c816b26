from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..dependencies import dependency_problems
from ..models import Matter
from ..resources import MatterResource
from ..selectors import matter_relations
from .base import CatalogSheetAdmin


class MatterForm(forms.ModelForm):
    """The matter page refuses what the import refuses: a matter its own prerequisite or conflict, a pair both
    prerequisite and conflict, a prerequisite cycle — judged on the catalog as it would be after the save."""

    class Meta:
        model = Matter
        fields = [
            "code",
            "name",
            "aliases",
            "category",
            "is_active",
            "province_wide",
            "joint_handling",
            "default_time_limit_days",
            "prerequisites",
            "conflicts",
        ]

    def clean(self):
        data = super().clean()
        code = data.get("code")
        if not code or "prerequisites" not in data or "conflicts" not in data:
            return data  # the fields' own errors are shown first
        prerequisites, conflicts = matter_relations()
        stored = self.instance.code if self.instance.pk else None
        if stored and stored != code:  # renamed: the other matters' relations name it by its new code
            for relations in (prerequisites, conflicts):
                relations[code] = relations.pop(stored, set())
                for others in relations.values():
                    if stored in others:
                        others.discard(stored)
                        others.add(code)
        prerequisites[code] = {matter.code for matter in data["prerequisites"]}
        conflicts[code] = {matter.code for matter in data["conflicts"]}
        for problem in dependency_problems(prerequisites, conflicts):
            self.add_error("prerequisites", problem)
        return data


@admin.register(Matter)
class MatterAdmin(CatalogSheetAdmin):
    form = MatterForm
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
