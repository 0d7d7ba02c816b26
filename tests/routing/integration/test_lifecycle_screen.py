"""中止 / 恢复办理 / 终止 in the admin (issue 15): offered in 业务状态查询 to the staff who may, each a form over the
lifecycle services — the reason in 追踪, the task withdrawn, the clock stopped; a foreign case is not found."""

import pytest
from django.test import Client
from django.urls import reverse

from routing import states
from routing.models import Case, CaseEvent, Task, TaskStatus
from routing.services import case_scan
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data, superuser):
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    return case.receipt_no, {
        "clerk": clerk,
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz": staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY),
        "admin": staff("zs_admin", "city_admin", region="442000"),
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(action: str, receipt: str) -> str:
    return reverse(f"admin:routing_case_{action}", args=[receipt])


def test_suspend_then_resume_then_terminate(world):
    receipt, people = world
    first = client_of(people["first"])
    page = first.get(url("suspend", receipt))
    assert page.status_code == 200 and "办理时限暂停" in page.content.decode()
    empty = first.post(url("suspend", receipt), {"reason": ""})
    assert empty.status_code == 200 and Case.objects.get(receipt_no=receipt).status == states.SCANNED
    assert first.post(url("suspend", receipt), {"reason": "等待鉴定结论"}).status_code == 302
    case = Case.objects.get(receipt_no=receipt)
    assert case.status == states.SUSPENDED and case.suspended_at is not None
    assert not Task.objects.filter(case=case, status=TaskStatus.OPEN).exists()
    assert CaseEvent.objects.filter(case=case, opinion="等待鉴定结论").exists()
    assert first.post(url("resume", receipt), {"reason": ""}).status_code == 302
    case = Case.objects.get(receipt_no=receipt)
    assert (
        case.status == states.SCANNED and Task.objects.filter(case=case, status=TaskStatus.OPEN).count() == 1
    )
    assert first.post(url("terminate", receipt), {"reason": "申请人撤回"}).status_code == 302
    assert Case.objects.get(receipt_no=receipt).status == states.TERMINATED
    again = first.post(url("resume", receipt), {"reason": ""})
    assert again.status_code == 200 and Case.objects.get(receipt_no=receipt).status == states.TERMINATED


def test_a_foreign_case_is_not_found_and_a_city_admin_is_refused(world):
    receipt, people = world
    assert client_of(people["gz"]).post(url("suspend", receipt), {"reason": "x"}).status_code == 404
    assert client_of(people["admin"]).get(url("suspend", receipt)).status_code == 403
    assert Case.objects.get(receipt_no=receipt).status == states.SCANNED


def test_the_query_screen_offers_what_the_status_allows_to_whom_may(world):
    receipt, people = world
    listing = reverse("admin:routing_cases")
    page = client_of(people["first"]).get(listing, {"receipt_no": receipt}).content.decode()
    assert url("suspend", receipt) in page and url("terminate", receipt) in page
    assert url("resume", receipt) not in page
    auditor = staff("zs_auditor", "auditor", region="442000")
    assert (
        url("suspend", receipt)
        not in client_of(auditor).get(listing, {"receipt_no": receipt}).content.decode()
    )
