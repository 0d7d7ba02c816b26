"""待遇计算 in 系统管理: staff compute a one-off benefit (benefit, grade, monthly wage, day → amount and the rule), by
the same service and rules as ``POST /api/v1/benefits/compute``. A GET form: computing writes nothing."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AdminScreen

from . import rules
from .models import Benefit
from .services import benefit_compute

VIEW_PERMISSION = "routing.view_benefitstandard"
# Where a refusal is shown on the form.
REFUSAL_FIELDS = {
    rules.UNKNOWN_BENEFIT: "benefit",
    rules.UNKNOWN_GRADE: "grade",
    rules.INVALID_GRADE: "grade",
    rules.INVALID_WAGE: "monthly_wage",
    rules.INVALID_DATE: "date",
    rules.NOT_IN_FORCE: "date",
}


class BenefitComputeForm(forms.Form):
    benefit = forms.ChoiceField(label=gettext_lazy("待遇项目"))
    grade = forms.TypedChoiceField(
        label=gettext_lazy("伤残等级"), coerce=int, choices=[(g, n) for g, n in rules.GRADE_NAMES.items()]
    )
    monthly_wage = forms.CharField(
        label=gettext_lazy("本人月工资（元）"),
        max_length=rules.MAX_WAGE_TEXT,
        help_text=gettext_lazy("大于 0，至多 1000000.00，最多两位小数，如 3083.20"),
    )
    date = forms.DateField(
        label=gettext_lazy("按哪一天的标准"),
        required=False,
        help_text=gettext_lazy("如 2026-08-02；留空为今天"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].choices = list(Benefit.objects.order_by("code").values_list("code", "name"))


class BenefitComputeScreen(AdminScreen):
    name = gettext_lazy("待遇计算")
    object_name = "BenefitCompute"
    url_prefix = "routing/benefits/compute/"
    url_name = "routing_benefit_compute"
    menu_group = "system"
    menu_order = 72

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(VIEW_PERMISSION)

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.compute_view), name=self.url_name)]

    def compute_view(self, request):
        if not self.has_permission(request):
            raise PermissionDenied
        form = BenefitComputeForm(request.GET or None)
        answer = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer = benefit_compute(
                    benefit=data["benefit"],
                    grade=data["grade"],
                    monthly_wage=data["monthly_wage"],
                    on=data["date"] or timezone.localdate(),
                )
            except rules.BenefitRefused as refusal:
                form.add_error(REFUSAL_FIELDS.get(refusal.reason_code), refusal.message)
        context = {
            **self.admin_site.each_context(request),
            "title": _("待遇计算"),
            "form": form,
            "answer": answer,
            "amount": rules.money_text(answer.amount) if answer else "",
        }
        return TemplateResponse(request, "admin/routing/benefits/compute.html", context)


SCREENS = [BenefitComputeScreen]
