"""疑难案件 in the admin (附件 2 三(五)): 移送 (push once to the competent agency), 报请指导 (the receiving agency asks
the common superior) and 决定管辖 (the superior's final decision) — one small form each, the same services and
rules as the API; reached from the case's 详情 page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AdminScreen
from core.masking import mask_name

from .. import states
from ..selectors import case_for
from ..services import CaseRefused
from ..services.jurisdiction import (
    DECIDE_PERMISSIONS,
    REVIEW_PERMISSIONS,
    case_decide,
    case_escalate,
    case_push,
)
from .transfer import agency_choices

ACTIONS = {
    "push": (
        gettext_lazy("移送"),
        gettext_lazy(
            "认为不属于本机构管辖时，推送至有管辖权的经办机构（只能移送一次，应在受理后 1 个工作日内）。"
        ),
    ),
    "escalate": (
        gettext_lazy("报请指导"),
        gettext_lazy(
            "受移送的业务不得再移送：认为仍不属于本机构管辖的，报请共同上级经办机构决定；业务中止，办理时限暂停。"
        ),
    ),
    "decide": (
        gettext_lazy("决定管辖"),
        gettext_lazy("共同上级经办机构决定由哪个机构办理；决定为最终决定，记入追踪。"),
    ),
}


class JurisdictionForm(forms.Form):
    target_agency = forms.ChoiceField(label=gettext_lazy("经办机构"))
    reason = forms.CharField(
        label=gettext_lazy("原因 / 意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, needs_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_agency:
            self.fields["target_agency"].choices = [("", "---------"), *agency_choices()]
        else:
            del self.fields["target_agency"]


class JurisdictionScreen(AdminScreen):
    name = gettext_lazy("疑难案件")
    object_name = "Jurisdiction"
    url_prefix = "routing/jurisdiction/"
    url_name = "routing_case_push"
    menu_group = "tasks"
    menu_order = 900
    in_menu = False

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and any(user.has_perm(perm) for perm in DECIDE_PERMISSIONS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<str:receipt_no>/push/", view(self.action_view), {"action": "push"}, name="routing_case_push"
            ),
            path(
                "<str:receipt_no>/escalate/",
                view(self.action_view),
                {"action": "escalate"},
                name="routing_case_escalate",
            ),  # fmt: skip
            path(
                "<str:receipt_no>/decide/",
                view(self.action_view),
                {"action": "decide"},
                name="routing_case_decide",
            ),
        ]

    def action_view(self, request, receipt_no: str, action: str):
        if not self.has_permission(request):
            raise PermissionDenied
        case = case_for(request.user, receipt_no[:16])
        if case is None:
            raise Http404(_("没有这笔业务，或它不在您的管辖范围内。"))
        needs_agency = action in ("push", "decide")
        form = JurisdictionForm(request.POST or None, needs_agency=needs_agency)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if action == "push":
                    case_push(user=request.user, receipt_no=case.receipt_no, target_agency=data["target_agency"],
                              reason=data["reason"])  # fmt: skip
                elif action == "escalate":
                    case_escalate(user=request.user, receipt_no=case.receipt_no, reason=data["reason"])
                else:
                    case_decide(user=request.user, receipt_no=case.receipt_no, target_agency=data["target_agency"],
                                opinion=data["reason"])  # fmt: skip
            except CaseRefused as refused:
                field = "target_agency" if refused.field == "target_agency" and needs_agency else None
                form.add_error(field, refused.message)
            except states.IllegalTransition as illegal:
                form.add_error(None, illegal.message)
            else:
                messages.success(
                    request, _("%(action)s已办理，已记入追踪。") % {"action": ACTIONS[action][0]}
                )
                return HttpResponseRedirect(reverse("admin:routing_case_detail", args=[case.receipt_no]))
        title, explanation = ACTIONS[action]
        return case_action_page(
            self.admin_site, request, case, title=title, explanation=explanation, form=form
        )


def case_action_page(admin_site, request, case, *, title, explanation, form) -> TemplateResponse:
    """The page of one action on a case: what it does, the case in brief (name masked), the form."""
    context = {
        **admin_site.each_context(request),
        "title": f"{title}：{case.receipt_no}",
        "action_name": title,
        "explanation": explanation,
        "case": case,
        "applicant": mask_name(case.applicant_name),
        "status_name": states.STATUS_NAMES.get(case.status, case.status),
        "form": form,
    }
    return TemplateResponse(request, "admin/routing/jurisdiction/action.html", context)


SCREENS = [JurisdictionScreen]
__all__ = ["REVIEW_PERMISSIONS", "SCREENS"]
