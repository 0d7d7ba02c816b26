"""Writes of cases: 受理 (with 一次性告知), 补正, 不予受理 — and the 追踪 record every case write shares
(影像扫描 / 后续扫描 / 补扫 and 归档 are in ``scanning``, review tasks in ``tasks``).

Every change of 流程状态 goes through ``_move``: it asks ``states.next_status`` and records a ``CaseEvent``
(追踪), under a row lock of the case, so two clerks acting at once cannot both move it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Agency, Channel, Material, Matter
from catalog.selectors import work_calendar
from catalog.workdays import add_working_days
from config_center.runtime import engine
from config_center.runtime.holder import runtime
from sms_templates.models import SmsEvent

from .. import decisions, identity, states
from ..access import may_accept_at, may_correct
from ..models import Case, CaseEvent, Counter, SmsStatus
from .sms import SmsNotifyRefused, sms_notify

logger = logging.getLogger(__name__)

MAX_MATERIALS = 200  # codes a request may name as received


class CaseRefused(ValueError):
    """A case operation that cannot be done: a reason code for machines and a message for people."""

    def __init__(self, reason_code: str, message: str, *, field: str = ""):
        super().__init__(message)
        self.reason_code, self.message, self.field = reason_code, message, field


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    id_type: str = identity.ID_CARD
    phone: str = ""
    contact: str = ""
    sex: str = ""
    person_code: str = ""


@dataclass(frozen=True)
class Employer:
    code: str = ""
    name: str = ""


@dataclass(frozen=True)
class AcceptRequest:
    matter: str
    channel: str
    accepting_agency: str
    insured_agency: str
    applicant: Applicant
    employer: Employer = Employer()
    injury_date: datetime.date | None = None
    advance_payment: bool = False
    received: Sequence[str] = field(default_factory=tuple)


def _now() -> datetime.datetime:
    """The clock; a seam for tests."""
    return timezone.now()


# ---- numbers ---------------------------------------------------------------------------------------
def _next(key: str) -> int:
    """The next value of a counter, unique across concurrent transactions (an UPDATE takes the row lock)."""
    for _attempt in range(3):
        if Counter.objects.filter(key=key).update(value=F("value") + 1):
            return Counter.objects.get(key=key).value
        try:
            with transaction.atomic():
                Counter.objects.create(key=key, value=1)
            return 1
        except IntegrityError:
            continue  # created by another transaction at the same moment: update it
    raise RuntimeError(f"counter {key} could not be advanced")


def receipt_and_serial(moment: datetime.datetime, city: str) -> tuple[str, str]:
    """A new 受理回执号 (time to the second + a sequence within it) and 业务流水号 (city, day, sequence)."""
    local = timezone.localtime(moment)
    prefix = identity.receipt_prefix(local)
    sequence = _next(f"R{prefix}")
    if sequence > identity.RECEIPT_SEQUENCE_MAX:
        raise CaseRefused("busy", "本秒受理量已达上限，请稍后重试。")
    serial = _next(f"S{city}{local:%y%m%d}")
    return identity.receipt_number(prefix, sequence), f"{city}{local:%y%m%d}{serial:08d}"


# ---- the 追踪 record -----------------------------------------------------------------------------------
def _move(case: Case, action: str, *, user, opinion: str = "", agency: Agency | None = None) -> str:
    """Move ``case`` by ``action`` (or raise ``IllegalTransition``) and record it; the caller saves ``case``."""
    before = case.status if case.pk else states.NEW
    after = states.next_status(before, action)
    case.status = after
    case._pending_events = [
        *getattr(case, "_pending_events", []),
        (action, before, after, user, opinion, agency),
    ]
    return after


def _save(case: Case, *fields: str) -> None:
    if case.pk is None:
        case.save()
    else:
        case.version += 1
        case.save(update_fields=[*dict.fromkeys([*fields, "status", "version"])])
    events = getattr(case, "_pending_events", [])
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            action=action,
            from_status=before,
            to_status=after,
            user=user,
            opinion=opinion,
            agency=agency,
        )
        for action, before, after, user, opinion, agency in events
    )
    case._pending_events = []


def locked(receipt_no: str) -> Case:
    """The case, locked for the rest of the transaction (one writer at a time)."""
    case = Case.objects.select_for_update().filter(receipt_no=receipt_no).first()
    if case is None:
        raise CaseRefused("unknown_case", f"受理回执号 {receipt_no} 不存在。")
    return case


# ---- SMS ---------------------------------------------------------------------------------------------
def case_facts(case: Case) -> dict[str, str]:
    """The placeholder values of a case's SMS (the template decides what is masked)."""
    return {
        "XM": case.applicant_name,
        "CBR": case.applicant_name,
        "SFZH": case.id_number,
        "YWMC": case.matter.name,
        "SLSJ": f"{timezone.localtime(case.accepted_at):%Y年%m月%d日}",
        "SLHZH": case.receipt_no,
        "JBJG": case.handling_agency.name,
    }


