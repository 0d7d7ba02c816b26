"""The counter's printed documents, as printable HTML pages: 受理回执单, 补充材料告知单 (every missing item at
once), 不予受理通知单 and 业务办结单, and 归档 from the 业务办结单.

A document exists only in the status it belongs to (a 待补正 case has a notice, not a receipt); whoever may
see the case (``selectors.case_for``) may print it again. Names and ID numbers are masked as everywhere
(``core.masking``) unless the user may see full data. The handling city's published print slot of the
matter (the release the case was accepted under) says whether a document carries a 验伪码; the rules allow
it on the 业务办结单 only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.fields.json import KeyTransform
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Material
from config_center.drafts.models import PrintDocument
from config_center.releases.models import Release

from .. import states
from ..access import ELECTRONIC, PAPER, may_accept_anywhere, may_archive, may_correct, may_scan
from ..anti_forgery import anti_forgery_code
from ..models import ArchiveStatus, Case
from ..services import CaseRefused, case_archive, may_supplement
from .counter_access import SIDE_NAMES, applicant_shown, supplementable, visible_case

TEMPLATES = "admin/routing/counter/"


def print_slot(case: Case, document: str) -> dict:
    """The published print slot ({template, e_seal, anti_forgery_code}) of ``document`` for the case's
    matter in the release it was accepted under ({} when the city configured none)."""
    slot = KeyTransform(document, KeyTransform("prints", KeyTransform(case.matter.code, "snapshot")))
    value = (
        Release.objects.filter(region__code=case.release_region, number=case.release_number)
        .annotate(slot=slot)
        .values_list("slot", flat=True)
        .first()
    )
    return value if isinstance(value, dict) else {}


def has_receipt(case: Case) -> bool:
    """A 受理回执单 exists once the case was accepted with every material (not 待补正, not 不予受理)."""
    return case.status not in (states.PENDING_CORRECTION, states.REFUSED) and not case.missing_materials


def document_url(case: Case) -> str:
    """The document that speaks for the case where it stands."""
    if case.status in (states.COMPLETED, states.ARCHIVED):
        name = "routing_case_completion"
    elif case.status == states.REFUSED:
        name = "routing_case_refusal_notice"
    elif case.status == states.PENDING_CORRECTION:
        name = "routing_case_correction_notice"
    else:
        name = "routing_case_receipt"
    return reverse(f"admin:{name}", args=[case.receipt_no])


def received_names(case: Case) -> list[dict]:
    """The materials received, with names (from the checklist kept on the case, else the catalog: one query)."""
    names = {item["code"]: item["name"] for item in case.required_materials}
    others = [code for code in case.received_materials if code not in names]
    if others:
        names.update(Material.objects.filter(code__in=others).values_list("code", "name"))
    return [{"code": code, "name": names.get(code, code)} for code in case.received_materials]


class PrintViews:
    """The documents and 归档 (mixed into ``CounterScreen``)."""

    def _document(self, request, case: Case, *, document: str, title: str, template: str, **extra):
        user = request.user
        slot = print_slot(case, document) if document else {}
        context = {
            "title": title,
            "case": case,
            "applicant": applicant_shown(user, case),
            "status_name": states.STATUS_NAMES.get(case.status, case.status),
            "slot": slot,
            "anti_forgery": anti_forgery_code(case.receipt_no) if slot.get("anti_forgery_code") else "",
            "printed_at": timezone.now(),
            "links": {
                "counter": reverse("admin:routing_counter") if may_accept_anywhere(user) else "",
                "scan": reverse("admin:routing_case_scan", args=[case.receipt_no])
                if case.status == states.ACCEPTED and may_scan(user, case)
                else "",
                "correct": reverse("admin:routing_case_correct", args=[case.receipt_no])
                if case.status == states.PENDING_CORRECTION and may_correct(user, case)
                else "",
                "supplement": reverse("admin:routing_case_supplement", args=[case.receipt_no])
                if supplementable(case) and may_supplement(case, user)
                else "",
                "detail": reverse("admin:routing_case_detail", args=[case.receipt_no]),
            },
            **extra,
        }
        return TemplateResponse(request, TEMPLATES + template, context)

    def _unavailable(self, request, case: Case, title: str, why: str):
        response = self._document(
            request, case, document="", title=title, template="unavailable.html", why=why
        )
        response.status_code = 404
        return response

    def receipt_view(self, request, receipt_no):
        """受理回执单."""
        case = visible_case(request, receipt_no)
        title = _("受理回执单")
        if not has_receipt(case):
            return self._unavailable(request, case, title, _("本业务没有受理回执单（材料不全或不予受理）。"))
        return self._document(
            request,
            case,
            document=PrintDocument.ACCEPTANCE_RECEIPT,
            title=title,
            template="receipt.html",
            received=received_names(case),
        )

    def correction_notice_view(self, request, receipt_no):
        """补充材料告知单: every missing material at once (一次性告知)."""
        case = visible_case(request, receipt_no)
        title = _("补充材料告知单")
        if case.status != states.PENDING_CORRECTION:
            return self._unavailable(request, case, title, _("本业务不在待补正状态，无须补充材料。"))
        return self._document(
            request,
            case,
            document=PrintDocument.CORRECTION,
            title=title,
            template="correction_notice.html",
            missing=case.missing_materials,
            received=received_names(case),
        )

    def refusal_notice_view(self, request, receipt_no):
        """不予受理通知单 with its reason."""
        case = visible_case(request, receipt_no)
        title = _("不予受理通知单")
        if case.status != states.REFUSED:
            return self._unavailable(request, case, title, _("本业务未作不予受理处理。"))
        return self._document(
            request,
            case,
            document=PrintDocument.REJECTION_RECEIPT,
            title=title,
            template="refusal_notice.html",
        )

    def completion_view(self, request, receipt_no):
        """业务办结单 (with the 验伪码 where the slot asks for it) and the 归档 buttons."""
        case = visible_case(request, receipt_no)
        title = _("业务办结单")
        if case.status not in (states.COMPLETED, states.ARCHIVED):
            return self._unavailable(request, case, title, _("本业务尚未办结。"))
        done = {
            PAPER: case.archive_status in (ArchiveStatus.PAPER, ArchiveStatus.ARCHIVED),
            ELECTRONIC: case.archive_status in (ArchiveStatus.ELECTRONIC, ArchiveStatus.ARCHIVED),
        }
        archive = [
            {"side": side, "name": SIDE_NAMES[side]}
            for side in (PAPER, ELECTRONIC)
            if not done[side] and may_archive(request.user, case, side)
        ]
        return self._document(
            request,
            case,
            document=PrintDocument.COMPLETION,
            title=title,
            template="completion.html",
            archive=archive,
            archive_status=case.get_archive_status_display(),
        )

    def archive_view(self, request, receipt_no):
        """归档 of a 已办结 case: paper at the accepting side, electronic at the handling side."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = visible_case(request, receipt_no)
        side = request.POST.get("side", "")
        if side not in (PAPER, ELECTRONIC):
            raise Http404(_("没有这种归档方式。"))
        if not may_archive(request.user, case, side):
            raise PermissionDenied
        try:
            case = case_archive(receipt_no=case.receipt_no, user=request.user, side=side)
        except (CaseRefused, states.IllegalTransition) as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("已登记%(side)s，建档状态：%(status)s。")
                % {"side": SIDE_NAMES[side], "status": case.get_archive_status_display()},
            )
        return HttpResponseRedirect(reverse("admin:routing_case_completion", args=[case.receipt_no]))
