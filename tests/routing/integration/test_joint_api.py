"""The joint-application API through the test client: 201 with the cases and what each waits for, 422 with the
matters named, GET with the current states, materials handed in later resuming the suspended case; scope and
session as the case API's writes."""

import pytest
from django.test import Client

from routing import states
from routing.joint.models import JointApplication
from routing.models import Case
from routing.services import task_acquire, task_complete
from tests.factories.api_clients import fresh_api_counters  # noqa: F401
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, id_card, staff
from tests.factories.joint import ALL_FROM_APPLICANT, ASSESSMENT, DISABILITY, RECOGNITION, publish_joint

pytestmark = pytest.mark.django_db

URL = "/api/v1/joint-applications"


@pytest.fixture
def people(reference_data, superuser):
    publish_joint(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
    }


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(**overrides) -> dict:
    data = {
        "matters": [RECOGNITION, ASSESSMENT, DISABILITY],
        "applicant": {
            "name": "罗明",
            "id_type": "id_card",
            "id_number": id_card("33078419850101123"),
            "phone": "13900000000",
        },
        "insured_agency": ZHONGSHAN_AGENCY,
        "accepting_agency": ZHONGSHAN_AGENCY,
        "channel": "counter",
        "injury_date": "2024-07-11",
        "materials": ALL_FROM_APPLICANT,
    }
    data.update(overrides)
    return data


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def refused(response, status: int, reason_code: str) -> dict:
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["reason_code"] == reason_code and answer["message"], answer
    return answer


def test_submission_answers_the_cases_with_their_receipts_states_and_prerequisites(people):
    response = post(as_user(people["clerk"]), URL, body())
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["id"].startswith("LB442000") and answer["missing_materials"] == []
    assert answer["status"] == "in_progress" and answer["time_limit_days"] == 30
    cases = {case["matter"]: case for case in answer["cases"]}
    assert [case["matter"] for case in answer["cases"]] == [RECOGNITION, ASSESSMENT, DISABILITY]
    assert cases[RECOGNITION]["status"] == "scanned" and cases[RECOGNITION]["waits_for"] == []
    assert cases[ASSESSMENT] | {"receipt_no": "", "deadline": ""} == {
        "matter": ASSESSMENT,
        "matter_name": "劳动能力鉴定申请",
        "receipt_no": "",
        "status": "waiting",
        "status_name": "待前置",
        "waits_for": [RECOGNITION],
        "handling_agency": ZHONGSHAN_AGENCY,
        "deadline": "",
        "missing_materials": [],
    }
    assert cases[DISABILITY]["waits_for"] == [RECOGNITION, ASSESSMENT]
    assert len({case["receipt_no"] for case in answer["cases"]}) == 3


def test_missing_materials_are_listed_once_and_delivered_later(people):
    client = as_user(people["clerk"])
    answer = post(client, URL, body(materials=["CL001", "CL017", "CL006", "CL008"])).json()  # no 诊断证明
    assert answer["missing_materials"] == ["CL007"] and "诊断证明（CL007）" in answer["notice"]
    assert answer["status"] == "partly_suspended"
    cases = {case["matter"]: case for case in answer["cases"]}
    assert cases[RECOGNITION]["status"] == "suspended" and cases[RECOGNITION]["missing_materials"] == [
        "CL007"
    ]
    assert cases[ASSESSMENT]["status"] == "waiting"
    response = post(client, f"{URL}/{answer['id']}/materials", {"materials": ["CL007"]})
    assert response.status_code == 200, response.content
    later = response.json()
    assert later["missing_materials"] == [] and later["status"] == "in_progress"
    assert later["cases"][0]["status"] == "scanned"


def test_get_follows_the_cases_as_they_move(people):
    answer = post(as_user(people["clerk"]), URL, body()).json()
    recognition = Case.objects.get(receipt_no=answer["cases"][0]["receipt_no"])
    task = task_acquire(user=people["first"], level=1, receipt_no=recognition.receipt_no)
    task_complete(user=people["first"], task_id=task.pk, outcome="reject", opinion="不属于工伤")
    response = as_user(people["first"]).get(f"{URL}/{answer['id']}")
    assert response.status_code == 200, response.content
    now = response.json()
    assert [case["status"] for case in now["cases"]] == ["review_failed", "terminated", "terminated"]
    assert now["status"] == "ended" and now["status_name"] == "未办结（已终止）"


@pytest.mark.parametrize(
    ("matters", "reason_code", "named"),
    [
        ([ASSESSMENT], "missing_prerequisite", "工伤认定申请（GS0301）"),
        ([RECOGNITION, "GS0102"], "not_joint_matter", "工伤康复费（GS0102）"),
        ([RECOGNITION, RECOGNITION], "duplicate", "工伤认定申请（GS0301）"),
        ([RECOGNITION, "GS0105", "GS0305", ASSESSMENT], "conflict", "旧伤复发申请确认（GS0305）"),
    ],
)
def test_a_refused_choice_is_422_with_the_matters_named(people, matters, reason_code, named):
    answer = refused(post(as_user(people["clerk"]), URL, body(matters=matters)), 422, reason_code)
    assert named in answer["message"]
    assert answer["details"] and all({"reason_code", "matter", "others"} <= set(d) for d in answer["details"])
    assert not JointApplication.objects.exists()


