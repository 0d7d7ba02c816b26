"""业务受理 → 全省通办业务移交 through the admin (issue 15): query, pick, choose the agency, give a reason, submit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from routing import states
from routing.models import Case
from routing.services import case_scan
from tests.factories.cases import ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db
URL = "admin:routing_transfer"


@pytest.fixture
def world(reference_data, superuser, client):
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    supervisor = staff("gd_supervisor", "supervisor", region="440000")
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    client.force_login(supervisor)
    return {"client": client, "clerk": clerk, "case": case}


def test_the_supervisor_queries_picks_and_submits(world):
    client, case = world["client"], world["case"]
    page = client.get(reverse(URL), {"receipt_no": case.receipt_no})
    assert case.receipt_no in page.content.decode() and "黄**" in page.content.decode()
    response = client.post(
        reverse(URL), {"receipt_no": case.receipt_no, "target_agency": "440099", "reason": "疑难业务上移"}
    )
    transfer = Case.objects.get(target_case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:routing_case_receipt", args=[transfer.receipt_no])
    assert transfer.status == states.ACCEPTED and transfer.handling_agency.code == "440099"
    again = client.get(reverse(URL), {"receipt_no": case.receipt_no}).content.decode()
    assert "移交中" in again


def test_a_refusal_is_shown_on_its_field_and_nothing_is_written(world):
    client, case = world["client"], world["case"]
    response = client.post(
        reverse(URL), {"receipt_no": case.receipt_no, "target_agency": ZHONGSHAN_AGENCY, "reason": "x"}
    )
    assert response.status_code == 200
    assert "目标审核机构与当前分管机构相同" in str(response.context["form"].errors["target_agency"])
    assert not Case.objects.filter(target_case=case).exists()


def test_a_clerk_may_not_open_the_screen(world, client):
    client.force_login(world["clerk"])
    assert client.get(reverse(URL)).status_code == 403


def test_the_candidate_list_costs_the_same_for_3_and_30_cases(world):
    client = world["client"]
    for _ in range(2):
        accept(world["clerk"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(URL), {"handling_agency": ZHONGSHAN_AGENCY}).status_code == 200
        return len(queries)

    count()  # warm-up (the runtime snapshot, the session)
    small = count()
    for _ in range(27):
        accept(world["clerk"])
    assert count() == small
