"""疑难案件 through the admin (issue 15): the same push-once / escalate / decide rules as the API."""

import pytest
from django.test import Client
from django.urls import reverse

from routing.models import Case
from routing.services import case_scan
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
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    return case.receipt_no, {
        "zs": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz": staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY),
        "gd": staff("gd_first", "first_reviewer", agency=PROVINCIAL_AGENCY),
        "clerk": clerk,
    }


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_push_escalate_and_decide_in_the_admin(world):
    receipt, people = world
    zs, gz, gd = (client_of(people[key]) for key in ("zs", "gz", "gd"))
    page = zs.get(reverse("admin:routing_case_push", args=[receipt]))
    assert page.status_code == 200 and "只能移送一次" in page.content.decode()
    response = zs.post(
        reverse("admin:routing_case_push", args=[receipt]),
        {"target_agency": GUANGZHOU_AGENCY, "reason": "广州参保"},
    )
    assert response.status_code == 302
    assert Case.objects.get(receipt_no=receipt).handling_agency.code == GUANGZHOU_AGENCY
    again = gz.post(
        reverse("admin:routing_case_push", args=[receipt]),
        {"target_agency": PROVINCIAL_AGENCY, "reason": "也不是"},
    )
    assert "受移送的业务不得再自行移送" in again.content.decode()
    assert (
        gz.post(reverse("admin:routing_case_escalate", args=[receipt]), {"reason": "实际在中山"}).status_code
        == 302
    )
    decided = gd.post(
        reverse("admin:routing_case_decide", args=[receipt]),
        {"target_agency": ZHONGSHAN_AGENCY, "reason": "由中山办理"},
    )
    assert decided.status_code == 302
    case = Case.objects.get(receipt_no=receipt)
    assert case.handling_agency.code == ZHONGSHAN_AGENCY and case.jurisdiction_final


def test_a_foreign_case_is_not_found_and_a_clerk_is_refused(world):
    receipt, people = world
    stranger = staff("sz_first", "first_reviewer", agency="440399")
    assert client_of(stranger).get(reverse("admin:routing_case_push", args=[receipt])).status_code == 404
    assert (
        client_of(people["clerk"]).get(reverse("admin:routing_case_push", args=[receipt])).status_code == 403
    )


def test_the_screen_is_not_in_the_menu(world):
    receipt, people = world
    index = (
        client_of(people["zs"]).get(reverse("admin:menu_group", kwargs={"group": "tasks"})).content.decode()
    )
    assert "疑难案件" not in index


def test_the_query_screen_offers_each_step_to_whom_may_take_it(world):
    receipt, people = world
    url = reverse("admin:routing_cases")

    def offered(user) -> str:
        return client_of(user).get(url, {"receipt_no": receipt}).content.decode()

    push = reverse("admin:routing_case_push", args=[receipt])
    assert push in offered(people["zs"]) and push not in offered(people["clerk"])
    client_of(people["zs"]).post(push, {"target_agency": GUANGZHOU_AGENCY, "reason": "广州参保"})
    escalate = reverse("admin:routing_case_escalate", args=[receipt])
    assert escalate in offered(people["gz"]) and push not in offered(people["gz"])
    client_of(people["gz"]).post(escalate, {"reason": "实际在中山"})
    assert reverse("admin:routing_case_decide", args=[receipt]) in offered(people["gd"])
