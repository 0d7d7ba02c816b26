"""中止 / 恢复办理 / 终止 (routing.services.lifecycle): the reason in 追踪, tasks withdrawn, the clock stopped while
suspended and given back on resumption, the applicant told by SMS, and only staff of the case's agencies act."""

import datetime

import pytest
from django.utils import timezone

from routing import states
from routing.models import Case, CaseEvent, Task, TaskStatus
from routing.services import CaseRefused, case_scan, task_acquire
from routing.services.jurisdiction import case_escalate, case_push
from routing.services.lifecycle import case_resume, case_suspend, case_terminate
from sms_templates.models import SmsMessage
from tests.factories.cases import (
    GUANGZHOU_AGENCY,
    ZHONGSHAN_AGENCY,
    accept,
    publish_demo,
    staff,
)
from tests.routing.fixtures import SLOTS, publish_sms_slots

pytestmark = pytest.mark.django_db

LIVE = [TaskStatus.OPEN, TaskStatus.TAKEN]


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    publish_sms_slots(superuser, {**SLOTS, "terminated": "GS_ZZ_01"})
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "zs_first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_first": staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
        "supervisor": staff("gd_supervisor", "supervisor", region="440000"),
    }


@pytest.fixture
def scanned(people):
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    return case.receipt_no


def _messages(receipt_no, event):
    return list(SmsMessage.objects.filter(case_reference=receipt_no, event=event).order_by("pk"))


def test_suspending_withdraws_the_tasks_stops_the_clock_and_tells_the_applicant(people, scanned):
    task_acquire(user=people["zs_first"], level=1)
    case = case_suspend(receipt_no=scanned, user=people["zs_first"], reason="待补充病历资料")
    assert case.status == states.SUSPENDED and case.suspended_at is not None
    assert not Task.objects.filter(case=case, status__in=LIVE).exists()
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.from_status, event.to_status) == ("suspend", "first_assigned", "suspended")
    assert event.opinion == "待补充病历资料" and event.agency.code == ZHONGSHAN_AGENCY
    [message] = _messages(scanned, "suspended")
    assert "中止意见：待补充病历资料" in message.text
    assert task_acquire(user=people["zs_first"], level=1) is None  # nothing left to review meanwhile


def test_resuming_opens_a_new_first_review_and_moves_the_deadline_by_the_days_stood_still(people, scanned):
    case = case_suspend(receipt_no=scanned, user=people["zs_first"], reason="待补充病历资料")
    deadline = case.deadline
    Case.objects.filter(pk=case.pk).update(suspended_at=timezone.now() - datetime.timedelta(days=14))
    case = case_resume(receipt_no=scanned, user=people["clerk"], reason="病历资料已补齐")
    assert case.status == states.SCANNED and case.suspended_at is None
    assert (case.deadline - deadline).days >= 14  # ten working days or more given back
    assert Task.objects.filter(case=case, status=TaskStatus.OPEN, level=1).count() == 1
    assert CaseEvent.objects.filter(case=case).last().opinion == "病历资料已补齐"
    assert task_acquire(user=people["zs_first"], level=1).case.receipt_no == scanned


def test_a_case_resumed_the_same_day_keeps_its_deadline(people, scanned):
    deadline = Case.objects.get(receipt_no=scanned).deadline
    case_suspend(receipt_no=scanned, user=people["zs_first"], reason="核实参保信息")
    assert case_resume(receipt_no=scanned, user=people["zs_first"]).deadline == deadline


def test_a_second_suspension_is_told_again(people, scanned):
    case_suspend(receipt_no=scanned, user=people["zs_first"], reason="第一次")
    case_resume(receipt_no=scanned, user=people["zs_first"])
    case_suspend(receipt_no=scanned, user=people["zs_first"], reason="第二次")
    texts = [message.text for message in _messages(scanned, "suspended")]
    assert len(texts) == 2 and "第一次" in texts[0] and "第二次" in texts[1]


