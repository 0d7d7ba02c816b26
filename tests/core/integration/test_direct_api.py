"""core.direct_api: the checklist and route operations served by a plain view answer exactly what ninja's own view
of the same operation answers — status, body and headers — for good requests and for every kind of bad one, with
the reads open and closed (API_READS_REQUIRE_CLIENT), with and without a token."""

import json

import pytest
from django.test import RequestFactory, override_settings
from django.urls import URLResolver, resolve, reverse
from django.urls.resolvers import RoutePattern

from config_center.project.api import DIRECT_VIEWS, api
from tests.factories.api_clients import api_client, bearer, fresh_api_counters  # noqa: F401
from tests.factories.cases import publish_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_counters")]

ROUTE = {
    "matter": "GS0101",
    "accepting_agency": "442099",
    "insured_agency": "442099",
    "injury_date": "2024-03-01",
}
CHECKLIST_QUERIES = [
    "matter=GS0101&region=442000&channel=counter",  # an answer
    "matter=GS0101&region=442000&channel=counter",  # the same, from the kept bytes
    "matter=GS0101&region=442000&channel=web",
    "matter=NOPE&region=442000&channel=counter",  # 400 unknown_matter
    "matter=GS0101&region=445300&channel=counter",  # not bound there
    "matter=GS0101&region=442000&channel=fax",
    "matter=&region=442000",  # 400 invalid_parameter, two fields
    "",
    "matter=GS0101&region=442000&channel=counter&extra=1",  # 400 unknown_parameter
    "matter=NOPE&matter=GS0101&region=442000&channel=counter",  # the last value, as ninja
    "matter=" + "X" * 40 + "&region=442000&channel=counter",  # too long
    "matter=%ED%A0%80&region=442000&channel=counter",  # a lone surrogate's bytes
]
ROUTE_BODIES = [
    json.dumps(ROUTE),
    json.dumps({**ROUTE, "accepting_agency": "440199"}),  # 通办
    json.dumps({**ROUTE, "advance_payment": True}),
    json.dumps({**ROUTE, "injury_date": "2019-06-30"}),
    json.dumps({**ROUTE, "matter": "NOPE"}),
    json.dumps({**ROUTE, "insured_agency": "999999"}),
    json.dumps({**ROUTE, "extra": 1}),  # extra fields forbidden
    json.dumps({**ROUTE, "injury_date": "2024-02-30"}),
    json.dumps({**ROUTE, "advance_payment": "yes"}),
    json.dumps({**ROUTE, "matter": 12}),
    json.dumps({k: v for k, v in ROUTE.items() if k != "matter"}),
    '{"matter": "GS0101", "matter": "NOPE", "accepting_agency": "442099", "insured_agency": "442099", '
    '"injury_date": "2024-03-01"}',  # a repeated name
    "[]",
    '"text"',
    "null",
    "",
    "{bad",
    '{"matter": NaN}',
    json.dumps({**ROUTE, "matter": "\ud800"}),  # a lone surrogate, escaped
]


def _ninja_view(path: str):
    """ninja's own view of the operation at ``path`` (its URL patterns as ninja builds them)."""
    return URLResolver(RoutePattern("api/v1/"), api.urls[0]).resolve(path.lstrip("/")).func


def _compare(request_for):
    direct_answer = resolve(request_for().path).func(request_for())
    ninja_answer = _ninja_view(request_for().path)(request_for())
    assert direct_answer.status_code == ninja_answer.status_code, direct_answer.content
    assert direct_answer.content == ninja_answer.content
    for header in ("Content-Type", "Allow", "Retry-After"):
        assert direct_answer.get(header) == ninja_answer.get(header), header
    return direct_answer


@pytest.fixture
def published(reference_data, superuser):
    publish_demo(superuser)


def test_the_marked_operations_are_served_directly_under_their_names():
    assert set(DIRECT_VIEWS) == {"checklist", "route"}
    for name in DIRECT_VIEWS:
        url = reverse(f"api-v1:{name}")
        assert url == f"/api/v1/{name}"
        assert resolve(url).func is DIRECT_VIEWS[name]


@pytest.mark.parametrize("query", CHECKLIST_QUERIES)
def test_checklist_answers_as_ninja_answers(published, query):
    _compare(lambda: RequestFactory().get("/api/v1/checklist?" + query))


