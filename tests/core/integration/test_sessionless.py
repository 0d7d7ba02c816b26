"""core.sessionless: the API's open reads skip session, user lookup, messages and history only when no session
cookie comes with them; pages, writes and reads with a console session get the full middleware (sessions in the
admin, CSRF on session writes)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from simple_history.models import HistoricalRecords

from config_center.project.api import API_PATH, DIRECT_VIEWS
from core import sessionless
from tests.factories.cases import GS0101_MAIN, ZHONGSHAN_AGENCY, id_card, publish_demo, staff

CHECKLIST = "/api/v1/checklist?matter=GS0101&region=442000&channel=counter"
ACCEPTANCE = {
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
READS = {
    "/api/v1/regions",
    "/api/v1/agencies",
    "/api/v1/channels",
    "/api/v1/matters",
    "/api/v1/materials",
    "/api/v1/checklist",
    "/api/v1/route",
}


def test_the_declared_paths_are_the_open_reads_and_nothing_else():
    declared = sessionless.sessionless_paths()
    assert READS <= declared
    direct = set(DIRECT_VIEWS.values())  # also mounted first at the root (api.direct_urls), unnamed there
    for path in declared:
        match = resolve(path)
        assert match.namespace == "api-v1" or match.func in direct, path
    assert "/api/v1/cases" not in declared
    assert "/api/v1/tasks/acquire" not in declared
    assert reverse("api-v1:checklist") == API_PATH + "checklist"  # urls.py mounts the API where api.py says


def _wrapped(view):
    """``view`` behind the four middleware, in the settings' order."""
    for middleware in (
        sessionless.HistoryRequestMiddleware,
        sessionless.MessageMiddleware,
        sessionless.AuthenticationMiddleware,
        sessionless.SessionMiddleware,
    ):
        view = middleware(view)
    return view


def _seen(path: str, **extra):
    """What the view sees after the four middleware, for a request to ``path``."""
    seen = {}

    def view(request):
        seen["session"] = hasattr(request, "session")
        seen["user"] = request.user
        seen["messages"] = hasattr(request, "_messages")
        seen["history"] = hasattr(HistoricalRecords.context, "request")
        return HttpResponse("ok")

    chain = _wrapped(view)
    response = chain(RequestFactory().get(path, **extra))
    assert response.status_code == 200
    return seen, response


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(READS))
def test_a_read_without_a_session_cookie_gets_no_session_messages_or_history_and_is_anonymous(path):
    seen, response = _seen(path)
    assert seen == {"session": False, "user": seen["user"], "messages": False, "history": False}
    assert isinstance(seen["user"], AnonymousUser)
    assert "Vary" not in response and not response.cookies


@pytest.mark.django_db
def test_a_read_with_a_session_cookie_gets_the_full_middleware(superuser):
    client = Client()
    client.force_login(superuser)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    seen, _response = _seen("/api/v1/checklist", HTTP_COOKIE=cookie)
    assert seen["session"] and seen["messages"] and seen["history"]
    assert seen["user"] == superuser


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/route/", "/api/v1/checklistx", "/admin/", "/"])
def test_other_paths_get_the_full_middleware_without_a_cookie_too(path):
    seen, _response = _seen(path)
    assert seen["session"] and seen["messages"] and seen["history"]
    assert isinstance(seen["user"], AnonymousUser)


def test_sessionless_is_judged_once_per_request():
    request = RequestFactory().get("/api/v1/route")
    assert sessionless.is_sessionless(request)
    request.path_info = (
        "/admin/"  # judged already: the middleware agree with each other whatever happens later
    )
    assert sessionless.is_sessionless(request)


@pytest.mark.django_db
def test_the_middleware_step_aside_in_async_mode_too(superuser):
    """Under ASGI each middleware is built around a coroutine: a sessionless read is handed the next layer's
    coroutine, anything else takes the middleware's own async path."""
    import asyncio

    seen = []

    async def view(request):
        seen.append((hasattr(request, "session"), type(request.user).__name__))
        return HttpResponse("ok")

    chain = _wrapped(view)
    for path in ("/api/v1/checklist", "/admin/"):
        response = asyncio.run(chain(RequestFactory().get(path)))
        assert response.status_code == 200
    assert seen == [(False, "AnonymousUser"), (True, "SimpleLazyObject")]


# ---- through the whole stack ------------------------------------------------------------------------------
def test_the_reads_answer_as_before_without_setting_a_cookie(reference_data, superuser):
    publish_demo(superuser)
    response = Client().get(CHECKLIST)
    assert response.status_code == 200 and response.json()["main"]
    assert not response.cookies
    refused = Client().post("/api/v1/route", {"matter": "nope"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["reason_code"] == "invalid_parameter"


def test_the_admin_session_still_works(reference_data, superuser):
    client = Client(enforce_csrf_checks=True)
    login = client.get("/admin/login/")
    token = login.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "pw-for-tests-only", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.content[:500]
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert client.get("/admin/").status_code == 200
    # The same session reads the API through the full middleware and stays signed in.
    assert client.get(CHECKLIST).status_code in (200, 404)
    assert client.get("/admin/").status_code == 200


def test_csrf_is_still_enforced_on_session_writes(reference_data, superuser):
    publish_demo(superuser)
    clerk = staff("clerk-sessionless", "clerk", agency=ZHONGSHAN_AGENCY)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    refused = client.post("/api/v1/cases", ACCEPTANCE, content_type="application/json")
    assert (refused.status_code, refused.json()["reason_code"]) == (403, "csrf_failed")
    client.get("/admin/")  # the console page sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        "/api/v1/cases", ACCEPTANCE, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content[:500]
    assert accepted.json()["receipt_no"]


def test_a_write_without_a_session_is_refused_as_before(reference_data):
    refused = Client().post("/api/v1/cases", ACCEPTANCE, content_type="application/json")
    assert (refused.status_code, refused.json()["reason_code"]) == (401, "unauthenticated")


def test_the_open_reads_come_first_and_every_api_path_resolves_as_ninja_mounts_it():
    """urls.py mounts ninja's patterns with the open reads first (api_urls): the order saves the reads a dozen
    failed matches and changes no path's view or name."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    from config_center.project.api import OPEN_READS, api, api_urls

    ordered, _, _ = api_urls()
    reads = [str(pattern.pattern) for pattern in ordered[: len(OPEN_READS)]]
    assert set(reads) == OPEN_READS
    original = URLResolver(RoutePattern("api/v1/"), api.urls[0])
    for pattern in api.urls[0]:
        route = str(pattern.pattern)
        sample = "/api/v1/" + route.replace("<number>", "LB1").replace("<receipt_no>", "R1").replace(
            "<task_id>", "7"
        )
        mounted = get_resolver().resolve(sample)
        expected = original.resolve(sample.lstrip("/"))
        if route in DIRECT_VIEWS:  # served by its plain view (core.direct_api), found at the root first
            assert mounted.func is DIRECT_VIEWS[route] and expected.url_name == route
            continue
        # ninja builds its views anew on each call of api.urls: the operation is named by its URL name
        assert (mounted.url_name, mounted.route, mounted.kwargs) == (
            expected.url_name,
            "api/v1/" + expected.route,
            expected.kwargs,
        ), route