def test_bad_input_is_400_and_never_a_500(people):
    client = as_user(people["clerk"])
    refused(post(client, URL, body(matters=["XX0000"])), 400, "unknown_matter")
    refused(post(client, URL, body(materials=["NOPE"])), 400, "unknown_material")
    refused(post(client, URL, body(insured_agency="999999")), 400, "unknown_agency")
    refused(post(client, URL, body(matters=[])), 400, "invalid_parameter")
    refused(post(client, URL, body(matters=["GS0301"] * 16)), 400, "invalid_parameter")
    refused(post(client, URL, body(extra=1)), 400, "invalid_parameter")


def test_the_matter_the_insured_city_has_not_bound_is_named(people):
    answer = refused(
        post(as_user(people["clerk"]), URL, body(matters=[RECOGNITION, "GS0304"])), 422, "not_bound"
    )
    assert answer["message"].startswith("工伤康复申请确认（GS0304）：")


def test_only_clerks_of_the_accepting_agency_submit_and_others_do_not_see_it(people):
    refused(post(as_user(people["gz_clerk"]), URL, body()), 403, "not_allowed")
    answer = post(as_user(people["clerk"]), URL, body()).json()
    refused(as_user(people["gz_clerk"]).get(f"{URL}/{answer['id']}"), 404, "unknown_application")
    refused(
        post(as_user(people["gz_clerk"]), f"{URL}/{answer['id']}/materials", {"materials": ["CL007"]}),
        404,
        "unknown_application",
    )
    refused(as_user(people["clerk"]).get(f"{URL}/LB0000000000000000"), 404, "unknown_application")
    assert as_user(people["clerk"]).get(f"{URL}/not-a-number").status_code in (400, 404)


def test_a_session_is_required_and_a_write_needs_the_csrf_token(people):
    refused(post(Client(), URL, body()), 401, "unauthenticated")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["clerk"])
    refused(post(browser, URL, body()), 403, "csrf_failed")
    browser.get("/admin/")
    token = browser.cookies["csrftoken"].value
    response = browser.post(URL, body(), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content


def test_delivering_what_no_case_asks_for_is_refused(people):
    client = as_user(people["clerk"])
    answer = post(client, URL, body()).json()
    refused(
        post(client, f"{URL}/{answer['id']}/materials", {"materials": ["CL025"]}), 422, "not_in_checklist"
    )
    refused(post(client, f"{URL}/{answer['id']}/materials", {"materials": []}), 400, "invalid_parameter")
    assert Case.objects.filter(status=states.WAITING).count() == 2


def test_a_material_no_chosen_matter_asks_for_is_refused(people):
    answer = refused(
        post(as_user(people["clerk"]), URL, body(materials=["CL001", "CL025"])), 422, "not_in_checklist"
    )
    assert "CL025" in answer["message"]


# ---- API clients (bearer tokens), as on the case API ---------------------------------------------------------
def _bearer_post(token: str, url: str, data: dict):
    from tests.factories.api_clients import bearer

    return Client(enforce_csrf_checks=True).post(url, data, content_type="application/json", **bearer(token))


@pytest.mark.usefixtures("fresh_api_counters")
def test_an_api_client_holding_joint_write_submits_for_its_city_and_reads_with_cases_read(people):
    from routing.models import CaseEvent
    from tests.factories.api_clients import api_client, bearer

    client, token = api_client("粤省事", scopes=("joint:write", "cases:read"), cities=("442000",))
    response = _bearer_post(token, URL, body(channel="counter"))
    assert response.status_code == 201, response.content
    answer = response.json()
    application = JointApplication.objects.get(number=answer["id"])
    assert application.submitted_by == client.user
    assert set(CaseEvent.objects.filter(action="accept").values_list("api_client", flat=True)) == {client.pk}
    read = Client().get(f"{URL}/{answer['id']}", **bearer(token))
    assert read.status_code == 200 and read.json()["id"] == answer["id"]
    _writer, write_only = api_client("只交材料", scopes=("joint:write",), cities=("442000",))
    later = _bearer_post(write_only, f"{URL}/{answer['id']}/materials", {"materials": ["CL008"]})
    assert later.status_code == 200, later.content  # found through its 受理 scope (it holds no 业务状态查询)
    assert Client().get(f"{URL}/{answer['id']}", **bearer(write_only)).status_code == 403  # scope_missing


@pytest.mark.usefixtures("fresh_api_counters")
def test_an_api_client_without_the_scope_or_for_another_city_is_refused(people):
    from tests.factories.api_clients import api_client

    _client, cases_only = api_client("只能受理", scopes=("cases:write",), cities=("442000",))
    refused(_bearer_post(cases_only, URL, body()), 403, "scope_missing")
    _client, guangzhou = api_client("广州", scopes=("joint:write",), cities=("440100",))
    refused(_bearer_post(guangzhou, URL, body()), 403, "out_of_scope")
    assert not JointApplication.objects.exists()


def test_a_repeated_idempotency_key_answers_the_first_application_and_splits_nothing_again(people):
    """A retried submission (Idempotency-Key, as on POST /api/v1/cases) is one application, not a second one
    with a second set of cases, receipts and SMS."""
    client = as_user(people["clerk"])
    first = client.post(URL, body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="yss-lb-1")
    assert first.status_code == 201
    counts = (JointApplication.objects.count(), Case.objects.count())
    again = client.post(URL, body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="yss-lb-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (JointApplication.objects.count(), Case.objects.count()) == counts
    other = body(injury_date="2024-07-12")
    refused(
        client.post(URL, other, content_type="application/json", HTTP_IDEMPOTENCY_KEY="yss-lb-1"),
        422,
        "idempotency_key_reused",
    )
    refused(
        client.post(URL, body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="bad key"),
        400,
        "invalid_idempotency_key",
    )
    assert (JointApplication.objects.count(), Case.objects.count()) == counts
