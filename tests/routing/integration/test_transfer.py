"""全省通办业务移交 as 003 附件 4 describes it (issue 15): the annex's own example, and the refusals."""

import pytest

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter
from config_center.drafts.services import local_matter_bind
from config_center.releases.services import release_publish
from config_center.runtime.holder import runtime
from routing import states
from routing.models import Case, CaseEvent, Task, TaskStatus
from routing.services import CaseRefused, case_scan, my_tasks, task_acquire, task_complete
from routing.services.transfers import transfer_submit
from tests.factories.cases import ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db

ANNEX_RECEIPT = "2201091444546597"
PROVINCE_AGENCY = "440099"


@pytest.fixture
def annex_case(reference_data, superuser):
    """个人欠费删除 (UCA402) bound in 中山 with two review levels, accepted, scanned, first-reviewed and taken
    for 复审: 已分配待复审, like the annex's example, with the annex's receipt number."""
    publish_demo(superuser)
    zhongshan = Region.objects.get(code="442000")
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="UCA402")], user=superuser)
    LocalMatter.objects.filter(region=zhongshan, matter__code="UCA402").update(
        review_levels=2, time_limit_days=5
    )
    release_publish(region=zhongshan, user=superuser, comment="个人欠费删除")
    runtime.reset()
    people = {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "zs_first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "zs_second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
        "supervisor": staff("gd_supervisor", "supervisor", region="440000"),
        "gd_first": staff("gd_first", "first_reviewer", agency=PROVINCE_AGENCY),
        "gd_second": staff("gd_second", "second_reviewer", agency=PROVINCE_AGENCY),
    }
    case = accept(people["clerk"], matter="UCA402", received=[])
    Case.objects.filter(pk=case.pk).update(receipt_no=ANNEX_RECEIPT)
    case_scan(receipt_no=ANNEX_RECEIPT, user=people["clerk"], defer=True)
    first = task_acquire(user=people["zs_first"], level=1)
    task_complete(user=people["zs_first"], task_id=first.pk, outcome="pass")
    task_acquire(user=people["zs_second"], level=2)
    assert Case.objects.get(receipt_no=ANNEX_RECEIPT).status == states.SECOND_ASSIGNED
    return people


def _review_transfer(people, transfer, *, outcome="pass", opinion=""):
    case_scan(receipt_no=transfer.receipt_no, user=people["supervisor"], defer=True)
    first = task_acquire(user=people["gd_first"], level=1, receipt_no=transfer.receipt_no)
    task_complete(user=people["gd_first"], task_id=first.pk, outcome="pass")
    second = task_acquire(user=people["gd_second"], level=2, receipt_no=transfer.receipt_no)
    return task_complete(user=people["gd_second"], task_id=second.pk, outcome=outcome, opinion=opinion)


def test_the_annex_4_example_moves_the_case_to_the_provincial_agency(annex_case):
    people = annex_case
    transfer = transfer_submit(
        user=people["supervisor"],
        receipt_no=ANNEX_RECEIPT,
        target_agency=PROVINCE_AGENCY,
        reason="疑难业务上移",
    )
    assert transfer.matter.code == "GS0401" and transfer.status == states.ACCEPTED
    assert transfer.handling_agency.code == PROVINCE_AGENCY and len(transfer.receipt_no) == 16

    # While the transfer is open the 中山 reviewer cannot finish the case, nor can it be transferred again.
    [zs_task] = my_tasks(people["zs_second"])
    with pytest.raises(CaseRefused) as refused:
        task_complete(user=people["zs_second"], task_id=zs_task.pk, outcome="pass")
    assert refused.value.reason_code == "transfer_open"
    with pytest.raises(CaseRefused) as refused:
        transfer_submit(
            user=people["supervisor"], receipt_no=ANNEX_RECEIPT, target_agency="440199", reason="再移"
        )
    assert refused.value.reason_code == "transfer_open"

    done = _review_transfer(people, transfer)
    assert done.status == states.COMPLETED

    case = Case.objects.get(receipt_no=ANNEX_RECEIPT)
    assert case.handling_agency.code == PROVINCE_AGENCY and case.status == states.SCANNED
    assert not my_tasks(people["zs_second"]).exists()
    assert Task.objects.get(pk=zs_task.pk).status == TaskStatus.WITHDRAWN
    assert task_acquire(user=people["zs_first"], level=1) is None
    taken = task_acquire(user=people["gd_first"], level=1)
    assert taken.case.receipt_no == ANNEX_RECEIPT
    trail = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert "transfer_opened" in trail and "reassign" in trail


def test_a_rejected_transfer_changes_nothing_on_the_case(annex_case):
    people = annex_case
    transfer = transfer_submit(
        user=people["supervisor"],
        receipt_no=ANNEX_RECEIPT,
        target_agency=PROVINCE_AGENCY,
        reason="疑难业务上移",
    )
    done = _review_transfer(people, transfer, outcome="reject", opinion="不属于移交情形")
    assert done.status == states.REVIEW_FAILED
    case = Case.objects.get(receipt_no=ANNEX_RECEIPT)
    assert case.handling_agency.code == ZHONGSHAN_AGENCY and case.status == states.SECOND_ASSIGNED
    [zs_task] = my_tasks(people["zs_second"])
    assert (
        task_complete(user=people["zs_second"], task_id=zs_task.pk, outcome="pass").status == states.COMPLETED
    )
    assert CaseEvent.objects.filter(case=case, action="transfer_rejected").exists()


@pytest.mark.parametrize(
    ("target", "reason", "code"),
    [
        (ZHONGSHAN_AGENCY, "原因", "same_agency"),
        ("449999", "原因", "unknown_agency"),
        (PROVINCE_AGENCY, "", "reason_required"),
    ],
)
def test_transfer_refusals(annex_case, target, reason, code):
    with pytest.raises(CaseRefused) as refused:
        transfer_submit(
            user=annex_case["supervisor"], receipt_no=ANNEX_RECEIPT, target_agency=target, reason=reason
        )
    assert refused.value.reason_code == code
    assert not Case.objects.filter(matter__code="GS0401").exists()


def test_only_transfer_holders_may_transfer_and_finished_cases_cannot_be(annex_case):
    with pytest.raises(CaseRefused) as refused:
        transfer_submit(
            user=annex_case["zs_first"], receipt_no=ANNEX_RECEIPT, target_agency=PROVINCE_AGENCY, reason="x"
        )
    assert refused.value.reason_code == "not_allowed"
    finished = accept(annex_case["clerk"], matter="UCA402", received=[])
    Case.objects.filter(pk=finished.pk).update(status=states.COMPLETED)
    with pytest.raises(CaseRefused) as refused:
        transfer_submit(
            user=annex_case["supervisor"],
            receipt_no=finished.receipt_no,
            target_agency=PROVINCE_AGENCY,
            reason="x",
        )
    assert refused.value.reason_code == "case_finished"