def notify(case: Case, event: str, *, region: str, extra: Mapping[str, str] | None = None) -> bool:
    """The SMS of ``event`` from ``region``'s published slot, through the outbox (inside the caller's
    transaction: delivered only if it commits); False when nothing is configured or there is no phone."""
    if not case.phone:
        return False
    try:
        message = sms_notify(
            event=event,
            matter=case.matter.code,
            region=region,
            recipient=case.phone,
            case_reference=case.receipt_no,
            facts={**case_facts(case), **(extra or {})},
        )
    except SmsNotifyRefused as refusal:
        logger.info("SMS %s of %s not sent: %s", event, case.receipt_no, refusal.message)
        return False
    if message is not None:
        case.sms_status = SmsStatus.SENT
        return True
    return False


# ---- 受理 ----------------------------------------------------------------------------------------------
def _refused_by_engine(answer: engine.Refusal) -> CaseRefused:
    return CaseRefused(answer.reason_code, answer.message)


def _check_applicant(applicant: Applicant) -> None:
    if not applicant.name.strip() or len(applicant.name) > 50:
        raise CaseRefused("invalid_name", "请填写申请人姓名（不超过 50 个字）。", field="applicant_name")
    problem = identity.id_number_problem(applicant.id_type, applicant.id_number)
    if problem:
        raise CaseRefused("invalid_id_number", problem, field="id_number")
    if applicant.phone and not (applicant.phone.isdigit() and 7 <= len(applicant.phone) <= 20):
        raise CaseRefused("invalid_phone", "联系电话应为 7 至 20 位数字。", field="phone")


@dataclass(frozen=True)
class Routed:
    """What the engine answered for a case about to be accepted: where it goes and what it asks for."""

    handling_agency: Agency
    remote: bool
    region: str
    release: int
    time_limit_days: int
    review_levels: int
    required: tuple[dict, ...]  # [{code, name, kind}] — the main materials of the channel's checklist
    optional: tuple[dict, ...]  # auxiliary and application-item materials (asked when they apply)


def case_route(request: AcceptRequest) -> Routed:
    """Route a case and read the handling city's published checklist for its channel (nothing written)."""
    if len(request.received) > MAX_MATERIALS:
        raise CaseRefused("too_many_materials", f"材料编码最多 {MAX_MATERIALS} 个。")
    snap = runtime.snapshot()
    answer = decisions.route(
        snap,
        matter=request.matter,
        accepting_agency=request.accepting_agency,
        insured_agency=request.insured_agency,
        injury_date=request.injury_date or timezone.localdate(),
        advance_payment=request.advance_payment,
    )
    if isinstance(answer, engine.Refusal):
        raise _refused_by_engine(answer)
    region = snap.agencies[answer.handling_agency].config_region
    lists = engine.checklist(snap, matter=request.matter, region=region, channel=request.channel)
    if isinstance(lists, engine.Refusal):
        raise _refused_by_engine(lists)
    required = tuple({"code": m.code, "name": m.name, "kind": "main"} for m in lists.main)
    optional = tuple(
        [
            {"code": a.material_code, "name": f"{a.name}：{a.material_name}", "kind": "auxiliary"}
            for a in lists.auxiliary
        ]
        + [
            {"code": a.material_code, "name": f"{a.name}：{a.material_name}", "kind": "application"}
            for a in lists.application_items
        ]
    )
    return Routed(
        handling_agency=Agency.objects.select_related("region").get(code=answer.handling_agency),
        remote=answer.remote,
        region=region,
        release=answer.release,
        time_limit_days=lists.time_limit_days,
        review_levels=lists.review_levels,
        required=required,
        optional=optional,
    )


