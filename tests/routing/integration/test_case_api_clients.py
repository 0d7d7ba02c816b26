"""Case writes by API clients (issue 17): a bearer token instead of a console session — the client's scopes and
places decide, its service user acts (the same services and rules, four-eyes included), every event it causes
records the client, and each refusal has its reason code."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from permissions import api_auth
from permissions.models import ApiClient
from permissions.services import api_client_revoke
from routing import states
from routing.models import Case, CaseEvent
from routing.services import case_scan
from tests.factories.api_clients import api_client, bearer, fresh_api_counters  # noqa: F401
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, publish_demo, staff
from tests.routing.integration.test_case_api import body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_counters")]

CASES, ACQUIRE = "/api/v1/cases", "/api/v1/tasks/acquire"


@pytest.fixture
def demo(reference_data, superuser):
    publish_demo(superuser)
    return superuser


def call(token: str, url: str, data: dict | None = None):
    """A client's POST: JSON, its bearer token, and no session or CSRF token at all."""
    return Client(enforce_csrf_checks=True).post(
        url, data or {}, content_type="application/json", **bearer(token)
    )


def refused(response, status: int, reason_code: str) -> dict:
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["reason_code"] == reason_code and answer["message"], answer
    return answer


def test_a_client_accepts_a_case_for_its_city_and_every_event_records_it(demo):
    client, token = api_client("粤省事", scopes=("cases:write", "cases:read"), cities=("442000",))
    response = call(token, CASES, body(channel="yss"))
    assert response.status_code == 201, response.content
    receipt = response.json()["receipt_no"]
    case = Case.objects.get(receipt_no=receipt)
    assert case.accepted_by == client.user and case.status == states.SCANNED
    events = list(CaseEvent.objects.filter(case=case).values_list("action", "user", "api_client"))
    assert events == [("accept", client.user_id, client.pk), ("scan", client.user_id, client.pk)]
    # Its 追踪 through the API names the client beside its service user.
    detail = Client().get(f"{CASES}/{receipt}", **bearer(token)).json()
    assert [(e["by"], e["client"]) for e in detail["history"]] == [("api.粤省事", "粤省事")] * 2


def test_a_client_acting_for_an_agency_accepts_there_only(demo):
    _client, token = api_client("自助机", agencies=(ZHONGSHAN_AGENCY,))
    assert call(token, CASES, body()).status_code == 201
    refused(call(token, CASES, body(accepting_agency=GUANGZHOU_AGENCY)), 403, "out_of_scope")


def test_a_client_may_not_accept_for_another_city_and_nothing_is_written(demo):
    _client, token = api_client("粤省事", cities=("442000",))
    answer = refused(call(token, CASES, body(accepting_agency=GUANGZHOU_AGENCY)), 403, "out_of_scope")
    assert GUANGZHOU_AGENCY in answer["message"]
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_client_without_the_endpoints_scope_is_refused(demo):
    _reader, token = api_client("网厅", scopes=("reads", "cases:read"), cities=("442000",))
    refused(call(token, CASES, body()), 403, "scope_missing")
    refused(call(token, ACQUIRE, {"level": "first", "mode": "random"}), 403, "scope_missing")
    refused(call(token, "/api/v1/tasks/1/complete", {"outcome": "pass"}), 403, "scope_missing")
    refused(call(token, "/api/v1/tasks/1/release"), 403, "scope_missing")
    receipt = "2024030112000001"
    refused(
        call(token, f"{CASES}/{receipt}/push", {"target_agency": GUANGZHOU_AGENCY, "reason": "x"}),
        403,
        "scope_missing",
    )
    refused(call(token, "/api/v1/transfers", {"receipt_no": receipt, "target_agency": GUANGZHOU_AGENCY, "reason": "x"}), 403, "scope_missing")  # fmt: skip
    _writer, writer_token = api_client("自助机", scopes=("cases:write",), cities=("442000",))
    refused(Client().get(f"{CASES}/{receipt}", **bearer(writer_token)), 403, "scope_missing")
    assert not Case.objects.exists()


def test_an_unknown_a_malformed_or_a_revoked_token_is_refused(demo, django_capture_on_commit_callbacks):
    client, token = api_client("粤省事", cities=("442000",))
    refused(call("gsk_" + "x" * 43, CASES, body()), 401, "invalid_token")
    refused(
        Client().post(CASES, body(), content_type="application/json", HTTP_AUTHORIZATION="Bearer"),
        401,
        "invalid_token",
    )
    assert call(token, CASES, body()).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        api_client_revoke(client=client)
    refused(call(token, CASES, body()), 401, "invalid_token")
    assert Case.objects.count() == 1


