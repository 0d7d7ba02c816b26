"""The case API through the test client (issue 14): 受理 with 一次性告知 and every refusal, one case with its
追踪 (masked), and the review queues — acquire, complete, release — with the services' permission checks."""

import pytest
from django.test import Client

from catalog.models import Agency
from permissions.models import Role
from permissions.services import assignment_create
from routing import states
from routing.models import Case, CaseEvent, ScanStatus, Task, TaskStatus
from sms_templates.models import SmsMessage
from tests.factories.cases import (
    GS0101_MAIN,
    GUANGZHOU_AGENCY,
    ZHONGSHAN_AGENCY,
    id_card,
    publish_demo,
    staff,
)

pytestmark = pytest.mark.django_db

CASES, ACQUIRE = "/api/v1/cases", "/api/v1/tasks/acquire"


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "root": superuser,
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
        "gz_first": staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY),
    }


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(**overrides) -> dict:
    data = {
        "matter": "GS0101",
        "channel": "counter",
        "accepting_agency": ZHONGSHAN_AGENCY,
        "insured_agency": ZHONGSHAN_AGENCY,
        "injury_date": "2024-03-01",
        "advance_payment": False,
        "applicant": {"name": "黄林", "id_type": "id_card", "id_number": id_card(), "phone": "13800000000"},
        "employer": {"code": "E442000001", "name": "中山市某某制造有限公司"},
        "materials": GS0101_MAIN,
    }
    data.update(overrides)
    return data


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def accepted(client: Client, **overrides) -> str:
    response = post(client, CASES, body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()["receipt_no"]


def refused(response, status: int, reason_code: str) -> dict:
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["reason_code"] == reason_code and answer["message"], answer
    return answer


# ---- 受理 -----------------------------------------------------------------------------------------------------
def test_a_complete_case_is_accepted_with_electronic_materials_into_the_first_review_pool(people):
    response = post(as_user(people["clerk"]), CASES, body())
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == states.SCANNED and answer["status_name"] == "已扫描"
    assert answer["handling_agency"] == ZHONGSHAN_AGENCY and answer["remote"] is False
    assert answer["missing_materials"] == []
    assert len(answer["receipt_no"]) == 16 and answer["serial_no"].startswith("442000")
    case = Case.objects.get(receipt_no=answer["receipt_no"])
    assert case.scan_status == ScanStatus.ELECTRONIC and case.accepted_by == people["clerk"]
    assert list(case.events.values_list("action", "to_status", "opinion")) == [
        ("accept", states.ACCEPTED, ""),
        ("scan", states.SCANNED, "电子材料"),
    ]
    assert Task.objects.get(case=case).status == TaskStatus.OPEN
    assert SmsMessage.objects.filter(case_reference=case.receipt_no, event="accepted").count() == 1


def test_a_case_with_missing_materials_lists_all_of_them_and_waits_for_correction(people):
    response = post(as_user(people["clerk"]), CASES, body(materials=["CL009"]))
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == states.PENDING_CORRECTION and answer["status_name"] == "待补正"
    assert answer["missing_materials"] == GS0101_MAIN[1:]
    case = Case.objects.get(receipt_no=answer["receipt_no"])
    assert case.scan_status == ScanStatus.NOT_SCANNED and not Task.objects.exists()
    assert not SmsMessage.objects.filter(case_reference=case.receipt_no).exists()


def test_a_case_accepted_in_another_city_goes_to_the_insured_agency(people):
    answer = post(as_user(people["gz_clerk"]), CASES, body(accepting_agency=GUANGZHOU_AGENCY)).json()
    assert answer["remote"] is True and answer["handling_agency"] == ZHONGSHAN_AGENCY


def test_a_bad_id_number_is_refused_and_nothing_is_written(people):
    number = id_card()
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    applicant = {"name": "黄林", "id_type": "id_card", "id_number": bad, "phone": "13800000000"}
    refused(post(as_user(people["clerk"]), CASES, body(applicant=applicant)), 422, "invalid_id_number")
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "status", "reason_code"),
    [
        # 广州 binds GS0101 in local mode: 中山 cannot accept it for a person insured in 广州.
        ({"insured_agency": GUANGZHOU_AGENCY}, 422, "local_only"),
        ({"matter": "GS0104", "insured_agency": GUANGZHOU_AGENCY}, 422, "not_bound"),
        ({"insured_agency": "449999"}, 400, "unknown_agency"),
        ({"matter": "GS9999"}, 400, "unknown_matter"),
        ({"channel": "fax"}, 400, "unknown_channel"),
        ({"materials": ["CL009", "XX999"]}, 400, "unknown_material"),
    ],
)
def test_routing_and_catalog_refusals_carry_their_reason_codes(people, overrides, status, reason_code):
    refused(post(as_user(people["clerk"]), CASES, body(**overrides)), status, reason_code)
    assert not Case.objects.exists()


