"""疑难案件 and jurisdiction (003 附件 2 三(五)): a handling agency that finds a case is not its own pushes it to
the competent agency — within 1 working day of acceptance (later pushes are allowed, flagged on the case). The
receiving agency may not push it on: it can only escalate to the common superior agency (the agency tree),
which decides where it belongs; that decision is final. While escalated the case is 中止 (its clock stops).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalog.models import Agency
from catalog.selectors import work_calendar
from catalog.tree import AgencyTreeError, common_superior
from catalog.workdays import add_working_days

from .. import states
from ..access import agencies_holding
from ..models import Case, DistributionStatus, Task, TaskLevel
from .cases import CaseRefused, _city_region_id, _move, _save, locked
from .lifecycle import _reason, clock_resume
from .tasks import withdraw_tasks

REVIEW_PERMISSIONS = ("permissions.first_review", "permissions.second_review")
DECIDE_PERMISSIONS = (*REVIEW_PERMISSIONS, "permissions.transfer_case")
PUSH_WITHIN_WORKING_DAYS = 1


def _require_staff_of(user, agency: Agency, perms, what: str) -> None:
    agencies = agencies_holding(user, *perms)
    if agencies is not None and agency.code not in agencies:
        raise CaseRefused("not_allowed", f"只有{agency.name}的审核人员可以{what}。")


def _agency(code: str) -> Agency:
    agency = Agency.objects.select_related("region").filter(code=code, is_active=True).first()
    if agency is None:
        raise CaseRefused("unknown_agency", f"经办机构 {code} 不存在。", field="target_agency")
    return agency


def _hand_over(case: Case, agency: Agency, *, user, opinion: str) -> None:
    """The case goes to ``agency``'s 初审 pool (已扫描); whatever task it had is withdrawn."""
    withdraw_tasks(case)
    clock_resume(case)
    _move(case, states.REASSIGN, user=user, agency=agency, opinion=opinion)
    case.handling_agency = agency
    case.handling_region_id = _city_region_id(agency)
    case.distribution_status = DistributionStatus.UNASSIGNED


@transaction.atomic
def case_push(*, user, receipt_no: str, target_agency: str, reason: str) -> Case:
    """移送: the handling agency's reviewer sends the case to the competent agency (once)."""
    reason = _reason(reason)
    case = locked(receipt_no)
    _require_staff_of(user, case.handling_agency, REVIEW_PERMISSIONS, "移送该业务")
    if case.status not in states.OPEN or case.status == states.PENDING_CORRECTION:
        raise CaseRefused("case_finished", "只能移送已受理、尚未办结的业务。")
    if case.jurisdiction_final:
        raise CaseRefused("jurisdiction_final", "共同上级经办机构已决定管辖，不能再移送。")
    if case.pushed_from_id is not None:
        raise CaseRefused(
            "already_pushed",
            "受移送的业务不得再自行移送；认为不属于本机构管辖的，请报请共同上级经办机构指导。",
        )
    if case.escalated_to_id is not None:
        raise CaseRefused("escalated", "该业务正在报请共同上级经办机构指导。")
    target = _agency(target_agency)
    if target.pk == case.handling_agency_id:
        raise CaseRefused("same_agency", "目标机构与当前分管机构相同。", field="target_agency")
    calendar = work_calendar()
    due = add_working_days(timezone.localtime(case.accepted_at).date(), PUSH_WITHIN_WORKING_DAYS, calendar)
    case.pushed_late = timezone.localdate() > due
    late = "（超过受理后 1 个工作日）" if case.pushed_late else ""
    case.pushed_from = case.handling_agency
    _hand_over(case, target, user=user, opinion=f"移送至 {target.name}{late}：{reason}")
    _save(
        case,
        "handling_agency",
        "handling_region",
        "distribution_status",
        "pushed_from",
        "pushed_late",
        "deadline",
        "suspended_at",
    )
    Task.objects.create(case=case, level=TaskLevel.FIRST, agency=target)
    return case


def superior_of(first: Agency, second: Agency) -> Agency | None:
    parent_of = dict(Agency.objects.values_list("code", "parent__code"))
    try:
        code = common_superior(first.code, second.code, parent_of)
    except AgencyTreeError:
        return None
    return Agency.objects.filter(code=code).first() if code else None


@transaction.atomic
def case_escalate(*, user, receipt_no: str, reason: str) -> Case:
    """报请指导: the receiving agency of a pushed case asks the common superior agency (the case is 中止)."""
    reason = _reason(reason)
    case = locked(receipt_no)
    _require_staff_of(user, case.handling_agency, REVIEW_PERMISSIONS, "报请指导")
    if case.pushed_from_id is None:
        raise CaseRefused("not_pushed", "只有受移送的业务才报请共同上级指导；本机构受理的业务可直接移送。")
    if case.jurisdiction_final:
        raise CaseRefused("jurisdiction_final", "共同上级经办机构已决定管辖。")
    if case.escalated_to_id is not None:
        raise CaseRefused("escalated", "该业务已在报请共同上级经办机构指导。")
    superior = superior_of(case.pushed_from, case.handling_agency)
    if superior is None:
        raise CaseRefused("no_superior", "两个经办机构没有共同上级机构。")
    withdraw_tasks(case)
    _move(
        case,
        states.SUSPEND,
        user=user,
        agency=case.handling_agency,
        opinion=f"报请 {superior.name} 指导：{reason}",
    )
    case.escalated_to, case.suspended_at = superior, timezone.now()
    case.distribution_status = DistributionStatus.UNASSIGNED
    _save(case, "escalated_to", "suspended_at", "distribution_status")
    return case


@transaction.atomic
def case_decide(*, user, receipt_no: str, target_agency: str, opinion: str) -> Case:
    """The common superior agency decides which agency handles the case; final, recorded in 追踪."""
    opinion = _reason(opinion)
    case = locked(receipt_no)
    if case.escalated_to_id is None:
        raise CaseRefused("not_escalated", "该业务没有报请指导。")
    _require_staff_of(user, case.escalated_to, DECIDE_PERMISSIONS, "决定管辖")
    target = _agency(target_agency)
    superior = case.escalated_to
    _hand_over(case, target, user=user, opinion=f"{superior.name}决定由 {target.name} 办理：{opinion}")
    case.escalated_to, case.jurisdiction_final = None, True
    _save(
        case,
        "handling_agency",
        "handling_region",
        "distribution_status",
        "escalated_to",
        "jurisdiction_final",
        "deadline",
        "suspended_at",
    )
    Task.objects.create(case=case, level=TaskLevel.FIRST, agency=target)
    return case
