from django.contrib import admin
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin

from ..models import Role

# Roles are the groups of this console; a bare group would grant nothing (see backends), so hide it.
admin.site.unregister(Group)


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    menu_group = "system"
    menu_order = 80
    list_display = ["code", "name", "allow_province", "allow_city", "allow_agency"]
    search_fields = ["code", "name"]
    filter_horizontal = ["permissions"]
    fields = ["code", "name", "description", "allow_province", "allow_city", "allow_agency", "permissions"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = db_field.related_model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
