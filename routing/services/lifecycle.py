"""中止 / 恢复办理 / 终止 of any open case: one service each (receipt number, user, reason), scope-checked, with
the reason in 追踪, the live review tasks withdrawn and the clock stopped while the case stands still.

The clock: a suspended (中止) or waiting (待前置) case does not use up its 办理时限. ``suspended_at`` records
since when it stands still; when it moves on, its deadline moves by the working days it stood (``clock_resume``).
A terminated case is finished (``finished_at``).

The public services check that the user may see the case (业务状态查询 scope: otherwise "not found") and acts
for its handling agency (受理, 初审 or 复审 there) or its accepting agency (受理 there). The bare ``suspend`` /
``resume`` / ``terminate`` act on a locked case inside another service's transaction (a joint application
suspending the cases that lack a material, terminating the dependants of a refused prerequisite): the system
acts there, on cases of other agencies too, so they check nothing but the state machine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from catalog.selectors import work_calendar
from catalog.workdays import add_working_days, remaining_working_days
from sms_templates.models import SmsEvent

from .. import states
from ..access import may_manage
from ..models import Case, CaseEvent, DistributionStatus, SmsStatus, Task, TaskLevel
from ..selectors import cases_for
from .cases import CaseRefused, _move, _save, case_facts, locked
from .sms import SmsNotifyRefused, sms_notify
from .tasks import withdraw_tasks

logger = logging.getLogger(__name__)

MAX_REASON = 300


def _now():
    """The clock; a seam for tests."""
    return timezone.now()


# ---- the clock ---------------------------------------------------------------------------------------------
def clock_stop(case: Case) -> None:
    """The case stands still from now (kept if it already stands: 待前置 → 中止 does not restart it)."""
    if case.suspended_at is None:
        case.suspended_at = _now()


def clock_resume(case: Case) -> None:
    """The case moves again: its deadline moves by the working days it stood still (中止 or 待前置)."""
    if case.suspended_at is None:
        return
    calendar = work_calendar()
    start = timezone.localtime(case.suspended_at).date()
    today = timezone.localdate()
    stopped = max(0, -remaining_working_days(today, start, calendar)) if today > start else 0
    if stopped:
        case.deadline = add_working_days(case.deadline, stopped, calendar)
    case.suspended_at = None


# ---- SMS ---------------------------------------------------------------------------------------------------
def notify_step(
    case: Case, event: str, *, extra: Mapping[str, str] | None = None, occurrence: str | None = None
) -> bool:
    """The applicant's SMS of ``event`` from the handling city's slot, through the outbox; a case suspended
    twice is told twice (each occurrence its own message: by default the number of such steps recorded before).
    False when nothing is configured or there is no phone."""
    if not case.phone:
        return False
    if occurrence is None:
        occurrence = str(
            CaseEvent.objects.filter(case=case, action=_ACTION_OF_EVENT.get(event, event)).count()
        )
    try:
        message = sms_notify(
            event=event,
            matter=case.matter.code,
            region=case.handling_region.code,
            recipient=case.phone,
            case_reference=case.receipt_no,
            facts={**case_facts(case), **(extra or {})},
            occurrence=occurrence,
        )
    except SmsNotifyRefused as refusal:
        logger.info("SMS %s of %s not sent: %s", event, case.receipt_no, refusal.message)
        return False
    if message is None:
        return False
    case.sms_status = SmsStatus.SENT
    return True


_ACTION_OF_EVENT = {SmsEvent.SUSPENDED: states.SUSPEND, SmsEvent.TERMINATED: states.TERMINATE}


# ---- the moves (no permission check: the caller has decided) -----------------------------------------------
def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseRefused("reason_required", "请填写原因。", field="reason")
    if len(reason) > MAX_REASON:
        raise CaseRefused("reason_too_long", f"原因不能超过 {MAX_REASON} 字。", field="reason")
    return reason


def _open_transfer(case: Case) -> bool:
    return Case.objects.filter(target_case=case, status__in=states.OPEN).exists()


def suspend(case: Case, *, user, reason: str) -> None:
    """中止 a locked case: tasks withdrawn, clock stopped, 中止短信 with the reason; saved."""
    _move(case, states.SUSPEND, user=user, opinion=reason, agency=case.handling_agency)
    withdraw_tasks(case)
    clock_stop(case)
    case.distribution_status = DistributionStatus.UNASSIGNED
    notify_step(case, SmsEvent.SUSPENDED, extra={"CZYJP": reason})
    _save(case, "suspended_at", "distribution_status", "sms_status")


def resume(case: Case, *, user, opinion: str = "", waiting: bool = False) -> None:
    """恢复办理 of a locked suspended case: back to the 初审 pool (a new 初审 task, the clock running again),
    or — ``waiting``, its prerequisite cases still open — back to 待前置 with the clock still stopped; saved."""
    if waiting:
        _move(case, states.WAIT, user=user, opinion=opinion, agency=case.handling_agency)
        _save(case)
        return
    _move(case, states.RESUME, user=user, opinion=opinion, agency=case.handling_agency)
    clock_resume(case)
    case.distribution_status = DistributionStatus.UNASSIGNED
    _save(case, "deadline", "suspended_at", "distribution_status")
    Task.objects.create(case=case, level=TaskLevel.FIRST, agency=case.handling_agency)


def terminate(case: Case, *, user, reason: str) -> None:
    """终止 a locked open case: tasks withdrawn, finished now, 终止短信 with the reason; saved."""
    _move(case, states.TERMINATE, user=user, opinion=reason, agency=case.handling_agency)
    withdraw_tasks(case)
    case.finished_at = _now()
    case.distribution_status = DistributionStatus.UNASSIGNED
    notify_step(case, SmsEvent.TERMINATED, extra={"CZYJ": reason})
    _save(case, "finished_at", "distribution_status", "sms_status")


# ---- the services --------------------------------------------------------------------------------------------
def _checked(receipt_no: str, user) -> Case:
    """The case, locked, if ``user`` may see it and act on it."""
    if not cases_for(user).filter(receipt_no=receipt_no).exists():
        raise CaseRefused("unknown_case", f"受理回执号 {receipt_no} 不存在。", field="receipt_no")
    case = locked(receipt_no)
    if not may_manage(user, case):
        raise CaseRefused("not_allowed", "只有分管机构的经办人员或受理机构的受理人员可以办理此操作。")
    return case


@transaction.atomic
def case_suspend(*, receipt_no: str, user, reason: str) -> Case:
    """中止 an open case (受理 to 复审, or 待前置) with its reason; the clock stops, the tasks are withdrawn."""
    reason = _reason(reason)
    case = _checked(receipt_no, user)
    if _open_transfer(case):
        raise CaseRefused("transfer_open", "该业务正在办理全省通办业务移交，移交办结前不能中止。")
    suspend(case, user=user, reason=reason)
    return case


@transaction.atomic
def case_resume(*, receipt_no: str, user, reason: str = "") -> Case:
    """恢复办理 a suspended case: to the 初审 pool (its deadline moved by the days it stood still), or back to
    待前置 when it belongs to a joint application whose prerequisite cases are still open."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise CaseRefused("reason_too_long", f"原因不能超过 {MAX_REASON} 字。", field="reason")
    case = _checked(receipt_no, user)
    if case.status != states.SUSPENDED:
        raise states.IllegalTransition(case.status, states.RESUME)
    if case.escalated_to_id is not None:
        raise CaseRefused("escalated", "该业务正在报请共同上级经办机构指导，由其决定管辖后继续办理。")
    from ..joint.handoff import prerequisites_open

    resume(case, user=user, opinion=reason, waiting=prerequisites_open(case))
    return case


@transaction.atomic
def case_terminate(*, receipt_no: str, user, reason: str) -> Case:
    """终止 an open case with its reason; in a joint application, every case depending on it ends too."""
    reason = _reason(reason)
    case = _checked(receipt_no, user)
    if _open_transfer(case):
        raise CaseRefused("transfer_open", "该业务正在办理全省通办业务移交，移交办结前不能终止。")
    terminate(case, user=user, reason=reason)
    from ..joint.handoff import case_finished

    case_finished(case, user=user)
    return case
