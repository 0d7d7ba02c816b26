from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin

from ..models import Role

# Roles are the groups of this console; a bare group would grant nothing (see backends), so hide it.
admin.site.unregister(Group)


@admin.register(Role)
class RoleAdmin(HistoryPermissionMixin, SimpleHistoryAdmin):
    menu_group = "system"
    menu_order = 80
    list_display = ["code", "name", "allow_province", "allow_city", "allow_agency"]
    search_fields = ["code", "name"]
    filter_horizontal = ["permissions"]
    fields = ["code", "name", "description", "allow_province", "allow_city", "allow_agency", "permissions"]

    def has_change_history_permission(self, request, obj=None):
        return False

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # The history table keys a role by ``id`` (the parent link group_ptr is left out of it).
        return Role.history.filter(id=object_id).select_related("history_user")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A role is a Group underneath (multi-table) and its history leaves out the parent link, so
        # simple-history cannot rebuild a version (it fails looking up group_ptr_id). The history list
        # shows every change; a role is changed on its own page.
        raise PermissionDenied

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = db_field.related_model.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)
