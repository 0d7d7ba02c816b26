"""按责办结 (000 第四部分 3–5): what happens to a joint application's cases when one of them finishes.

``case_finished`` is called by the case services inside the transaction that finished a case (task_complete,
case_terminate). A case of a joint application that is 办结 hands its decision on: a one-page PDF naming it
(工伤认定决定书, 劳动能力鉴定结论书 …, ``planning.OUTPUT_DOCUMENTS``), stored once and filed on every successor
(内部流转, no new application); each successor whose prerequisites are now all 办结 starts — into its 初审 pool,
or 中止 if the applicant still owes it a material. A case that ends otherwise (审核不通过, 不予受理, 终止)
terminates every case that depends on it, transitively, with the reason; each is told by SMS (分步反馈).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from catalog.models import Material
from core.masking import mask_id_number, mask_name
from sms_templates.models import SmsEvent

from .. import states
from ..models import Case, CaseEvent, CaseFile, DistributionStatus, ScanStatus, Task, TaskLevel
from ..services.cases import _move, _save, locked
from ..services.lifecycle import clock_resume, notify_step, suspend, terminate
from . import planning
from .documents import text_pdf
from .models import JointCase
from .selectors import decided_case

DECISION_EVENT = "joint_decision"  # a 追踪 entry that changes no 流程状态 (routing.admin.case_rows names it)


def _link(case: Case) -> JointCase | None:
    return JointCase.objects.filter(case=case).select_related("application").first()


def prerequisites_open(case: Case) -> bool:
    """Whether ``case`` belongs to a joint application and one of the cases it waits for is not yet 办结."""
    link = JointCase.objects.filter(case=case).first()
    return link is not None and link.waits_for.exclude(case__status__in=planning.DECIDED).exists()


def case_finished(case: Case, *, user) -> None:
    """A case has just finished: hand its decision on, or end what depends on it (nothing if not joint)."""
    link = _link(case)
    if link is None:
        return
    if case.status in planning.DECIDED:
        _hand_off(link, case, user=user)
    elif case.status in states.FINISHED:
        _terminate_dependants(link, case, user=user)


# ---- the decision document -------------------------------------------------------------------------------------
def _title_and_material(case: Case) -> tuple[str, Material | None]:
    code = planning.OUTPUT_DOCUMENTS.get(case.matter.code)
    material = Material.objects.filter(code=code).first() if code else None
    return (material.name if material else f"{case.matter.name}办结通知书"), material


def decision_pdf(case: Case, title: str, application_number: str = "") -> bytes:
    """The one-page decision of a finished case (names masked, as on every screen without full data)."""
    last = CaseEvent.objects.filter(case=case).order_by("-at", "-id").first()
    finished = timezone.localtime(case.finished_at) if case.finished_at else None
    lines = [
        f"受理回执号：{case.receipt_no}",
        f"业务名称：{case.matter.name}（{case.matter.code}）",
        f"申请人：{mask_name(case.applicant_name)}（证件号码 {mask_id_number(case.id_number)}）",
        f"办理结果：{states.STATUS_NAMES.get(case.status, case.status)}",
        f"审核意见：{last.opinion if last and last.opinion else '同意'}",
        f"分管机构：{case.handling_agency.name}（{case.handling_agency.code}）",
        f"办结时间：{finished:%Y-%m-%d %H:%M}" if finished else "办结时间：",
    ]
    if application_number:
        lines.append(f"联办申请编号：{application_number}")
    lines += ["", "本文书由系统在前置事项办结后生成，随联办申请内部流转，无需申请人另行提交。"]
    return text_pdf(title, lines)


class _Document:
    """A decision stored once; ``file_on`` files it on a case by naming the same stored file."""

    def __init__(self, name: str, title: str, material: Material | None, data: bytes):
        self.name, self.title, self.material = name, title, material
        self.size, self.sha256 = len(data), hashlib.sha256(data).hexdigest()

    def file_on(self, case: Case, *, user, source: Case) -> None:
        CaseFile.objects.create(
            case=case,
            material=self.material,
            file=self.name,
            original_name=f"{self.title}（{source.receipt_no}）.pdf",
            content_type="application/pdf",
            size=self.size,
            sha256=self.sha256,
            uploaded_by=user,
        )
        if self.material is not None and self.material.code not in case.received_materials:
            case.received_materials = sorted({*case.received_materials, self.material.code})
        CaseEvent.objects.create(
            case=case,
            action=DECISION_EVENT,
            from_status=case.status,
            to_status=case.status,
            user=user,
            agency=case.handling_agency,
            opinion=f"前置事项{source.matter.name}（{source.receipt_no}）已办结，{self.title}已内部流转",
        )


def _stored_decision(link: JointCase, case: Case) -> _Document:
    """The decision of ``case`` (a case of ``link``), generated and stored the first time it is needed."""
    title, material = _title_and_material(case)
    if link.document:
        with link.document.open("rb") as stored:
            data = stored.read()
        return _Document(link.document.name, link.document_title or title, material, data)
    data = decision_pdf(case, title, link.application.number)
    link.document.save(f"{case.receipt_no}-decision.pdf", ContentFile(data), save=False)
    link.document_title = title
    link.save(update_fields=["document", "document_title"])
    return _Document(link.document.name, title, material, data)


def attach_decided(case: Case, link: JointCase, matters: Iterable[str], *, user) -> None:
    """At submission: the decisions of prerequisites already decided for the person are filed on the new case."""
    for matter in matters:
        source = decided_case(case.id_type, case.id_number, matter)
        if source is None:
            continue
        source_link = _link(source)
        if source_link is not None:
            document = _stored_decision(source_link, source)
        else:
            title, material = _title_and_material(source)
            data = decision_pdf(source, title)
            name = default_storage.save(f"joint/{source.receipt_no}-decision.pdf", ContentFile(data))
            document = _Document(name, title, material, data)
        document.file_on(case, user=user, source=source)
    _save(case, "received_materials")


# ---- 按责办结 ------------------------------------------------------------------------------------------------
def _hand_off(link: JointCase, case: Case, *, user) -> None:
    successors = list(link.successors.select_related("case").order_by("position"))
    if not successors:
        return
    document = _stored_decision(link, case)
    for successor in successors:
        waiting = locked(successor.case.receipt_no)
        if waiting.status not in states.OPEN:
            continue
        document.file_on(waiting, user=user, source=case)
        _save(waiting, "received_materials")
        if waiting.status == states.WAITING and not prerequisites_open(waiting):
            start(waiting, successor, user=user)


def start(case: Case, link: JointCase, *, user) -> None:
    """A waiting case whose prerequisites are all 办结: to its 初审 pool, or 中止 for what the applicant owes."""
    from .materials import owed, suspension_reason

    missing = owed(case, link)
    if missing:
        suspend(case, user=user, reason=suspension_reason(missing))  # its clock stays stopped
        return
    _move(case, states.START, user=user, opinion="前置事项已办结，开始办理", agency=case.handling_agency)
    clock_resume(case)
    case.scan_status = ScanStatus.ELECTRONIC
    case.distribution_status = DistributionStatus.UNASSIGNED
    notify_step(case, SmsEvent.RECEIVED, occurrence="start")
    _save(case, "deadline", "suspended_at", "scan_status", "distribution_status", "sms_status")
    Task.objects.create(case=case, level=TaskLevel.FIRST, agency=case.handling_agency)


def _terminate_dependants(link: JointCase, case: Case, *, user) -> None:
    """Every open case depending on ``case``, however indirectly, is terminated with the reason."""
    last = CaseEvent.objects.filter(case=case).order_by("-at", "-id").first()
    opinion = f"：{last.opinion}" if last and last.opinion else ""
    reason = (
        f"前置事项{case.matter.name}（{case.receipt_no}）{states.STATUS_NAMES.get(case.status, case.status)}"
        f"{opinion}；本事项不再办理"
    )[:300]
    seen = {link.pk}
    frontier = [link]
    while frontier:
        successors = list(
            JointCase.objects.filter(waits_for__in=frontier)
            .exclude(pk__in=seen)
            .select_related("case")
            .distinct()
        )
        frontier = []
        for successor in sorted(successors, key=lambda s: s.position):
            seen.add(successor.pk)
            frontier.append(successor)
            dependant = locked(successor.case.receipt_no)
            if dependant.status in states.OPEN:
                terminate(dependant, user=user, reason=reason)