def test_remote_refusals_of_the_engine(people):
    clerk = as_user(people["gz_clerk"])
    early = body(accepting_agency=GUANGZHOU_AGENCY, injury_date="2019-06-30")
    refused(post(clerk, CASES, early), 422, "before_2019_07_01")
    advance = body(accepting_agency=GUANGZHOU_AGENCY, advance_payment=True)
    refused(post(clerk, CASES, advance), 422, "advance_payment_excluded")


def test_more_than_200_materials_are_refused_as_an_invalid_parameter(people):
    answer = refused(
        post(as_user(people["clerk"]), CASES, body(materials=[f"CL{n:03d}" for n in range(201)])),
        400,
        "invalid_parameter",
    )
    assert "materials" in answer["message"]


def test_unknown_fields_and_oversized_values_are_invalid_parameters(people):
    clerk = as_user(people["clerk"])
    refused(post(clerk, CASES, body(comment="x")), 400, "invalid_parameter")
    employer = {"code": "E1", "name": "厂" * 101}
    refused(post(clerk, CASES, body(employer=employer)), 400, "invalid_parameter")
    # Control characters are refused before anything reaches the database (PostgreSQL refuses NUL).
    applicant = {"name": "黄\x00林", "id_type": "id_card", "id_number": id_card(), "phone": "13800000000"}
    refused(post(clerk, CASES, body(applicant=applicant)), 400, "invalid_parameter")
    refused(post(clerk, CASES, body(materials=["CL\x00009"])), 400, "invalid_parameter")
    assert not Case.objects.exists()


def test_accepting_needs_the_accept_capability_at_the_accepting_agency(people):
    refused(
        post(as_user(people["clerk"]), CASES, body(accepting_agency=GUANGZHOU_AGENCY)), 403, "not_allowed"
    )
    refused(post(as_user(people["first"]), CASES, body()), 403, "not_allowed")
    assert not Case.objects.exists()
    # A superuser may accept anywhere; an agency that does not exist is then what is wrong.
    refused(post(as_user(people["root"]), CASES, body(accepting_agency="449999")), 400, "unknown_agency")


def test_a_session_is_required_and_a_write_needs_the_csrf_token(people):
    refused(post(Client(), CASES, body()), 401, "unauthenticated")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["clerk"])
    refused(post(browser, CASES, body()), 403, "csrf_failed")
    browser.get("/admin/")  # the console page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(CASES, body(), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201


# ---- one case ---------------------------------------------------------------------------------------------
def test_a_case_reads_with_its_history_and_masked_personal_data(people):
    number = id_card()
    applicant = {"name": "欧阳修文", "id_type": "id_card", "id_number": number, "phone": "13800000000"}
    receipt_no = accepted(as_user(people["clerk"]), applicant=applicant)
    response = as_user(people["first"]).get(f"{CASES}/{receipt_no}")
    assert response.status_code == 200
    answer = response.json()
    assert answer["applicant"] == {
        "name": "欧阳**",
        "id_type": "id_card",
        "id_number": number[0] + "*" * 16 + number[-1],
    }
    assert number not in response.content.decode() and "修文" not in response.content.decode()
    assert answer["matter"] == "GS0101" and answer["matter_name"]
    assert answer["status"] == states.SCANNED and answer["status_name"] == "已扫描"
    assert answer["accepting_agency"] == answer["handling_agency"] == ZHONGSHAN_AGENCY
    assert answer["warning"] == "normal" and answer["warning_name"] == "正常"
    assert [(e["action"], e["from"], e["to"], e["by"]) for e in answer["history"]] == [
        ("accept", "", states.ACCEPTED, "zs_clerk"),
        ("scan", states.ACCEPTED, states.SCANNED, "zs_clerk"),
    ]
    assert answer["history"][1]["to_name"] == "已扫描" and answer["history"][1]["opinion"] == "电子材料"


