"""中止 / 恢复办理 / 终止 of a case in the admin: one small form each over the lifecycle services (the reason goes
to 追踪 and the applicant's SMS; the clock stops while the case stands still); reached from 业务状态查询."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AdminScreen

from .. import states
from ..access import ACCEPT, REVIEW
from ..selectors import case_for
from ..services import CaseRefused
from ..services.lifecycle import MAX_REASON, case_resume, case_suspend, case_terminate
from .jurisdiction import case_action_page

ACTIONS = {
    "suspend": (
        gettext_lazy("中止"),
        gettext_lazy(
            "业务暂停办理（如等待补充材料、鉴定结论）：审核任务收回，办理时限暂停，申请人收到中止短信。"
        ),
        case_suspend,
    ),
    "resume": (
        gettext_lazy("恢复办理"),
        gettext_lazy("中止的原因消除后继续办理：业务回到分管机构的初审任务池，办理时限顺延中止的工作日。"),
        case_resume,
    ),
    "terminate": (
        gettext_lazy("终止"),
        gettext_lazy(
            "业务不再办理（如申请人撤回）：审核任务收回，申请人收到终止短信；联办申请中依赖它的业务一并终止。"
        ),
        case_terminate,
    ),
}
# What the state machine allows each action from.
ACTION_OF = {"suspend": states.SUSPEND, "resume": states.RESUME, "terminate": states.TERMINATE}


def offered(case) -> list[str]:
    """The lifecycle actions the case's 流程状态 allows (the screen still asks the service, which decides)."""
    found = [key for key, action in ACTION_OF.items() if (case.status, action) in states.TRANSITIONS]
    if case.escalated_to_id is not None:
        return []  # waiting for the common superior's decision (疑难案件)
    return found


class LifecycleForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("原因"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class LifecycleScreen(AdminScreen):
    name = gettext_lazy("中止 / 恢复 / 终止")
    object_name = "Lifecycle"
    url_prefix = "routing/lifecycle/"
    url_name = "routing_case_suspend"
    menu_group = "tasks"
    menu_order = 910
    in_menu = False

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and any(user.has_perm(perm) for perm in (ACCEPT, *REVIEW))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                f"<str:receipt_no>/{key}/",
                view(self.action_view),
                {"action": key},
                name=f"routing_case_{key}",
            )
            for key in ACTIONS
        ]

    def action_view(self, request, receipt_no: str, action: str):
        if not self.has_permission(request):
            raise PermissionDenied
        case = case_for(request.user, receipt_no[:16])
        if case is None:
            raise Http404(_("没有这笔业务，或它不在您的管辖范围内。"))
        title, explanation, service = ACTIONS[action]
        form = LifecycleForm(request.POST or None, required=action != "resume")
        if request.method == "POST" and form.is_valid():
            try:
                service(receipt_no=case.receipt_no, user=request.user, reason=form.cleaned_data["reason"])
            except CaseRefused as refused:
                form.add_error("reason" if refused.field == "reason" else None, refused.message)
            except states.IllegalTransition as illegal:
                form.add_error(None, illegal.message)
            else:
                messages.success(request, _("%(action)s已办理，已记入追踪。") % {"action": title})
                return HttpResponseRedirect(reverse("admin:routing_case_detail", args=[case.receipt_no]))
        return case_action_page(
            self.admin_site, request, case, title=title, explanation=explanation, form=form
        )


SCREENS = [LifecycleScreen]
