"""疑难案件 (issue 15, 003 附件 2 三(五)): push once within 1 working day, the receiver may only escalate to the
common superior agency, whose decision is final; the clock stops while the case waits."""

import datetime

import pytest
from django.utils import timezone

from routing import states
from routing.models import Case, CaseEvent, Task, TaskStatus
from routing.services import CaseRefused, case_scan, task_acquire
from routing.services.jurisdiction import case_decide, case_escalate, case_push
from tests.factories.cases import (
    GUANGZHOU_AGENCY,
    PROVINCIAL_AGENCY,
    ZHONGSHAN_AGENCY,
    accept,
    publish_demo,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "zs_first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_first": staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY),
        "gd_first": staff("gd_first", "first_reviewer", agency=PROVINCIAL_AGENCY),
    }


@pytest.fixture
def scanned(people):
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    return case.receipt_no


def test_a_push_moves_the_case_once_and_the_receiver_may_not_push_it_on(people, scanned):
    case = case_push(
        user=people["zs_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="参保关系在广州"
    )
    assert case.handling_agency.code == GUANGZHOU_AGENCY and case.status == states.SCANNED
    assert case.pushed_from.code == ZHONGSHAN_AGENCY and not case.pushed_late
    assert task_acquire(user=people["zs_first"], level=1) is None
    assert task_acquire(user=people["gz_first"], level=1).case.receipt_no == scanned
    with pytest.raises(CaseRefused) as refused:
        case_push(
            user=people["gz_first"], receipt_no=scanned, target_agency=PROVINCIAL_AGENCY, reason="也不是广州"
        )
    assert refused.value.reason_code == "already_pushed"
    assert "共同上级" in refused.value.message


def test_escalation_goes_to_the_common_superior_whose_decision_is_final(people, scanned):
    case_push(
        user=people["zs_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="参保关系在广州"
    )
    case = case_escalate(user=people["gz_first"], receipt_no=scanned, reason="参保关系实际在中山")
    assert case.status == states.SUSPENDED and case.escalated_to.code == PROVINCIAL_AGENCY
    assert not Task.objects.filter(case=case, status__in=[TaskStatus.OPEN, TaskStatus.TAKEN]).exists()
    with pytest.raises(CaseRefused) as refused:
        case_decide(
            user=people["zs_first"], receipt_no=scanned, target_agency=ZHONGSHAN_AGENCY, opinion="我们办"
        )
    assert refused.value.reason_code == "not_allowed"
    case = case_decide(
        user=people["gd_first"], receipt_no=scanned, target_agency=ZHONGSHAN_AGENCY, opinion="由中山办理"
    )
    assert case.handling_agency.code == ZHONGSHAN_AGENCY and case.jurisdiction_final
    assert case.status == states.SCANNED and case.escalated_to is None
    with pytest.raises(CaseRefused) as refused:
        case_push(user=people["zs_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="再推")
    assert refused.value.reason_code == "jurisdiction_final"
    trail = list(CaseEvent.objects.filter(case=case).values_list("action", "opinion"))
    assert [action for action, _opinion in trail][-3:] == ["reassign", "suspend", "reassign"]
    assert "广东省社会保险基金管理局决定由" in trail[-1][1]


def test_a_late_push_is_allowed_and_flagged(people, scanned):
    Case.objects.filter(receipt_no=scanned).update(accepted_at=timezone.now() - datetime.timedelta(days=10))
    case = case_push(
        user=people["zs_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="迟了"
    )
    assert case.pushed_late
    assert "超过受理后 1 个工作日" in CaseEvent.objects.filter(case=case).last().opinion


def test_only_the_handling_agencys_staff_push_and_only_a_pushed_case_escalates(people, scanned):
    with pytest.raises(CaseRefused) as refused:
        case_push(user=people["gz_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="抢")
    assert refused.value.reason_code == "not_allowed"
    with pytest.raises(CaseRefused) as refused:
        case_escalate(user=people["zs_first"], receipt_no=scanned, reason="不确定")
    assert refused.value.reason_code == "not_pushed"


def test_the_clock_stops_while_the_case_waits_for_the_decision(people, scanned):
    case_push(
        user=people["zs_first"], receipt_no=scanned, target_agency=GUANGZHOU_AGENCY, reason="参保关系在广州"
    )
    case = case_escalate(user=people["gz_first"], receipt_no=scanned, reason="参保关系实际在中山")
    deadline = case.deadline
    Case.objects.filter(pk=case.pk).update(suspended_at=timezone.now() - datetime.timedelta(days=14))
    case = case_decide(
        user=people["gd_first"], receipt_no=scanned, target_agency=ZHONGSHAN_AGENCY, opinion="中山办"
    )
    assert (case.deadline - deadline).days >= 14  # ten working days or more were added back
