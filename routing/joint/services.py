"""Writes of joint applications (联办申请): submission — checked, split into one case per matter and pushed to each
handling agency (拆包推送) — and materials handed in later.

``joint_prepare`` checks the choice (``planning.plan`` over the catalog's rules and the person's decided and
open matters), routes every matter (the engine, as ``case_route``) and gathers the union of the channel's
published checklists; it writes nothing, so the counter shows the union before submitting. ``joint_submit``
then creates the application and, in dependency order, one case per matter through ``case_accept`` (receipts,
the engine's 分管机构, the 受理短信): a case whose prerequisite case is open waits (待前置, no task, its clock
stopped); one whose main materials the applicant still owes is suspended (中止, 中止短信 naming them); the
others go on to the 初审 pool at once. One notice lists everything missing (一次性告知). ``joint_deliver``
records materials handed in later; the cases they complete resume (恢复办理) and the others go on as they were.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalog.models import Agency, Channel, Material
from permissions.selectors import agency_codes_for
from sms_templates.models import SmsEvent

from .. import files, states
from ..models import Case, CaseEvent, CaseFile, ScanStatus
from ..services.cases import (
    MAX_MATERIALS,
    AcceptRequest,
    Applicant,
    CaseRefused,
    Employer,
    Routed,
    _city_region_id,
    _move,
    _next,
    _save,
    case_accept,
    case_route,
    case_submit_electronic,
    locked,
)
from ..services.lifecycle import clock_stop, notify_step, resume, suspend
from . import planning
from .handoff import attach_decided, prerequisites_open
from .models import JointApplication, JointCase, JointMaterial
from .selectors import matter_rules, person_matters

MAX_MATTERS = 15  # the joint-handling matters of 000 第三部分
DEFAULT_DAYS = (
    30  # 001: from application to payment "最长不超过 30 天" (calendar days); JOINT_APPLICATION_DAYS
)
ACCEPT = "permissions.accept_case"
REVIEW = ("permissions.first_review", "permissions.second_review")
MATERIALS_EVENT = (
    "joint_materials"  # a 追踪 entry that changes no 流程状态 (routing.admin.case_rows names it)
)


class JointRefused(CaseRefused):
    """A joint application that cannot be submitted: reason code, message naming the matters, and details."""

    def __init__(self, reason_code: str, message: str, *, details: Sequence[dict] = (), field: str = ""):
        super().__init__(reason_code, message, field=field)
        self.details = list(details)


@dataclass(frozen=True)
class JointRequest:
    matters: Sequence[str]
    channel: str
    accepting_agency: str
    insured_agency: str
    applicant: Applicant
    employer: Employer = Employer()
    injury_date: datetime.date | None = None
    materials: Sequence[str] = ()  # codes handed in (with or without a file)
    uploads: Mapping[str, object] = field(default_factory=dict)  # material code → uploaded file


@dataclass(frozen=True)
class Prepared:
    """What a submission would do: the plan, each matter routed, the union of materials and what is missing."""

    plan: planning.Plan
    routed: Mapping[str, Routed]
    union: tuple[planning.MaterialNeed, ...]
    missing: tuple[planning.MaterialNeed, ...]
    names: Mapping[str, str]  # matter code → name

    @property
    def notice(self) -> str:
        return planning.notice_text(self.missing, self.names)


def _now() -> datetime.datetime:
    """The clock; a seam for tests."""
    return timezone.now()


# ---- checking ----------------------------------------------------------------------------------------------
def _accept_request(request: JointRequest, matter: str, received: Sequence[str] = ()) -> AcceptRequest:
    return AcceptRequest(
        matter=matter,
        channel=request.channel,
        accepting_agency=request.accepting_agency,
        insured_agency=request.insured_agency,
        applicant=request.applicant,
        employer=request.employer,
        injury_date=request.injury_date,
        received=tuple(received),
    )


def _checklist(routed: Routed, names: Mapping[str, str]) -> list[planning.ChecklistItem]:
    items = [
        planning.ChecklistItem(item["code"], names.get(item["code"], item["name"]), True)
        for item in routed.required
    ]
    items += [
        planning.ChecklistItem(item["code"], names.get(item["code"], item["name"]), False)
        for item in routed.optional
    ]
    return items


def joint_prepare(request: JointRequest) -> Prepared:
    """Check the choice and route every matter; nothing is written. Refuses with every problem named."""
    if len(request.matters) > MAX_MATTERS:
        raise JointRefused("too_many_matters", f"一次联办申请最多 {MAX_MATTERS} 个事项。", field="matters")
    if len(request.materials) > MAX_MATERIALS:
        raise JointRefused("too_many_materials", f"材料编码最多 {MAX_MATERIALS} 个。", field="materials")
    rules = matter_rules()
    decided, still_open = person_matters(request.applicant.id_type, request.applicant.id_number)
    answer = planning.plan(request.matters, rules, decided=decided, open_elsewhere=still_open)
    if not answer.ok:
        raise JointRefused(
            answer.reason_code,
            answer.message,
            details=[problem.as_dict() for problem in answer.problems],
            field="matters",
        )
    routed: dict[str, Routed] = {}
    for planned in answer.cases:
        try:
            routed[planned.matter] = case_route(_accept_request(request, planned.matter))
        except CaseRefused as refused:
            name = rules[planned.matter].name
            raise JointRefused(
                refused.reason_code,
                f"{name}（{planned.matter}）：{refused.message}",
                details=[
                    {
                        "reason_code": refused.reason_code,
                        "matter": planned.matter,
                        "others": [],
                        "message": refused.message,
                    }
                ],
                field=refused.field,
            ) from None
    codes = {item["code"] for r in routed.values() for item in (*r.required, *r.optional)}
    material_names = dict(
        Material.objects.filter(code__in=codes | set(request.materials)).values_list("code", "name")
    )
    unknown = [code for code in request.materials if code not in material_names]
    if unknown:
        raise JointRefused("unknown_material", f"材料编码 {'、'.join(unknown)} 不存在。", field="materials")
    foreign = [code for code in request.materials if code not in codes]
    if foreign:
        raise JointRefused(
            "not_in_checklist",
            f"材料 {'、'.join(foreign)} 不在所选事项的材料清单中。",
            field="materials",
        )
    union = planning.material_union(
        answer, {matter: _checklist(r, material_names) for matter, r in routed.items()}
    )
    return Prepared(
        plan=answer,
        routed=routed,
        union=union,
        missing=planning.missing_materials(union, request.materials),
        names={code: rule.name for code, rule in rules.items()},
    )


def _number(moment: datetime.datetime, city: str) -> str:
    """联办申请编号: LB, the accepting city, the day and a sequence within it."""
    local = timezone.localtime(moment)
    return f"LB{city}{local:%y%m%d}{_next(f'J{city}{local:%y%m%d}'):04d}"


# ---- materials -----------------------------------------------------------------------------------------------
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


def _record_materials(
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


def _share_files(case: Case, records: Sequence[JointMaterial], *, user) -> None:
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
@transaction.atomic
def joint_submit(*, request: JointRequest, user) -> JointApplication:
    """Submit a joint application: one case per matter, waiting, suspended or in the 初审 pool as it stands."""
    if not (user.is_active and _holds(user, {request.accepting_agency}, ACCEPT)):
        raise JointRefused(
            "not_allowed",
            f"您在受理机构 {request.accepting_agency} 没有“受理”权限。",
            field="accepting_agency",
        )
    prepared = joint_prepare(request)
    accepting = Agency.objects.select_related("region", "region__parent").get(code=request.accepting_agency)
    moment = _now()
    region_id = _city_region_id(accepting)
    city = accepting.region.parent.code if accepting.region.level == "county" else accepting.region.code
    time_limit = int(getattr(settings, "JOINT_APPLICATION_DAYS", DEFAULT_DAYS))
    application = JointApplication.objects.create(
        number=_number(moment, city),
        applicant_name=request.applicant.name.strip(),
        id_type=request.applicant.id_type,
        id_number=request.applicant.id_number.strip().upper(),
        phone=request.applicant.phone,
        contact=request.applicant.contact,
        employer_code=request.employer.code,
        employer_name=request.employer.name,
        channel=Channel.objects.get(code=request.channel),
        accepting_agency=accepting,
        accepting_region_id=region_id,
        insured_agency=Agency.objects.get(code=request.insured_agency),
        injury_date=request.injury_date,
        submitted_by=user,
        submitted_at=moment,
        time_limit_days=time_limit,
        deadline=timezone.localtime(moment).date() + datetime.timedelta(days=time_limit),
        notice=prepared.notice,
        materials_completed_at=None if prepared.missing else moment,
    )
    provided = list(dict.fromkeys(request.materials))
    records = _record_materials(application, provided, request.uploads, user=user)
    links: dict[str, JointCase] = {}
    for position, planned in enumerate(prepared.plan.cases, start=1):
        routed = prepared.routed[planned.matter]
        listed = {item["code"] for item in (*routed.required, *routed.optional)}
        case = case_accept(
            request=_accept_request(request, planned.matter, [c for c in provided if c in listed]),
            user=user,
            allow_missing=True,
        )
        link = JointCase.objects.create(
            application=application,
            case=case,
            position=position,
            internal_materials=list(planned.internal_materials),
        )
        link.waits_for.set([links[matter] for matter in planned.waits_for])
        links[planned.matter] = link
        _share_files(case, records, user=user)
        attach_decided(case, link, planned.decided, user=user)
        _set_going(case, link, waiting=bool(planned.waits_for), user=user)
    return application


def _set_going(case: Case, link: JointCase, *, waiting: bool, user) -> None:
    """A new case of the application: 待前置, 中止 for what the applicant owes, or on to the 初审 pool."""
    case = locked(case.receipt_no)
    if waiting:
        _move(case, states.WAIT, user=user, opinion="等待前置事项办结", agency=case.handling_agency)
        clock_stop(case)
        _save(case, "suspended_at")
        return
    missing = owed(case, link)
    if missing:
        suspend(case, user=user, reason=suspension_reason(missing))
        return
    case_submit_electronic(receipt_no=case.receipt_no, user=user)


# ---- materials handed in later ---------------------------------------------------------------------------------
def _holds(user, agencies: set[str], *perms: str) -> bool:
    """Whether ``user`` holds one of ``perms`` at one of ``agencies`` (codes)."""
    for perm in perms:
        codes = agency_codes_for(user, perm)
        if codes is None or codes & agencies:
            return True
    return False


def may_deliver(user, application: JointApplication) -> bool:
    """受理 at the accepting agency, or 受理 / 初审 / 复审 at a handling agency of its cases."""
    if not user.is_active:
        return False
    handling = set(application.links.values_list("case__handling_agency__code", flat=True))
    return _holds(user, {application.accepting_agency.code}, ACCEPT) or _holds(
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
    records = _record_materials(application, codes, uploads, user=user)
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
    _share_files(case, [r for r in records if r.material.code in new], user=user)
    occurrence = str(CaseEvent.objects.filter(case=case, action=MATERIALS_EVENT).count())
    notify_step(case, SmsEvent.RECEIVED, occurrence=occurrence)
    resumes = case.status == states.SUSPENDED and owed_before and not owed(case, link)
    if resumes:
        case.scan_status = ScanStatus.ELECTRONIC
    _save(case, "received_materials", "sms_status", "scan_status")
    if resumes:
        resume(case, user=user, opinion="联办申请材料已补齐，恢复办理", waiting=prerequisites_open(case))