def test_terminating_finishes_the_case_with_its_reason(people, scanned):
    task_acquire(user=people["zs_first"], level=1)
    case = case_terminate(receipt_no=scanned, user=people["zs_first"], reason="申请人撤回申请")
    assert case.status == states.TERMINATED and case.finished_at is not None
    assert not Task.objects.filter(case=case, status__in=LIVE).exists()
    assert CaseEvent.objects.filter(case=case).last().opinion == "申请人撤回申请"
    [message] = _messages(scanned, "terminated")
    assert "终止意见：申请人撤回申请" in message.text
    with pytest.raises(states.IllegalTransition):
        case_resume(receipt_no=scanned, user=people["zs_first"])
    with pytest.raises(states.IllegalTransition):
        case_terminate(receipt_no=scanned, user=people["zs_first"], reason="再终止")


def test_a_suspended_or_waiting_for_correction_case_can_be_terminated(people, scanned):
    case_suspend(receipt_no=scanned, user=people["zs_first"], reason="待补充")
    assert case_terminate(receipt_no=scanned, user=people["clerk"], reason="逾期未补").status == "terminated"
    pending = accept(people["clerk"], received=["CL009"])
    assert pending.status == states.PENDING_CORRECTION
    case = case_terminate(receipt_no=pending.receipt_no, user=people["clerk"], reason="逾期未补正")
    assert case.status == states.TERMINATED


def test_only_a_suspended_case_resumes_and_a_finished_one_is_not_suspended(people, scanned):
    with pytest.raises(states.IllegalTransition) as refused:
        case_resume(receipt_no=scanned, user=people["zs_first"])
    assert refused.value.message == "流程状态为“已扫描”的业务不能“恢复办理”。"
    pending = accept(people["clerk"], received=["CL009"])
    with pytest.raises(states.IllegalTransition):
        case_suspend(receipt_no=pending.receipt_no, user=people["clerk"], reason="待补正不需中止")


@pytest.mark.parametrize(
    ("reason", "code"), [("", "reason_required"), ("  ", "reason_required"), ("长" * 301, "reason_too_long")]
)
def test_suspension_and_termination_need_a_reason_within_its_limit(people, scanned, reason, code):
    for service in (case_suspend, case_terminate):
        with pytest.raises(CaseRefused) as refused:
            service(receipt_no=scanned, user=people["zs_first"], reason=reason)
        assert refused.value.reason_code == code
    assert Case.objects.get(receipt_no=scanned).status == states.SCANNED


def test_staff_of_another_city_do_not_find_the_case(people, scanned):
    for user in (people["gz_first"], people["gz_clerk"]):
        for service in (case_suspend, case_terminate):
            with pytest.raises(CaseRefused) as refused:
                service(receipt_no=scanned, user=user, reason="越权")
            assert refused.value.reason_code == "unknown_case"
    assert Case.objects.get(receipt_no=scanned).status == states.SCANNED
    assert not CaseEvent.objects.filter(case__receipt_no=scanned, action="suspend").exists()


def test_who_sees_the_case_but_works_for_neither_of_its_agencies_may_not_act(people, scanned):
    with pytest.raises(CaseRefused) as refused:
        case_suspend(receipt_no=scanned, user=people["supervisor"], reason="督导中止")
    assert refused.value.reason_code == "not_allowed"
    assert Case.objects.get(receipt_no=scanned).status == states.SCANNED


def test_a_remote_case_is_managed_at_either_end(people):
    """A 中山 case accepted at the 广州 counter: the 广州 clerk (accepting side) and 中山 reviewer both act."""
    case = accept(people["gz_clerk"], accepting_agency=GUANGZHOU_AGENCY)
    case_scan(receipt_no=case.receipt_no, user=people["gz_clerk"], defer=True)
    case_suspend(receipt_no=case.receipt_no, user=people["gz_clerk"], reason="受理地核对原件")
    assert case_resume(receipt_no=case.receipt_no, user=people["zs_first"]).status == states.SCANNED
    with pytest.raises(CaseRefused) as refused:
        case_suspend(receipt_no=case.receipt_no, user=people["gz_first"], reason="广州审核员")
    assert refused.value.reason_code == "not_allowed"


def test_an_escalated_case_waits_for_the_superiors_decision_not_for_a_resumption(people, scanned):
    case_push(user=people["zs_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="在广州")
    case_escalate(user=people["gz_first"], receipt_no=scanned, reason="实际在中山")
    with pytest.raises(CaseRefused) as refused:
        case_resume(receipt_no=scanned, user=people["gz_first"])
    assert refused.value.reason_code == "escalated"
