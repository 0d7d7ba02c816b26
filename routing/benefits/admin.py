"""待遇项目 and 待遇标准 in 系统管理: province data with history, changed by province-wide staff only (the reference
role 省级业务督导 holds the permissions), read by every console role; 导入 / 导出 as the sheets of the workbook.
Every save goes through the services, so the admin refuses what the importer and the reference data refuse."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin
from core.spreadsheets.resources import SpreadsheetMixin
from permissions.selectors import allowed_city_codes

from .models import Benefit, BenefitStandard
from .resources import BenefitResource, BenefitStandardResource
from .rules import months_text
from .services import benefit_save, benefit_standard_overlap, benefit_standard_save


class ProvinceDataAdmin(HistoryPermissionMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    """A province-wide table: adding, changing and deleting need the model permission held for the whole
    province (a role assigned at the province, or a superuser); reading needs the view permission anywhere."""

    menu_group = "system"
    list_per_page = 50
    show_full_result_count = False

    def _province_wide(self, request, action: str) -> bool:
        perm = f"{self.opts.app_label}.{action}_{self.opts.model_name}"
        return request.user.has_perm(perm) and allowed_city_codes(request.user, [perm]) is None

    def has_add_permission(self, request):
        return self._province_wide(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._province_wide(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._province_wide(request, "delete")


@admin.register(Benefit)
class BenefitAdmin(ProvinceDataAdmin):
    resource_classes = [BenefitResource]
    menu_order = 70
    list_display = ["code", "name", "scope", "basis"]
    list_filter = ["scope"]
    search_fields = ["code", "name", "basis"]

    def save_model(self, request, obj, form, change):
        benefit_save(benefit=obj, user=request.user)


class BenefitStandardForm(forms.ModelForm):
    class Meta:
        model = BenefitStandard
        fields = ["benefit", "grade", "months", "valid_from", "valid_to"]

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the submitted values
        if not self.errors:
            problem = benefit_standard_overlap(self.instance)
            if problem:
                self.add_error("valid_from", problem)


@admin.register(BenefitStandard)
class BenefitStandardAdmin(ProvinceDataAdmin):
    resource_classes = [BenefitStandardResource]
    form = BenefitStandardForm
    menu_order = 71
    list_display = ["benefit", "grade", "months_shown", "valid_from", "valid_to"]
    list_select_related = ["benefit"]
    list_filter = ["benefit", "grade"]
    search_fields = ["benefit__code", "benefit__name"]
    ordering = ["benefit__code", "grade", "valid_from"]

    @admin.display(description=gettext_lazy("月数"), ordering="months")
    def months_shown(self, obj):
        return _("%(months)s 个月") % {"months": months_text(obj.months)}

    def save_model(self, request, obj, form, change):
        benefit_standard_save(standard=obj, user=request.user)