def test_a_case_out_of_scope_or_unknown_is_not_found(people):
    receipt_no = accepted(as_user(people["clerk"]))
    refused(as_user(people["gz_clerk"]).get(f"{CASES}/{receipt_no}"), 404, "unknown_case")
    refused(as_user(people["clerk"]).get(f"{CASES}/0000000000000000"), 404, "unknown_case")
    refused(as_user(people["clerk"]).get(f"{CASES}/12345"), 400, "invalid_parameter")
    refused(Client().get(f"{CASES}/{receipt_no}"), 401, "unauthenticated")


def test_a_remote_case_is_seen_by_the_accepting_and_the_handling_city(people):
    receipt_no = accepted(as_user(people["gz_clerk"]), accepting_agency=GUANGZHOU_AGENCY)
    assert as_user(people["gz_clerk"]).get(f"{CASES}/{receipt_no}").status_code == 200
    assert as_user(people["first"]).get(f"{CASES}/{receipt_no}").status_code == 200


# ---- 任务列表 -------------------------------------------------------------------------------------------------
def test_first_and_second_review_through_the_api_with_four_eyes(people):
    receipt_no = accepted(as_user(people["clerk"]))
    both = staff("zs_both", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    assignment_create(
        user=both,
        role=Role.objects.get(code="second_reviewer"),
        agency=Agency.objects.get(code=ZHONGSHAN_AGENCY),
    )
    reviewer = as_user(both)
    response = post(reviewer, ACQUIRE, {"level": "first", "mode": "random"})
    assert response.status_code == 200
    task = response.json()
    assert task["receipt_no"] == receipt_no and task["level"] == "first" and task["level_name"] == "初审"
    assert task["status"] == "taken" and task["mode"] == "random" and task["agency"] == ZHONGSHAN_AGENCY
    assert task["case_status"] == states.FIRST_ASSIGNED and task["matter"] == "GS0101"
    response = post(
        reviewer, f"/api/v1/tasks/{task['id']}/complete", {"outcome": "pass", "opinion": "材料齐全"}
    )
    assert response.status_code == 200
    assert (
        response.json()["status"] == states.FIRST_REVIEWED
        and response.json()["status_name"] == "已初审待复审"
    )
    # The first reviewer holds 复审 too, but never gets the second review of the same case.
    refused(post(reviewer, ACQUIRE, {"level": "second", "mode": "random"}), 404, "no_task")
    refused(
        post(reviewer, ACQUIRE, {"level": "second", "mode": "assigned", "receipt_no": receipt_no}),
        404,
        "no_task",
    )
    second = as_user(people["second"])
    task = post(second, ACQUIRE, {"level": "second", "mode": "assigned", "receipt_no": receipt_no}).json()
    assert task["level"] == "second" and task["mode"] == "assigned"
    response = post(second, f"/api/v1/tasks/{task['id']}/complete", {"outcome": "pass"})
    assert response.status_code == 200 and response.json()["status"] == states.COMPLETED
    case = Case.objects.get(receipt_no=receipt_no)
    assert case.first_reviewer == both and case.second_reviewer == people["second"]
    history = as_user(people["first"]).get(f"{CASES}/{receipt_no}").json()
    assert [e["action"] for e in history["history"]][-3:] == ["pass_first", "acquire_second", "pass_second"]
    assert history["warning"] is None


def test_nothing_eligible_is_404_and_no_review_capability_is_403(people):
    first = as_user(people["first"])
    refused(post(first, ACQUIRE, {"level": "first", "mode": "random"}), 404, "no_task")
    receipt_no = accepted(as_user(people["clerk"]))
    refused(post(as_user(people["clerk"]), ACQUIRE, {"level": "first", "mode": "random"}), 403, "not_allowed")
    # 广州's reviewer does not see 中山's pool, not even by its receipt number.
    gz_first = as_user(people["gz_first"])
    refused(post(gz_first, ACQUIRE, {"level": "first", "mode": "random"}), 404, "no_task")
    assigned = {"level": "first", "mode": "assigned", "receipt_no": receipt_no}
    refused(post(gz_first, ACQUIRE, assigned), 404, "no_task")
    assert Task.objects.get().status == TaskStatus.OPEN


def test_the_mode_and_the_receipt_number_must_agree(people):
    first = as_user(people["first"])
    refused(post(first, ACQUIRE, {"level": "first", "mode": "assigned"}), 422, "receipt_no_required")
    wrong = {"level": "first", "mode": "random", "receipt_no": "2401011200000001"}
    refused(post(first, ACQUIRE, wrong), 422, "receipt_no_not_allowed")
    refused(post(first, ACQUIRE, {"level": "third", "mode": "random"}), 400, "invalid_parameter")


def test_a_task_is_released_back_to_the_pool(people):
    receipt_no = accepted(as_user(people["clerk"]))
    first = as_user(people["first"])
    task = post(first, ACQUIRE, {"level": "first", "mode": "random"}).json()
    response = post(first, f"/api/v1/tasks/{task['id']}/release")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "open" and answer["mode"] == "" and answer["case_status"] == states.SCANNED
    assert Case.objects.get(receipt_no=receipt_no).status == states.SCANNED
    refused(post(first, f"/api/v1/tasks/{task['id']}/release"), 404, "unknown_task")  # not taken any more


def test_a_task_of_another_user_is_not_found(people):
    accepted(as_user(people["clerk"]))
    task = post(as_user(people["first"]), ACQUIRE, {"level": "first", "mode": "random"}).json()
    colleague = as_user(staff("zs_first_2", "first_reviewer", agency=ZHONGSHAN_AGENCY))
    for client in (colleague, as_user(people["gz_first"])):
        refused(
            post(client, f"/api/v1/tasks/{task['id']}/complete", {"outcome": "pass"}), 404, "unknown_task"
        )
        refused(post(client, f"/api/v1/tasks/{task['id']}/release"), 404, "unknown_task")
    refused(post(colleague, "/api/v1/tasks/999999/complete", {"outcome": "pass"}), 404, "unknown_task")
    refused(post(colleague, "/api/v1/tasks/0/release"), 400, "invalid_parameter")
    assert Task.objects.get().assignee == people["first"]


def test_a_reject_needs_an_opinion_then_ends_the_case(people):
    receipt_no = accepted(as_user(people["clerk"]))
    first = as_user(people["first"])
    task = post(first, ACQUIRE, {"level": "first", "mode": "random"}).json()
    url = f"/api/v1/tasks/{task['id']}/complete"
    refused(post(first, url, {"outcome": "reject", "opinion": "  "}), 422, "opinion_required")
    assert Case.objects.get(receipt_no=receipt_no).status == states.FIRST_ASSIGNED
    refused(post(first, url, {"outcome": "reject", "opinion": "意" * 501}), 400, "invalid_parameter")
    response = post(first, url, {"outcome": "reject", "opinion": "票据与病历资料不符"})
    assert response.status_code == 200 and response.json()["status"] == states.REVIEW_FAILED
    assert response.json()["status_name"] == "审核不通过"


def test_an_illegal_transition_is_a_conflict_and_changes_nothing(people):
    receipt_no = accepted(as_user(people["clerk"]))
    first = as_user(people["first"])
    task = post(first, ACQUIRE, {"level": "first", "mode": "random"}).json()
    # The case was suspended (中止) under the taken task, as a transfer or suspension would leave it.
    Case.objects.filter(receipt_no=receipt_no).update(status=states.SUSPENDED)
    events = CaseEvent.objects.count()
    answer = refused(
        post(first, f"/api/v1/tasks/{task['id']}/complete", {"outcome": "pass"}), 409, "illegal_transition"
    )
    assert "中止" in answer["message"]
    refused(post(first, f"/api/v1/tasks/{task['id']}/release"), 409, "illegal_transition")
    assert CaseEvent.objects.count() == events
    assert Task.objects.get(pk=task["id"]).status == TaskStatus.TAKEN
    assert Case.objects.get(receipt_no=receipt_no).status == states.SUSPENDED


def test_every_case_operation_is_documented_with_its_refusals(client):
    schema = client.get("/api/v1/openapi.json").json()
    expected = {
        ("/api/v1/cases", "post"): {"201", "400", "401", "403", "422"},
        ("/api/v1/cases/{receipt_no}", "get"): {"200", "400", "401", "404"},
        ("/api/v1/tasks/acquire", "post"): {"200", "400", "401", "403", "404", "422"},
        ("/api/v1/tasks/{task_id}/complete", "post"): {"200", "400", "401", "404", "409", "422"},
        ("/api/v1/tasks/{task_id}/release", "post"): {"200", "400", "401", "404", "409"},
    }
    for (path, method), statuses in expected.items():
        assert statuses <= set(schema["paths"][path][method]["responses"]), (path, method)
    event = schema["components"]["schemas"]["CaseEventOut"]["properties"]
    assert {"from", "to", "by", "at", "opinion"} <= set(event)
