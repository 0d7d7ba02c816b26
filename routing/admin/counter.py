"""业务受理 (综合柜员): the counter screen and 补正. The clerk routes a case (查询材料清单), ticks what was
received and accepts it (受理) or refuses it (不予受理); an incomplete case waits in 待补正 with every missing
item told at once (一次性告知) until 补正. Scanning, files and the printed documents are the screen's other
views (``scanning``, ``prints``); every write goes through ``routing.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AdminScreen

from .. import states
from ..access import may_accept_anywhere, may_correct
from ..models import Case
from ..selectors import accepting_agencies_for, case_for
from ..services import CaseRefused, case_accept, case_correct, case_refuse, case_route
from .counter_access import applicant_shown, visible_case
from .counter_forms import AcceptForm, ReasonForm, ticked_codes
from .prints import PrintViews, document_url
from .scanning import ScanViews

RECEIPT = r"(?P<receipt_no>\d{16})"
WORKLIST_SIZE = 20
KIND_NAMES = {
    "main": gettext_lazy("必交材料"),
    "auxiliary": gettext_lazy("辅助材料"),
    "application": gettext_lazy("申请项目材料"),
}
# The engine's and the services' reason codes, named for the clerk (the message says the details).
REASON_TITLES = {
    "not_bound": gettext_lazy("参保地未开通该事项"),
    "local_only": gettext_lazy("该事项在参保地为本地办理，不能异地受理"),
    "before_2019_07_01": gettext_lazy("工伤发生在 2019 年 7 月 1 日之前"),
    "advance_payment_excluded": gettext_lazy("涉及先行支付，不适用全省通办"),
    "unknown_matter": gettext_lazy("事项不存在"),
    "unknown_agency": gettext_lazy("经办机构不存在"),
    "unknown_region": gettext_lazy("地区没有已发布的配置"),
    "unknown_channel": gettext_lazy("办理渠道不存在"),
}


def checklist_rows(routed) -> list[dict]:
    """The checklist as the clerk ticks it: main materials (required), then the optional ones not already
    listed (an application item may name a main material again)."""
    rows = [{**item, "required": True} for item in routed.required]
    seen = {item["code"] for item in rows}
    for item in routed.optional:
        if item["code"] not in seen:
            seen.add(item["code"])
            rows.append({**item, "required": False})
    for row in rows:
        row["kind_name"] = KIND_NAMES.get(row["kind"], row["kind"])
        row["kind_class"] = "required" if row["required"] else ""
    return rows


def next_step_url(case: Case) -> str:
    """Where a clerk continues with a case: 补正, 影像扫描, or its document."""
    if case.status == states.PENDING_CORRECTION:
        return reverse("admin:routing_case_correct", args=[case.receipt_no])
    if case.status == states.ACCEPTED:
        return reverse("admin:routing_case_scan", args=[case.receipt_no])
    return document_url(case)


class AcceptViews:
    """受理 and 补正 (mixed into ``CounterScreen``)."""

    def _require_counter(self, request) -> None:
        if not may_accept_anywhere(request.user):
            raise PermissionDenied

    def counter_view(self, request):
        """受理: step 1 routes and shows the checklist, step 2 accepts (or refuses) with the ticked materials."""
        self._require_counter(request)
        if "receipt" in request.GET:
            return self._open_case(request)
        form = AcceptForm(request.POST or None, accepting=accepting_agencies_for(request.user))
        routed = refusal = None
        rows: list[dict] = []
        ticked: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                routed = case_route(form.accept_request(()))
            except CaseRefused as refused:
                if not form.add_refusal(refused):
                    refusal = {**vars(refused), "title": REASON_TITLES.get(refused.reason_code, "")}
        if routed is not None:
            rows = checklist_rows(routed)
            codes = [row["code"] for row in rows]
            ticked, foreign = ticked_codes(request.POST, set(codes))
            action = "accept" if "accept" in request.POST else "refuse" if "refuse" in request.POST else ""
            if action:
                case = self._accept(request, form, action, ticked, foreign, ",".join(codes))
                if case is not None:
                    return HttpResponseRedirect(document_url(case))
        context = {
            **self.admin_site.each_context(request),
            "title": _("综合受理"),
            "form": form,
            "routed": routed,
            "refusal": refusal,
            "rows": rows,
            "ticked": set(ticked),
            "checklist_codes": ",".join(row["code"] for row in rows),
            "worklist": self._worklist(request),
        }
        return TemplateResponse(request, "admin/routing/counter/accept.html", context)

    @staticmethod
    def _accept(request, form, action, ticked, foreign, shown) -> Case | None:
        if foreign:
            form.add_error(None, _("材料 %(codes)s 不在本事项的材料清单中。") % {"codes": "、".join(foreign)})
            return None
        reason = form.cleaned_data["refuse_reason"].strip()
        if action == "refuse" and not reason:
            form.add_error("refuse_reason", _("请填写不予受理的原因。"))
            return None
        if action == "accept" and form.cleaned_data["checklist"] != shown:
            # The matter, agency or channel changed since the list was shown: tick again against this one.
            form.add_error(None, _("材料清单已随事项、机构或渠道变化，请核对本清单的勾选后再受理。"))
            return None
        try:
            case = case_accept(
                request=form.accept_request(ticked),
                user=request.user,
                refuse_reason=reason if action == "refuse" else "",
            )
        except CaseRefused as refused:
            if not form.add_refusal(refused):
                form.add_error(None, f"{refused.message}（{refused.reason_code}）")
            return None
        except states.IllegalTransition as illegal:
            form.add_error(None, illegal.message)
            return None
        if case.status == states.REFUSED:
            messages.success(request, _("已作不予受理处理，请打印不予受理通知单。"))
        elif case.status == states.PENDING_CORRECTION:
            messages.warning(
                request,
                _("材料不全：业务待补正，请打印补充材料告知单一次性告知所缺的 %(n)d 项材料。")
                % {"n": len(case.missing_materials)},
            )
        else:
            messages.success(request, _("受理成功，请打印受理回执单，然后进入影像扫描。"))
        return case

    @staticmethod
    def _worklist(request) -> list[Case]:
        """The clerk's own cases still waiting at the counter (待补正, or 已受理 and not yet scanned)."""
        return list(
            Case.objects.filter(
                accepted_by=request.user, status__in=[states.PENDING_CORRECTION, states.ACCEPTED]
            )
            .select_related("matter")
            .order_by("-accepted_at", "-id")[:WORKLIST_SIZE]
        )

    def _open_case(self, request):
        """按受理回执号办理: continue a case the user may see where it stands."""
        receipt_no = request.GET["receipt"].strip()[:32]
        case = case_for(request.user, receipt_no) if receipt_no.isdigit() else None
        if case is None:
            messages.error(request, _("没有受理回执号为 %(no)s 的业务，或您无权查看。") % {"no": receipt_no})
            return HttpResponseRedirect(reverse("admin:routing_counter"))
        return HttpResponseRedirect(next_step_url(case))

    def correct_view(self, request, receipt_no):
        """补正 of a 待补正 case: tick what arrived; complete → 已受理 and the receipt, else the notice again."""
        self._require_counter(request)
        case = visible_case(request, receipt_no)
        if not may_correct(request.user, case):
            raise Http404(_("没有这笔业务，或您无权办理。"))
        missing = case.missing_materials
        pending = case.status == states.PENDING_CORRECTION
        reason_form = ReasonForm(request.POST if "refuse" in request.POST else None)
        errors: list[str] = []
        ticked: list[str] = []
        if request.method == "POST" and pending:
            if "refuse" in request.POST:
                if reason_form.is_valid():
                    try:
                        case_refuse(
                            receipt_no=case.receipt_no,
                            user=request.user,
                            reason=reason_form.cleaned_data["refuse_reason"].strip(),
                        )
                    except (CaseRefused, states.IllegalTransition) as refused:
                        reason_form.add_error(None, refused.message)
                    else:
                        messages.success(request, _("已作不予受理处理，请打印不予受理通知单。"))
                        return HttpResponseRedirect(
                            reverse("admin:routing_case_refusal_notice", args=[case.receipt_no])
                        )
            else:
                ticked, foreign = ticked_codes(request.POST, {item["code"] for item in missing})
                if foreign:
                    errors.append(_("材料 %(codes)s 不是本业务所缺的材料。") % {"codes": "、".join(foreign)})
                elif not ticked:
                    errors.append(_("请勾选本次收到的材料。"))
                else:
                    try:
                        case = case_correct(receipt_no=case.receipt_no, user=request.user, received=ticked)
                    except (CaseRefused, states.IllegalTransition) as refused:
                        errors.append(refused.message)
                    else:
                        return self._corrected(request, case)
        context = {
            **self.admin_site.each_context(request),
            "title": _("补正材料"),
            "case": case,
            "applicant": applicant_shown(request.user, case),
            "pending": pending,
            "missing": missing,
            "ticked": set(ticked),
            "errors": errors,
            "reason_form": reason_form,
            "status_name": states.STATUS_NAMES.get(case.status, case.status),
            "document_url": document_url(case),
        }
        return TemplateResponse(request, "admin/routing/counter/correct.html", context)

    @staticmethod
    def _corrected(request, case: Case):
        if case.status == states.ACCEPTED:
            messages.success(request, _("材料已补齐，业务已受理，请打印受理回执单。"))
            return HttpResponseRedirect(reverse("admin:routing_case_receipt", args=[case.receipt_no]))
        messages.warning(
            request,
            _("已登记本次收到的材料，仍缺 %(n)d 项，请打印补充材料告知单。")
            % {"n": len(case.missing_materials)},
        )
        return HttpResponseRedirect(reverse("admin:routing_case_correction_notice", args=[case.receipt_no]))


