"""全省通办业务移交 (003 附件 4): a transfer is itself a case, of matter 全省通办业务移交, with its own receipt,
scan, 初审 and 复审 in the chosen agency's pools. While it is open, the case it moves cannot be transferred
again nor reviewed. When it is 办结, the moved case's 分管机构 becomes the chosen agency and it goes back to that
agency's 初审 pool (已扫描; any task it had is withdrawn); a rejected transfer changes nothing on it. Both
cases' 追踪 show the transfer.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalog.models import Agency, Channel, Matter, Region
from catalog.selectors import work_calendar
from catalog.workdays import add_working_days
from permissions.selectors import agency_codes_for

from .. import states
from ..models import Case, CaseEvent, DistributionStatus, Task, TaskLevel
from ..selectors import cases_for
from .cases import CaseRefused, _city_region_id, _move, _now, _save, locked, receipt_and_serial
from .tasks import withdraw_tasks

TRANSFER_MATTER = "GS0401"
TRANSFER_PERMISSION = "permissions.transfer_case"
TRANSFER_CHANNEL = "counter"
MAX_REASON = 300


def is_transfer(case: Case) -> bool:
    return case.target_case_id is not None


def open_transfer_of(case: Case) -> Case | None:
    return Case.objects.filter(target_case=case, status__in=states.OPEN).first()


def _accepting_agency(user) -> Agency:
    """Where a supervisor's transfer is accepted: their agency holding 业务移交 (a superuser: the province's)."""
    codes = agency_codes_for(user, TRANSFER_PERMISSION)
    if codes is not None and not codes:
        raise CaseRefused("not_allowed", "您没有“业务移交”权限。")
    code = sorted(codes)[0] if codes else "440099"
    return Agency.objects.select_related("region", "region__parent").get(code=code)


@transaction.atomic
def transfer_submit(*, user, receipt_no: str, target_agency: str, reason: str) -> Case:
    """Accept a transfer of the open case ``receipt_no`` to ``target_agency`` (the new 审核机构)."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseRefused("reason_required", "请填写移交原因。", field="reason")
    if len(reason) > MAX_REASON:
        raise CaseRefused("reason_too_long", f"移交原因不能超过 {MAX_REASON} 字。", field="reason")
    accepting = _accepting_agency(user)
    if not cases_for(user, TRANSFER_PERMISSION).filter(receipt_no=receipt_no).exists():
        raise CaseRefused("unknown_case", f"受理回执号 {receipt_no} 不存在。", field="receipt_no")
    case = locked(receipt_no)
    if is_transfer(case):
        raise CaseRefused("not_allowed", "移交业务本身不能再移交。", field="receipt_no")
    if case.status not in states.OPEN or case.status == states.PENDING_CORRECTION:
        raise CaseRefused("case_finished", "只能移交已受理、尚未办结的业务。", field="receipt_no")
    if case.status == states.WAITING:
        raise CaseRefused(
            "case_waiting", "该业务在等待前置事项办结（待前置），开始办理后才能移交。", field="receipt_no"
        )
    if open_transfer_of(case) is not None:
        raise CaseRefused("transfer_open", "该业务已有一笔未办结的移交，不能再次移交。", field="receipt_no")
    target = (
        Agency.objects.select_related("region", "region__parent")
        .filter(code=target_agency, is_active=True)
        .first()
    )
    if target is None:
        raise CaseRefused("unknown_agency", f"审核机构 {target_agency} 不存在。", field="target_agency")
    if target.pk == case.handling_agency_id:
        raise CaseRefused("same_agency", "目标审核机构与当前分管机构相同。", field="target_agency")
    matter = Matter.objects.get(code=TRANSFER_MATTER)
    moment = _now()
    region_id = _city_region_id(target)
    receipt, serial = receipt_and_serial(moment, Region.objects.get(pk=region_id).code)
    transfer = Case(
        receipt_no=receipt,
        serial_no=serial,
        matter=matter,
        applicant_name=case.applicant_name,
        applicant_sex=case.applicant_sex,
        id_type=case.id_type,
        id_number=case.id_number,
        person_code=case.person_code,
        phone="",  # the applicant is not told of an internal transfer by SMS
        contact=case.contact,
        employer_code=case.employer_code,
        employer_name=case.employer_name,
        insured_agency=case.insured_agency,
        insured_region=case.insured_region,
        accepting_agency=accepting,
        accepting_region_id=_city_region_id(accepting),
        accepted_by=user,
        handling_agency=target,
        handling_region_id=region_id,
        channel=Channel.objects.get(code=TRANSFER_CHANNEL),
        accepted_at=moment,
        time_limit_days=matter.default_time_limit_days,
        deadline=add_working_days(
            timezone.localtime(moment).date(), matter.default_time_limit_days, work_calendar()
        ),
        review_levels=2,
        release_region=case.release_region,
        release_number=0,  # a transfer follows annex 4, not a city's published configuration
        target_case=case,
        target_agency=target,
    )
    _move(transfer, states.ACCEPT, user=user, opinion=reason, agency=accepting)
    _save(transfer)
    CaseEvent.objects.create(
        case=case,
        action="transfer_opened",
        from_status=case.status,
        to_status=case.status,
        user=user,
        agency=accepting,
        opinion=f"全省通办业务移交 {transfer.receipt_no}：移交至 {target.name}；原因：{reason}",
    )
    return transfer


def transfer_finish(transfer: Case, *, user) -> None:
    """A transfer has reached 办结 (inside the review's transaction): move the case it names."""
    case = locked(transfer.target_case.receipt_no)
    withdraw_tasks(case)
    old = case.handling_agency
    _move(
        case,
        states.REASSIGN,
        user=user,
        agency=transfer.target_agency,
        opinion=f"全省通办业务移交 {transfer.receipt_no} 办结：分管机构由 {old.name} 变更为 {transfer.target_agency.name}",
    )
    case.handling_agency = transfer.target_agency
    case.handling_region_id = _city_region_id(transfer.target_agency)
    case.distribution_status = DistributionStatus.UNASSIGNED
    _save(case, "handling_agency", "handling_region", "distribution_status")
    Task.objects.create(case=case, level=TaskLevel.FIRST, agency=case.handling_agency)


def transfer_rejected(transfer: Case, *, user, opinion: str) -> None:
    """A transfer was refused at review: the case it names stays as it was; its 追踪 says so."""
    CaseEvent.objects.create(
        case=transfer.target_case,
        action="transfer_rejected",
        from_status=transfer.target_case.status,
        to_status=transfer.target_case.status,
        user=user,
        agency=transfer.handling_agency,
        opinion=f"全省通办业务移交 {transfer.receipt_no} 审核不通过：{opinion}",
    )
