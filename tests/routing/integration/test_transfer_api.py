"""The transfer and jurisdiction API (issue 15): POST /api/v1/transfers, /cases/{receipt_no}/push, /escalate,
/decide — the same rules as the services and the admin, refusals with their reason codes."""

import pytest
from django.test import Client

from routing import states
from routing.models import Case
from routing.services import case_scan, task_acquire, task_complete
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
def world(reference_data, superuser):
    publish_demo(superuser)
    people = {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "zs_first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_first": staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY),
        "gd_first": staff("gd_first", "first_reviewer", agency=PROVINCIAL_AGENCY),
        "gd_second": staff("gd_second", "second_reviewer", agency=PROVINCIAL_AGENCY),
        "supervisor": staff("gd_supervisor", "supervisor", region="440000"),
    }
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    return people, case.receipt_no


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, path, data):
    return client_of(user).post(path, data, content_type="application/json")


def test_a_transfer_through_the_api_and_its_reviews(world):
    people, receipt = world
    response = post(
        people["supervisor"], "/api/v1/transfers",
        {"receipt_no": receipt, "target_agency": PROVINCIAL_AGENCY, "reason": "疑难业务上移"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    transfer = response.json()
    assert transfer["target_case"] == receipt and transfer["status"] == "accepted"
    assert client_of(people["supervisor"]).get(f"/api/v1/cases/{transfer['receipt_no']}").status_code == 200
    again = post(
        people["supervisor"], "/api/v1/transfers",
        {"receipt_no": receipt, "target_agency": GUANGZHOU_AGENCY, "reason": "再移"},
    )  # fmt: skip
    assert again.status_code == 409 and again.json()["reason_code"] == "transfer_open"
    case_scan(receipt_no=transfer["receipt_no"], user=people["supervisor"], defer=True)
    for user, level in ((people["gd_first"], "first"), (people["gd_second"], "second")):
        task = post(user, "/api/v1/tasks/acquire", {"level": level, "mode": "assigned",
                                                    "receipt_no": transfer["receipt_no"]}).json()  # fmt: skip
        assert (
            post(user, f"/api/v1/tasks/{task['id']}/complete", {"outcome": "pass", "opinion": ""}).status_code
            == 200
        )
    moved = Case.objects.get(receipt_no=receipt)
    assert moved.handling_agency.code == PROVINCIAL_AGENCY and moved.status == states.SCANNED


@pytest.mark.parametrize(
    ("who", "target", "code", "status"),
    [
        ("supervisor", ZHONGSHAN_AGENCY, "same_agency", 422),
        ("supervisor", "449999", "unknown_agency", 400),
        ("zs_first", PROVINCIAL_AGENCY, "not_allowed", 403),
    ],
)
def test_transfer_refusals(world, who, target, code, status):
    people, receipt = world
    response = post(
        people[who], "/api/v1/transfers", {"receipt_no": receipt, "target_agency": target, "reason": "x"}
    )
    assert (response.status_code, response.json()["reason_code"]) == (status, code)


def test_a_finished_case_cannot_be_transferred(world):
    people, receipt = world
    task = task_acquire(user=people["zs_first"], level=1)
    Case.objects.filter(receipt_no=receipt).update(review_levels=1)
    task_complete(user=people["zs_first"], task_id=task.pk, outcome="pass")
    response = post(
        people["supervisor"], "/api/v1/transfers",
        {"receipt_no": receipt, "target_agency": PROVINCIAL_AGENCY, "reason": "x"},
    )  # fmt: skip
    assert (response.status_code, response.json()["reason_code"]) == (409, "case_finished")


def test_push_once_escalate_and_decide_through_the_api(world):
    people, receipt = world
    pushed = post(
        people["zs_first"],
        f"/api/v1/cases/{receipt}/push",
        {"target_agency": GUANGZHOU_AGENCY, "reason": "广州参保"},
    )
    assert pushed.status_code == 200 and pushed.json()["handling_agency"] == GUANGZHOU_AGENCY
    on = post(
        people["gz_first"],
        f"/api/v1/cases/{receipt}/push",
        {"target_agency": PROVINCIAL_AGENCY, "reason": "也不是"},
    )
    assert (on.status_code, on.json()["reason_code"]) == (409, "already_pushed")
    escalated = post(
        people["gz_first"], f"/api/v1/cases/{receipt}/escalate", {"reason": "参保关系实际在中山"}
    )
    assert escalated.status_code == 200 and escalated.json()["status"] == "suspended"
    refused = post(
        people["zs_first"],
        f"/api/v1/cases/{receipt}/decide",
        {"target_agency": ZHONGSHAN_AGENCY, "opinion": "我们办"},
    )
    assert (refused.status_code, refused.json()["reason_code"]) == (403, "not_allowed")
    decided = post(
        people["gd_first"],
        f"/api/v1/cases/{receipt}/decide",
        {"target_agency": ZHONGSHAN_AGENCY, "opinion": "由中山办理"},
    )
    assert decided.status_code == 200 and decided.json()["handling_agency"] == ZHONGSHAN_AGENCY
    final = post(
        people["zs_first"],
        f"/api/v1/cases/{receipt}/push",
        {"target_agency": GUANGZHOU_AGENCY, "reason": "再推"},
    )
    assert (final.status_code, final.json()["reason_code"]) == (409, "jurisdiction_final")


def test_a_case_the_caller_may_not_see_is_not_found(world, reference_data):
    people, receipt = world
    stranger = staff("sz_first", "first_reviewer", agency="440399")
    response = post(
        stranger, f"/api/v1/cases/{receipt}/push", {"target_agency": GUANGZHOU_AGENCY, "reason": "x"}
    )
    assert (response.status_code, response.json()["reason_code"]) == (404, "unknown_case")