class CounterScreen(AcceptViews, ScanViews, PrintViews, AdminScreen):
    """业务受理 in its menu group: the counter, and (by receipt number) 补正, 影像扫描, 补扫, files, documents."""

    name = gettext_lazy("综合受理")
    object_name = "Counter"
    url_prefix = "routing/counter/"
    url_name = "routing_counter"
    menu_group = "intake"
    menu_order = 10

    def has_permission(self, request) -> bool:
        return may_accept_anywhere(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        case = f"^{RECEIPT}/"
        return [
            path("", view(self.counter_view), name=self.url_name),
            re_path(case + r"correct/$", view(self.correct_view), name="routing_case_correct"),
            re_path(case + r"scan/$", view(self.scan_view), name="routing_case_scan"),
            re_path(case + r"supplement/$", view(self.supplement_view), name="routing_case_supplement"),
            re_path(case + r"files/(?P<file_id>\d{1,12})/$", view(self.file_view), name="routing_case_file"),
            re_path(case + r"receipt/$", view(self.receipt_view), name="routing_case_receipt"),
            re_path(
                case + r"correction-notice/$",
                view(self.correction_notice_view),
                name="routing_case_correction_notice",
            ),
            re_path(
                case + r"refusal-notice/$", view(self.refusal_notice_view), name="routing_case_refusal_notice"
            ),
            re_path(case + r"completion/$", view(self.completion_view), name="routing_case_completion"),
            re_path(case + r"archive/$", view(self.archive_view), name="routing_case_archive"),
        ]


SCREENS = [CounterScreen]
