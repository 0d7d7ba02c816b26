"""The materials of a joint application: handed in once (a ``JointMaterial`` each, its file stored once and filed
on every case that needs it by naming the same stored file), what each case still owes the applicant (its
prerequisites' decisions come internally), and materials handed in later (补正): the cases they complete resume
(back to 待前置 if their prerequisites are still open), the others go on as they were; 收件短信.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalog.models import Material
from sms_templates.models import SmsEvent

from .. import files, states
from ..access import ACCEPT, REVIEW, may_work_at
from ..models import Case, CaseEvent, CaseFile, ScanStatus
from ..services.cases import MAX_MATERIALS, CaseRefused, _save, locked
from ..services.lifecycle import notify_step, resume
from . import planning
from .handoff import prerequisites_open
from .models import JointApplication, JointCase, JointMaterial

# A 追踪 entry that changes no 流程状态 (routing.admin.case_rows names it).
MATERIALS_EVENT = "joint_materials"


def _now():
    """The clock; a seam for tests."""
    return timezone.now()


class JointRefused(CaseRefused):
    """A joint application that cannot be submitted: reason code, message naming the matters, and details."""

    def __init__(self, reason_code: str, message: str, *, details: Sequence[dict] = (), field: str = ""):
        super().__init__(reason_code, message, field=field)
        self.details = list(details)


def _checked_uploads(uploads: Mapping[str, object]) -> dict[str, tuple[object, bytes]]:
    """Every file judged before any is stored (a refused upload leaves nothing behind)."""
    checked = {}
    for code, upload in uploads.items():
        data = upload.read(settings.CASE_FILE_MAX_BYTES + 1)
        problem = files.upload_problem(upload.name, data, max_bytes=settings.CASE_FILE_MAX_BYTES)
        if problem:
            raise JointRefused("bad_file", f"{upload.name}：{problem}", field="files")
        checked[code] = (upload, data)
    return checked


def record_materials(
    application: JointApplication, codes: Sequence[str], uploads: Mapping[str, object], *, user
) -> list[JointMaterial]:
    """One ``JointMaterial`` per code not yet recorded, its file (if any) stored once."""
    checked = _checked_uploads({code: upload for code, upload in uploads.items() if code in codes})
    have = set(application.materials.values_list("material__code", flat=True))
    by_code = Material.objects.in_bulk([code for code in codes if code not in have], field_name="code")
    recorded = []
    for code in codes:
        if code in have or code not in by_code:
            continue
        record = JointMaterial(application=application, material=by_code[code], received_by=user)
        if code in checked:
            upload, data = checked[code]
            kind = files.content_type_of(data)
            record.original_name, record.content_type = str(upload.name)[:200], kind
            record.size, record.sha256 = len(data), hashlib.sha256(data).hexdigest()
            record.file.save(files.stored_name(application.number, kind), ContentFile(data), save=False)
        record.save()
        recorded.append(record)
    return recorded


def share_files(case: Case, records: Sequence[JointMaterial], *, user) -> None:
    """Each stored file the case's checklist asks for becomes one of its files: the same stored file, by name."""
    asked = {item["code"] for item in case.required_materials} | set(case.received_materials)
    CaseFile.objects.bulk_create(
        CaseFile(
            case=case,
            material=record.material,
            file=record.file.name,
            original_name=record.original_name,
            content_type=record.content_type,
            size=record.size,
            sha256=record.sha256,
            uploaded_by=user,
        )
        for record in records
        if record.file and record.material.code in asked
    )


def owed(case: Case, link: JointCase) -> list[str]:
    """The main materials the applicant still owes this case (its prerequisites' decisions come internally)."""
    return planning.owed_by_applicant(
        [item["code"] for item in case.missing_materials], link.internal_materials
    )


def _owed_text(codes: Sequence[str]) -> str:
    names = dict(Material.objects.filter(code__in=codes).values_list("code", "name"))
    return "、".join(f"{names.get(code, code)}（{code}）" for code in codes)