@transaction.atomic
def case_accept(
    *, request: AcceptRequest, user, refuse_reason: str = "", allow_missing: bool = False
) -> Case:
    """受理: route, check the applicant, number the case and record what was received. Incomplete → 待补正
    with every missing material listed at once (一次性告知); complete → 已受理 and the accepting city's
    受理短信. ``refuse_reason`` records a 不予受理 instead (its notice needs a number too). ``allow_missing``:
    accepted (已受理) whatever is missing — a joint application's case, which the application suspends itself
    for what the applicant owes (000 第四部分 2)."""
    _check_applicant(request.applicant)
    routed = case_route(request)
    if not may_accept_at(user, request.accepting_agency):
        raise CaseRefused(
            "not_allowed",
            f"您在受理机构 {request.accepting_agency} 没有“受理”权限。",
            field="accepting_agency",
        )
    accepting = Agency.objects.select_related("region").filter(code=request.accepting_agency).first()
    insured = Agency.objects.select_related("region").get(code=request.insured_agency)
    channel = Channel.objects.filter(code=request.channel, is_active=True).first()
    if channel is None:
        raise CaseRefused("unknown_channel", f"办理渠道 {request.channel} 不存在。")
    matter = Matter.objects.get(code=request.matter)
    known = set(Material.objects.filter(code__in=request.received).values_list("code", flat=True))
    unknown = sorted(set(request.received) - known)
    if unknown:
        raise CaseRefused("unknown_material", f"材料编码 {'、'.join(unknown)} 不存在。")
    moment = _now()
    receipt_no, serial_no = receipt_and_serial(moment, routed.region)
    calendar = work_calendar()
    applicant = request.applicant
    sex = applicant.sex
    if not sex and applicant.id_type == identity.ID_CARD:
        sex = identity.sex_from_id_card(applicant.id_number.upper())
    case = Case(
        receipt_no=receipt_no,
        serial_no=serial_no,
        matter=matter,
        applicant_name=applicant.name.strip(),
        applicant_sex=sex,
        id_type=applicant.id_type,
        id_number=applicant.id_number.strip().upper(),
        person_code=applicant.person_code,
        phone=applicant.phone,
        contact=applicant.contact,
        employer_code=request.employer.code,
        employer_name=request.employer.name,
        insured_agency=insured,
        insured_region_id=_city_region_id(insured),
        accepting_agency=accepting,
        accepting_region_id=_city_region_id(accepting),
        accepted_by=user,
        handling_agency=routed.handling_agency,
        handling_region_id=_city_region_id(routed.handling_agency),
        channel=channel,
        remote=routed.remote,
        injury_date=request.injury_date,
        advance_payment=request.advance_payment,
        accepted_at=moment,
        time_limit_days=routed.time_limit_days,
        deadline=add_working_days(timezone.localtime(moment).date(), routed.time_limit_days, calendar),
        review_levels=routed.review_levels,
        release_region=routed.region,
        release_number=routed.release,
        required_materials=list(routed.required),
        received_materials=sorted(known),
    )
    if refuse_reason:
        case.refusal_reason = refuse_reason[:300]
        case.finished_at = moment
        _move(case, states.REFUSE, user=user, opinion=case.refusal_reason, agency=accepting)
    elif case.missing_materials and not allow_missing:
        _move(case, states.ACCEPT_INCOMPLETE, user=user, opinion=_missing_text(case), agency=accepting)
    else:
        _move(case, states.ACCEPT, user=user, agency=accepting)
        notify(case, SmsEvent.ACCEPTED, region=accepting_city(case))
    _save(case)
    return case


def _city_region_id(agency: Agency) -> int:
    """The region an agency's cases are counted in: its city (a county's or a 网点's city), or the province."""
    region = agency.region
    if region.level == "county" and region.parent_id:
        return region.parent_id
    return region.pk


def accepting_city(case: Case) -> str:
    """The city whose configuration speaks for the accepting side (its 受理短信)."""
    return case.accepting_region.code


def _missing_text(case: Case) -> str:
    return "须补充：" + "、".join(f"{item['name']}（{item['code']}）" for item in case.missing_materials)


@transaction.atomic
def case_correct(*, receipt_no: str, user, received: Iterable[str]) -> Case:
    """补正: add materials received; once nothing is missing the case is 已受理 (and its 受理短信 goes out)."""
    case = locked(receipt_no)
    codes = set(received)
    if len(codes) > MAX_MATERIALS:
        raise CaseRefused("too_many_materials", f"材料编码最多 {MAX_MATERIALS} 个。")
    if case.status != states.PENDING_CORRECTION:
        raise states.IllegalTransition(case.status, states.CORRECT)
    if not may_correct(user, case):
        raise CaseRefused("not_allowed", "只有受理地或办理地持有“受理”权限的人员可以补正。")
    case.received_materials = sorted(set(case.received_materials) | codes)
    if not case.missing_materials:
        _move(case, states.CORRECT, user=user, agency=case.accepting_agency)
        notify(case, SmsEvent.ACCEPTED, region=accepting_city(case))
    _save(case, "received_materials", "sms_status")
    return case


@transaction.atomic
def case_refuse(*, receipt_no: str, user, reason: str) -> Case:
    """不予受理 of a case waiting for 补正 (the counter refuses a new one through ``case_accept``)."""
    if not reason.strip():
        raise CaseRefused("reason_required", "请填写不予受理的原因。", field="reason")
    case = locked(receipt_no)
    if not may_correct(user, case):
        raise CaseRefused("not_allowed", "只有受理地或办理地持有“受理”权限的人员可以不予受理。")
    _move(case, states.REFUSE, user=user, opinion=reason[:300], agency=case.accepting_agency)
    case.refusal_reason, case.finished_at = reason[:300], _now()
    _save(case, "refusal_reason", "finished_at")
    return case
