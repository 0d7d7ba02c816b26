from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from ..models import Assignment
from ..services import user_grant_console_access

User = get_user_model()
admin.site.unregister(User)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["role", "kind", "region", "agency", "is_active"]
    autocomplete_fields = ["region", "agency"]
    verbose_name_plural = _("岗位分配（受理区域与分管区域由此而来）")


@admin.register(User)
class ConsoleUserAdmin(UserAdmin):
    """Django's user screen without groups and per-user permissions: access comes from scoped assignments."""

    menu_group = "system"
    menu_order = 79
    inlines = [AssignmentInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name", "email"]}),
        (_("状态"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "assignments__role"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.assignments.exists():
            user_grant_console_access(form.instance)
