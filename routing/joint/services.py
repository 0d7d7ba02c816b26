"""Writes of joint applications (联办申请): submission — checked, split into one case per matter and pushed to each
handling agency (拆包推送); materials handed in later are ``materials``' (``joint_deliver``).

``joint_prepare`` checks the choice (``planning.plan`` over the catalog's rules and the person's decided and
open matters), routes every matter (the engine, as ``case_route``) and gathers the union of the channel's
published checklists; it writes nothing, so the counter shows the union before submitting. ``joint_submit``
then creates the application and, in dependency order, one case per matter through ``case_accept`` (receipts,
the engine's 分管机构, the 受理短信): a case whose prerequisite case is open waits (待前置, no task, its clock
stopped); one whose main materials the applicant still owes is suspended (中止, 中止短信 naming them); the
others go on to the 初审 pool at once. One notice lists everything missing (一次性告知).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Agency, Channel, Material, Region

from .. import states
from ..access import may_accept_at
from ..models import Case
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
    locked,
)
from ..services.lifecycle import clock_stop, suspend
from ..services.scanning import case_submit_electronic
from . import planning
from .handoff import attach_decided
from .materials import JointRefused, owed, record_materials, share_files, suspension_reason
from .models import JointApplication, JointCase
from .selectors import matter_rules, person_matters

MAX_MATTERS = 15  # the joint-handling matters of 000 第三部分


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


@transaction.atomic
def joint_submit(*, request: JointRequest, user) -> JointApplication:
    """Submit a joint application: one case per matter, waiting, suspended or in the 初审 pool as it stands."""
    if not may_accept_at(user, request.accepting_agency):
        raise JointRefused(
            "not_allowed",
            f"您在受理机构 {request.accepting_agency} 没有“受理”权限。",
            field="accepting_agency",
        )
    prepared = joint_prepare(request)
    accepting = Agency.objects.select_related("region").get(code=request.accepting_agency)
    moment = _now()
    region_id = _city_region_id(accepting)
    city = Region.objects.get(pk=region_id).code
    time_limit = settings.JOINT_APPLICATION_DAYS
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
    records = record_materials(application, provided, request.uploads, user=user)
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
        share_files(case, records, user=user)
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
