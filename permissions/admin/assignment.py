from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheets.resources import SpreadsheetMixin

from ..admin_mixins import ScopedAdminMixin
from ..models import Assignment
from ..resources import AssignmentResource
from ..services import assignment_save, self_grant_refusal


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    resource_classes = [AssignmentResource]
    menu_group = "system"
    menu_order = 81
    required_capability = "permissions.manage_roles"
    list_display = ["user", "role", "kind", "region", "agency", "is_active"]
    list_select_related = ["user", "role", "region", "agency"]
    list_filter = ["role", "kind", "is_active"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "role__name",
        "region__name",
        "agency__name",
    ]
    fields = ["user", "role", "kind", "region", "agency", "is_active"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        class AssignmentForm(form):
            def clean(self):
                data = super().clean()
                user = data.get("user") or (self.instance.user if self.instance.user_id else None)
                refusal = self_grant_refusal(assignment=Assignment(user=user), actor=actor)
                if refusal:
                    self.add_error("user" if "user" in self.fields else None, refusal)
                return data

        return AssignmentForm

    def save_model(self, request, obj, form, change):
        assignment_save(assignment=obj, actor=request.user)