def test_a_client_needs_no_csrf_token_while_a_session_still_does(demo):
    _client, token = api_client("粤省事", cities=("442000",))
    assert call(token, CASES, body()).status_code == 201
    clerk = Client(enforce_csrf_checks=True)
    clerk.force_login(staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY))
    refused(clerk.post(CASES, body(), content_type="application/json"), 403, "csrf_failed")
    refused(Client().post(CASES, body(), content_type="application/json"), 401, "unauthenticated")


def test_over_its_limit_a_client_gets_429_with_retry_after_and_is_served_the_next_minute(demo, monkeypatch):
    _client, token = api_client("自助机", cities=("442000",), rate_limit=2)
    start = 1_800_000_000.0 - 1_800_000_000.0 % 60
    monkeypatch.setattr(api_auth, "_now", lambda: start + 10)
    assert [call(token, CASES, body()).status_code for _ in range(2)] == [201, 201]
    response = call(token, CASES, body())
    answer = refused(response, 429, "rate_limited")
    assert response["Retry-After"] == "50" and answer["retry_after"] == 50
    assert Case.objects.count() == 2  # the refused call wrote nothing
    monkeypatch.setattr(api_auth, "_now", lambda: start + 61)
    assert call(token, CASES, body()).status_code == 201


def test_the_command_prints_a_token_that_accepts_a_case(demo):
    out = StringIO()
    call_command("create_api_client", "网上办事大厅", "--scope", "cases:write", "--city", "4420", stdout=out)
    token = re.search(r"^gsk_\S+$", out.getvalue(), re.MULTILINE).group(0)
    response = call(token, CASES, body(channel="web"))
    assert response.status_code == 201, response.content
    client = ApiClient.objects.get(name="网上办事大厅")
    assert set(CaseEvent.objects.values_list("api_client", flat=True)) == {client.pk}


def test_a_client_reviews_only_its_agencies_tasks_and_never_both_levels_of_one_case(demo):
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    gz_clerk = staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY)
    gz_case = accept(gz_clerk, accepting_agency=GUANGZHOU_AGENCY, insured_agency=GUANGZHOU_AGENCY)
    case_scan(receipt_no=gz_case.receipt_no, user=gz_clerk, defer=True)
    client, token = api_client("审核系统", scopes=("tasks:write",), cities=("442000",))
    refused(
        call(token, ACQUIRE, {"level": "first", "mode": "random"}), 404, "no_task"
    )  # 广州's task is not its
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    task = call(token, ACQUIRE, {"level": "first", "mode": "random"})
    assert task.status_code == 200 and task.json()["receipt_no"] == case.receipt_no
    done = call(
        token, f"/api/v1/tasks/{task.json()['id']}/complete", {"outcome": "pass", "opinion": "材料齐全"}
    )
    assert done.status_code == 200, done.content
    case.refresh_from_db()
    assert case.first_reviewer == client.user
    if case.review_levels == 2:  # the same client's service user never takes the second review
        refused(call(token, ACQUIRE, {"level": "second", "mode": "random"}), 404, "no_task")
    acted = CaseEvent.objects.filter(case=case, user=client.user)
    assert acted.exists() and set(acted.values_list("api_client", flat=True)) == {client.pk}


def test_a_client_pushes_a_case_and_the_trace_screen_names_it(demo, admin_client):
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    _other, other_token = api_client("广州系统", scopes=("transfers:write",), cities=("440100",))
    refused(call(other_token, f"{CASES}/{case.receipt_no}/push", {"target_agency": GUANGZHOU_AGENCY, "reason": "x"}), 404, "unknown_case")  # fmt: skip
    client, token = api_client("中山审核系统", scopes=("transfers:write",), cities=("442000",))
    pushed = call(
        token, f"{CASES}/{case.receipt_no}/push", {"target_agency": GUANGZHOU_AGENCY, "reason": "广州参保"}
    )
    assert pushed.status_code == 200, pushed.content
    assert pushed.json()["handling_agency"] == GUANGZHOU_AGENCY
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.api_client_id) == (states.REASSIGN, client.pk)
    trace = admin_client.get(reverse("admin:routing_case_trace", args=[case.receipt_no]))
    cell = '<td class="nowrap">中山审核系统</td>'  # the 接口调用方 column (the 操作人 is api.中山审核系统)
    assert trace.status_code == 200 and trace.content.decode().count(cell) == 1
    detail = admin_client.get(reverse("admin:routing_case_detail", args=[case.receipt_no]))
    assert detail.content.decode().count(cell) == 1


def test_console_events_record_no_client(demo):
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    console = Client()
    console.force_login(clerk)
    assert console.post(CASES, body(), content_type="application/json").status_code == 201
    assert set(CaseEvent.objects.values_list("api_client", flat=True)) == {None}