@pytest.mark.parametrize("body", ROUTE_BODIES)
def test_route_answers_as_ninja_answers(published, body):
    _compare(lambda: RequestFactory().post("/api/v1/route", body, content_type="application/json"))


def test_a_form_body_and_a_wrong_method_are_answered_as_ninja_answers(published):
    _compare(lambda: RequestFactory().post("/api/v1/route", {"matter": "GS0101"}))  # form-encoded
    assert _compare(lambda: RequestFactory().get("/api/v1/route")).status_code == 405
    assert _compare(lambda: RequestFactory().put("/api/v1/checklist")).status_code == 405


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_limit_is_answered_as_ninja_answers(published):
    body = json.dumps({**ROUTE, "matter": "X" * 200})
    assert (
        _compare(
            lambda: RequestFactory().post("/api/v1/route", body, content_type="application/json")
        ).status_code
        == 413
    )


@pytest.mark.parametrize("closed", [False, True])
def test_tokens_and_closed_reads_are_answered_as_ninja_answers(published, settings, closed):
    settings.API_READS_REQUIRE_CLIENT = closed
    _reader, reads = api_client("网厅", scopes=("reads",), cities=("442000",))
    _writer, cases_only = api_client("自助机", scopes=("cases:write",), cities=("442000",))
    _limited, limited = api_client("粤省事", scopes=("reads",), cities=("442000",), rate_limit=1)
    query = "/api/v1/checklist?" + CHECKLIST_QUERIES[0]
    DIRECT_VIEWS["checklist"](RequestFactory().get(query, **bearer(limited)))  # its one request this minute:
    # both views then answer it over its limit (a view that skipped the check would answer 200)
    for headers in ({}, bearer(reads), bearer(cases_only), bearer("gsk_" + "x" * 43), bearer(limited)):
        _compare(lambda headers=headers: RequestFactory().get(query, **headers))
        _compare(
            lambda headers=headers: RequestFactory().post(
                "/api/v1/route", json.dumps(ROUTE), content_type="application/json", **headers
            )
        )


# ---- an answer known by its query string ------------------------------------------------------------------
@pytest.fixture
def parses(monkeypatch):
    """How many times the direct view parsed a request's parameter."""
    from core import direct_api

    seen = []
    original = direct_api.Direct.parse

    def counting(self, request):
        seen.append(request.META.get("QUERY_STRING"))
        return original(self, request)

    monkeypatch.setattr(direct_api.Direct, "parse", counting)
    return seen


def _checklist(query: str, **headers):
    return DIRECT_VIEWS["checklist"](RequestFactory().get("/api/v1/checklist?" + query, **headers))


def test_a_query_string_answered_before_is_answered_again_without_parsing(published, parses):
    from config_center.runtime.holder import runtime

    query = "matter=GS0101&region=442000&channel=web"
    first = _checklist(query)
    again = _checklist(query)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content and len(parses) == 1
    _compare(lambda: RequestFactory().get("/api/v1/checklist?" + query))  # ninja's answer is the same bytes
    reordered = _checklist("channel=web&region=442000&matter=GS0101")  # the same question in other bytes
    assert reordered.content == first.content and len(parses) == 2
    runtime.reset()  # a new snapshot (as a publish or rollback installs): nothing known of the old one
    assert _checklist(query).content == first.content and len(parses) == 3


def test_refusals_and_long_query_strings_are_never_known(published, parses):
    for _attempt in range(2):
        assert _checklist("matter=NOPE&region=442000&channel=counter").status_code == 400
        long = "matter=X&" * 40 + "matter=GS0101&region=442000&channel=counter"
        assert _checklist(long).status_code == 200
    assert len(parses) == 4


def test_a_known_answer_still_passes_the_reads_gate(published, settings, parses):
    query = "matter=GS0101&region=442000&channel=counter"
    assert _checklist(query).status_code == 200
    settings.API_READS_REQUIRE_CLIENT = True
    refused = _checklist(query)
    assert refused.status_code == 401 and json.loads(refused.content)["reason_code"] == "client_required"
    _reader, reads = api_client("网厅", scopes=("reads",), cities=("442000",))
    assert _checklist(query, **bearer(reads)).status_code == 200
    assert len(parses) == 1