def suspension_reason(codes: Sequence[str]) -> str:
    return f"联办申请材料不全，须补充：{_owed_text(codes)}"[:300]


# ---- submission ----------------------------------------------------------------------------------------------


# ---- materials handed in later ---------------------------------------------------------------------------------
def may_deliver(user, application: JointApplication) -> bool:
    """受理 at the accepting agency, or 受理 / 初审 / 复审 at a handling agency of its cases."""
    handling = set(application.links.values_list("case__handling_agency__code", flat=True))
    return may_work_at(user, {application.accepting_agency.code}, ACCEPT) or may_work_at(
        user, handling, ACCEPT, *REVIEW
    )


@transaction.atomic
def joint_deliver(
    *,
    application: JointApplication,
    user,
    materials: Sequence[str],
    uploads: Mapping[str, object] | None = None,
) -> JointApplication:
    """Record materials handed in for a submitted application (补正): every open case that lists them receives
    them; a case suspended for what it owed and owing nothing now resumes (back to 待前置 if its prerequisites
    are still open); the others go on as they were."""
    uploads = uploads or {}
    codes = list(dict.fromkeys([*materials, *uploads]))
    if not codes:
        raise JointRefused("materials_required", "请选择收到的材料。", field="materials")
    if len(codes) > MAX_MATERIALS:
        raise JointRefused("too_many_materials", f"材料编码最多 {MAX_MATERIALS} 个。", field="materials")
    if not may_deliver(user, application):
        raise JointRefused("not_allowed", "只有受理机构或分管机构的经办人员可以为联办申请补正材料。")
    application = JointApplication.objects.select_for_update().get(pk=application.pk)
    known = set(Material.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise JointRefused("unknown_material", f"材料编码 {'、'.join(unknown)} 不存在。", field="materials")
    links = list(
        JointCase.objects.filter(application=application).select_related("case").order_by("position")
    )
    asked = {item["code"] for link in links for item in link.case.required_materials}
    foreign = [code for code in codes if code not in asked]
    if foreign:
        raise JointRefused(
            "not_in_checklist",
            f"材料 {'、'.join(foreign)} 不是本联办申请任何事项的必交材料（其他材料请在各业务补扫）。",
            field="materials",
        )
    records = record_materials(application, codes, uploads, user=user)
    for link in links:
        _deliver_to(link, codes, records, user=user)
    if not application.materials_completed_at and not any(
        owed(link.case, link)
        for link in JointCase.objects.filter(application=application).select_related("case")
    ):
        application.materials_completed_at = _now()
        application.save(update_fields=["materials_completed_at"])
    return application


def _deliver_to(link: JointCase, codes: Sequence[str], records: Sequence[JointMaterial], *, user) -> None:
    case = locked(link.case.receipt_no)
    if case.status not in states.OPEN:
        return
    asked = {item["code"] for item in case.required_materials}
    new = [code for code in codes if code in asked and code not in case.received_materials]
    if not new:
        return
    owed_before = owed(case, link)
    case.received_materials = sorted({*case.received_materials, *new})
    CaseEvent.objects.create(
        case=case,
        action=MATERIALS_EVENT,
        from_status=case.status,
        to_status=case.status,
        user=user,
        agency=case.accepting_agency,
        opinion=f"联办申请收到材料：{_owed_text(new)}",
    )
    share_files(case, [r for r in records if r.material.code in new], user=user)
    occurrence = str(CaseEvent.objects.filter(case=case, action=MATERIALS_EVENT).count())
    notify_step(case, SmsEvent.RECEIVED, occurrence=occurrence)
    resumes = case.status == states.SUSPENDED and owed_before and not owed(case, link)
    if resumes:
        case.scan_status = ScanStatus.ELECTRONIC
    _save(case, "received_materials", "sms_status", "scan_status")
    if resumes:
        resume(case, user=user, opinion="联办申请材料已补齐，恢复办理", waiting=prerequisites_open(case))
