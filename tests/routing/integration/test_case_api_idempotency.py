"""Idempotency-Key on POST /api/v1/cases (issue 17): a client that retries an acceptance — its connection dropped
after the case committed (fault_web_worker_kill.py: 17 of 82 dropped acceptances had committed) — gets the case its
first try made, never a second case, receipt number or SMS."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from routing.idempotency.models import IdempotencyKey
from routing.idempotency.services import idempotency_keys_purge
from routing.models import Case, CaseEvent
from sms_templates.models import SmsMessage
from tests.factories.api_clients import api_client, bearer, fresh_api_counters  # noqa: F401
from tests.factories.cases import ZHONGSHAN_AGENCY, publish_demo, staff
from tests.routing.integration.test_case_api import body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_counters")]

CASES = "/api/v1/cases"


@pytest.fixture
def clerk(reference_data, superuser):
    publish_demo(superuser)
    return staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)


def post(client: Client, data: dict, key: str | None = None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(CASES, data, content_type="application/json", **headers)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_repeated_key_answers_the_first_case_and_writes_nothing_more(clerk):
    client, data = signed_in(clerk), body()
    first = post(client, data, "GDWT-20261203-000001")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    writes = (Case.objects.count(), CaseEvent.objects.count(), SmsMessage.objects.count())
    again = post(client, data, "GDWT-20261203-000001")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (Case.objects.count(), CaseEvent.objects.count(), SmsMessage.objects.count()) == writes
    # The same request under another key, or without one, is another acceptance.
    assert post(client, data, "GDWT-20261203-000002").json()["receipt_no"] != first.json()["receipt_no"]
    assert post(client, data).status_code == 201
    assert Case.objects.count() == writes[0] + 2


def test_the_replay_shows_the_case_as_it_stands_now(clerk):
    client, data = signed_in(clerk), body(materials=["CL009"])
    first = post(client, data, "k-1").json()
    assert first["status"] == "pending_correction"
    Case.objects.filter(receipt_no=first["receipt_no"]).update(status="scanned")
    assert post(client, data, "k-1").json()["status"] == "scanned"


def test_the_same_request_with_its_fields_in_another_order_is_the_same_request(clerk):
    client, data = signed_in(clerk), body()
    first = post(client, data, "k-1").json()
    reordered = dict(reversed(list(data.items())))
    assert post(client, reordered, "k-1").json() == first


def test_a_key_used_for_another_request_is_refused_and_nothing_is_written(clerk):
    client = signed_in(clerk)
    post(client, body(), "k-1")
    count = Case.objects.count()
    other = body(injury_date="2024-03-02")
    response = post(client, other, "k-1")
    assert response.status_code == 422
    assert response.json()["reason_code"] == "idempotency_key_reused" and "k-1" in response.json()["message"]
    assert Case.objects.count() == count


@pytest.mark.parametrize("key", ["", " ", "x" * 65, "有中文", "a b", "a\tb", '"'])
def test_a_key_that_is_not_one_is_refused_before_anything_is_written(clerk, key):
    response = post(signed_in(clerk), body(), key)
    assert response.status_code == 400 and response.json()["reason_code"] == "invalid_idempotency_key"
    assert not Case.objects.exists()


def test_the_structured_field_form_of_the_key_is_the_same_key(clerk):
    client, data = signed_in(clerk), body()
    first = post(client, data, '"8e03978e-40d5-43e8-bc93-6894a57f9324"').json()
    again = post(client, data, "8e03978e-40d5-43e8-bc93-6894a57f9324")
    assert again["Idempotent-Replayed"] == "true" and again.json() == first


def test_keys_are_per_caller_one_callers_key_never_answers_anothers_case(clerk):
    other = staff("zs_clerk2", "clerk", agency=ZHONGSHAN_AGENCY)
    mine = post(signed_in(clerk), body(), "shared").json()
    theirs = post(signed_in(other), body(), "shared")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert theirs.json()["receipt_no"] != mine["receipt_no"]


def test_an_api_clients_retry_is_answered_from_its_key(clerk):
    _client, token = api_client("粤省事", scopes=("cases:write",), cities=("442000",))
    data = body(channel="yss")
    first = post(Client(enforce_csrf_checks=True), data, "yss-1", **bearer(token))
    again = post(Client(enforce_csrf_checks=True), data, "yss-1", **bearer(token))
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert Case.objects.count() == 1


def test_a_refused_acceptance_keeps_no_key_so_the_corrected_retry_is_accepted(clerk):
    client = signed_in(clerk)
    bad = body(applicant={**body()["applicant"], "id_number": "440101199001011234"})
    assert post(client, bad, "k-1").status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert post(client, body(), "k-1").status_code == 201


def test_keys_past_their_days_are_forgotten_and_purged(clerk, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 7
    client, data = signed_in(clerk), body()
    first = post(client, data, "k-1").json()
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    again = post(client, data, "k-1")  # forgotten: a new acceptance, the key now names it
    assert "Idempotent-Replayed" not in again and again.json()["receipt_no"] != first["receipt_no"]
    assert IdempotencyKey.objects.get().reference == again.json()["receipt_no"]
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert idempotency_keys_purge() == 1 and not IdempotencyKey.objects.exists()


def test_the_openapi_schema_names_the_header(clerk):
    operation = Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/cases"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in operation["parameters"]]


@pytest.mark.django_db(transaction=True)
def test_two_tries_of_one_key_at_the_same_moment_make_one_case(reference_data, superuser):
    """The second try waits at the key's unique row until the first commits, then answers its case (PostgreSQL);
    SQLite serialises the two writes, with the same outcome."""
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    data, barrier, answers = body(), threading.Barrier(2), []

    def attempt():
        try:
            client = signed_in(clerk)
            barrier.wait()
            response = post(client, data, "same-moment")
            answers.append((response.status_code, response.json()["receipt_no"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [201, 201]
    assert len({receipt for _, receipt in answers}) == 1
    assert Case.objects.count() == 1
