from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Assignment, StaffContact
from ..services import assignment_save, self_grant_refusal

User = get_user_model()
admin.site.unregister(User)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["role", "kind", "region", "agency", "is_active"]
    autocomplete_fields = ["region", "agency"]
    verbose_name_plural = _("岗位分配（受理区域与分管区域由此而来）")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        actor = request.user

        class SelfGrantRefusingFormSet(formset):
            def clean(self):
                super().clean()
                changed = [form for form in self.forms if form.has_changed() or form in self.deleted_forms]
                if changed and self.instance.pk:
                    refusal = self_grant_refusal(assignment=Assignment(user=self.instance), actor=actor)
                    if refusal:
                        raise ValidationError(refusal)

        return SelfGrantRefusingFormSet


class StaffContactInline(admin.StackedInline):
    model = StaffContact
    extra = 1
    max_num = 1
    can_delete = False
    fields = ["mobile"]


@admin.register(User)
class ConsoleUserAdmin(UserAdmin):
    """Django's user screen without groups and per-user permissions: access comes from scoped assignments."""

    menu_group = "system"
    menu_order = 79
    inlines = [StaffContactInline, AssignmentInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name", "email"]}),
        (_("状态"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "assignments__role"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Assignment:
            return super().save_formset(request, form, formset, change)
        for assignment in formset.save(commit=False):
            assignment_save(assignment=assignment, actor=request.user)
        for assignment in formset.deleted_objects:
            assignment._history_user = request.user
            assignment.delete()
        formset.save_m2m()
