"""影像扫描 after 受理 (files, or 后续扫描: either way the case goes on to the 初审 pool at once), 补扫 into an
open case, and the download of one scanned file — each for a case the user may see."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import states
from ..access import may_scan
from ..models import Case, CaseFile
from ..services import CaseRefused, case_add_files, case_scan, may_supplement
from .counter_access import applicant_shown, supplementable, visible_case
from .counter_forms import UploadForm
from .prints import document_url


def case_files(case: Case) -> list[CaseFile]:
    return list(
        CaseFile.objects.filter(case=case)
        .select_related("uploaded_by")
        .only(
            "id",
            "original_name",
            "content_type",
            "size",
            "supplementary",
            "uploaded_at",
            "uploaded_by__username",
        )
    )


def scan_state_note(case: Case) -> str:
    """Why a case is not (or no longer) scanned here."""
    if case.status == states.PENDING_CORRECTION:
        return _("业务待补正：材料补齐、受理之后再进行影像扫描。")
    if case.status in states.OPEN:
        return _("影像扫描已完成（%(scan)s），业务已进入初审队列；后来收到的材料请“补扫”。") % {
            "scan": case.get_scan_status_display()
        }
    return _("业务已结束（%(status)s），不再扫描。") % {
        "status": states.STATUS_NAMES.get(case.status, case.status)
    }


class ScanViews:
    """影像扫描, 补扫 and file downloads (mixed into ``CounterScreen``)."""

    def _scan_page(self, request, case: Case, form, *, mode: str, allowed: bool, why: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": _("影像扫描") if mode == "scan" else _("补扫"),
            "mode": mode,
            "case": case,
            "applicant": applicant_shown(request.user, case),
            "form": form,
            "allowed": allowed,
            "why": why,
            "files": case_files(case),
            "status_name": states.STATUS_NAMES.get(case.status, case.status),
            "document_url": document_url(case),
            "supplement_url": reverse("admin:routing_case_supplement", args=[case.receipt_no])
            if mode == "scan" and supplementable(case) and may_supplement(case, request.user)
            else "",
        }
        return TemplateResponse(request, "admin/routing/counter/scan.html", context)

    def scan_view(self, request, receipt_no):
        """影像扫描 of a 已受理 case: upload its files, or 后续扫描; it moves to the 初审 pool either way."""
        case = visible_case(request, receipt_no)
        if not may_scan(request.user, case):
            raise Http404(_("没有这笔业务，或您无权办理。"))
        form = UploadForm(request.POST or None, request.FILES or None)
        allowed = case.status == states.ACCEPTED
        why = "" if allowed else scan_state_note(case)
        if request.method == "POST" and allowed and form.is_valid():
            defer = "defer" in request.POST
            try:
                case = case_scan(
                    receipt_no=case.receipt_no,
                    user=request.user,
                    uploads=[] if defer else form.cleaned_data["files"],
                    defer=defer,
                )
            except (CaseRefused, states.IllegalTransition) as refused:
                form.add_error("files" if getattr(refused, "field", "") == "files" else None, refused.message)
            else:
                if defer:
                    note = _("已选择后续扫描，业务已进入初审队列；材料可在办结前补扫。")
                else:
                    note = _("影像已上传，业务已进入初审队列。")
                messages.success(request, note)
                return HttpResponseRedirect(reverse("admin:routing_case_scan", args=[case.receipt_no]))
        return self._scan_page(request, case, form, mode="scan", allowed=allowed, why=why)

    def supplement_view(self, request, receipt_no):
        """补扫 into an open case: the accepting account, or 高级扫描 at the accepting or handling agency."""
        case = visible_case(request, receipt_no)
        form = UploadForm(request.POST or None, request.FILES or None)
        why = ""
        if case.status not in states.OPEN:
            why = _("业务已结束，不能补扫。")
        elif not supplementable(case):
            why = _("补扫用于影像扫描之后收到的材料；本业务尚未影像扫描（%(status)s）。") % {
                "status": states.STATUS_NAMES.get(case.status, case.status)
            }
        elif not may_supplement(case, request.user):
            why = _("只有受理人或持有受理机构、分管机构“高级扫描”权限的人员可以补扫。")
        if request.method == "POST" and not why and form.is_valid():
            try:
                stored = case_add_files(
                    receipt_no=case.receipt_no, user=request.user, uploads=form.cleaned_data["files"]
                )
            except (CaseRefused, states.IllegalTransition) as refused:
                form.add_error("files" if getattr(refused, "field", "") == "files" else None, refused.message)
            else:
                messages.success(request, _("已补扫 %(n)d 个文件。") % {"n": len(stored)})
                return HttpResponseRedirect(reverse("admin:routing_case_supplement", args=[case.receipt_no]))
        return self._scan_page(request, case, form, mode="supplement", allowed=not why, why=why)

    def file_view(self, request, receipt_no, file_id):
        """One scanned file, as an attachment of its stored type (never rendered inline)."""
        case = visible_case(request, receipt_no)
        record = CaseFile.objects.filter(case=case, pk=int(file_id)).first()
        if record is None:
            raise Http404(_("没有这个文件。"))
        try:
            handle = record.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("文件已不在存储中。")) from None
        response = FileResponse(
            handle, as_attachment=True, filename=record.original_name, content_type=record.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
