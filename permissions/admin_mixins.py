"""The one mechanism every scoped admin uses: querysets, object permissions and choices limited to scope.

A model declares how to reach its region (``scope_region_path``); an admin adds ``ScopedAdminMixin``
and, where a capability beyond the model permission is needed, ``required_capability``.
"""

from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext as _

from catalog.models import Agency, Region
from core.admin import HistoryPermissionMixin

from .selectors import allowed_city_codes, region_code_of, scope_queryset


class ScopedAdminMixin(HistoryPermissionMixin):
    required_capability: str | None = None  # e.g. "permissions.configure_local", needed to change
    include_province_wide = False  # rows with no region (全省通用) are visible to every scoped viewer

    def _perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{get_permission_codename(action, self.opts)}"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return scope_queryset(
            queryset,
            request.user,
            [self._perm("view"), self._perm("change")],
            include_province_wide=self.include_province_wide,
        )

    def _capable(self, request, obj=None) -> bool:
        return self.required_capability is None or request.user.has_perm(self.required_capability, obj)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return super().has_view_permission(request)
        user = request.user
        return (
            user.has_perm(self._perm("view"), obj)
            or user.has_perm(self._perm("change"), obj)
            or (
                self.include_province_wide
                and self._province_wide(obj)
                and super().has_view_permission(request)
            )
        )

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request) and self._capable(request)
        return request.user.has_perm(self._perm("change"), obj) and self._capable(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request) and self._capable(request)
        return request.user.has_perm(self._perm("delete"), obj) and self._capable(request, obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._capable(request)

    @staticmethod
    def _province_wide(obj) -> bool:
        return region_code_of(obj) is None

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The form refuses a row its author may not write where it now lies (e.g. a city administrator
        leaving 地级市 empty makes a province-wide row): the same check as the object pages make."""
        form = super().get_form(request, obj, change=change, **kwargs)
        perm = self._perm("change" if obj is not None else "add")
        user = request.user

        class ScopedForm(form):
            def _post_clean(self):
                super()._post_clean()  # the instance now holds the submitted values
                if not (user.is_superuser or user.has_perm(perm, self.instance)):
                    self.add_error(None, _("只能在您的管辖范围内新增或修改；全省通用的内容由省级人员维护。"))

        ScopedForm.__name__ = form.__name__
        return ScopedForm

    def scope_related_queryset(self, request, queryset):
        """Limit Region / Agency choices (selects and autocompletes) to where the user may change this model."""
        cities = allowed_city_codes(request.user, [self._perm("change"), self._perm("add")])
        if cities is None:
            return queryset
        if queryset.model is Region:
            return queryset.filter(code__in=cities)
        if queryset.model is Agency:
            return queryset.filter(region__code__in=cities) | queryset.filter(region__parent__code__in=cities)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.related_model in (Region, Agency):
            field.queryset = self.scope_related_queryset(request, field.queryset)
        elif getattr(db_field.related_model, "scope_region_path", None):
            # e.g. a template's category: only the ones inside the scope where the user may change this model.
            field.queryset = scope_queryset(
                field.queryset, request.user, [self._perm("change"), self._perm("add")]
            )
        return field


class ProvinceWideAdminMixin(HistoryPermissionMixin):
    """A screen of rows that belong to no city (API clients): every permission needs a grant over the province.

    The role backend answers for an object without ``scope_region_path`` from province-wide grants only, so the
    checks pass such an object even when Django asks about the list (a city administrator holding the model
    permission in their city does not see the screen)."""

    def _province_wide_perm(self, request, action: str, obj=None) -> bool:
        perm = f"{self.opts.app_label}.{get_permission_codename(action, self.opts)}"
        return request.user.has_perm(perm, obj if obj is not None else self.model())

    def has_module_permission(self, request):
        return self._province_wide_perm(request, "view") or self._province_wide_perm(request, "change")

    def has_view_permission(self, request, obj=None):
        return self._province_wide_perm(request, "view", obj) or self._province_wide_perm(
            request, "change", obj
        )

    def has_change_permission(self, request, obj=None):
        return self._province_wide_perm(request, "change", obj)

    def has_add_permission(self, request, *args):
        return self._province_wide_perm(request, "add")

    def has_delete_permission(self, request, obj=None):
        return self._province_wide_perm(request, "delete", obj)
