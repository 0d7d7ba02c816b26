"""core.sessionless: the API's open reads sent without a session cookie are served by a handler with only the
middleware that concern them, and answer exactly what the full handler answers (status, every header, body); pages,
writes and reads with a console session get the full middleware (sessions in the admin, CSRF on session writes)."""

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path, resolve, reverse
from simple_history.models import HistoricalRecords

from config_center.project.api import API_PATH, DIRECT_VIEWS
from core import sessionless
from tests.factories.api_clients import api_client, bearer, fresh_api_counters  # noqa: F401
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
    for declared_path in declared:
        match = resolve(declared_path)
        assert match.namespace == "api-v1" or match.func in direct, declared_path
    assert "/api/v1/cases" not in declared
    assert "/api/v1/tasks/acquire" not in declared
    assert reverse("api-v1:checklist") == API_PATH + "checklist"  # urls.py mounts the API where api.py says


def test_every_declared_read_is_csrf_exempt():
    """Why the sessionless handler may leave CSRF out: the views it can reach check no CSRF token anyway (ninja
    checks CSRF itself where a cookie authenticates, and a sessionless read has no cookie)."""
    for declared in sessionless.sessionless_paths():
        assert getattr(resolve(declared).func, "csrf_exempt", False), declared


# ---- which middleware -------------------------------------------------------------------------------------
def test_the_sessionless_middleware_are_the_settings_without_the_skips_in_the_same_order():
    chain = sessionless.sessionless_middleware(settings.MIDDLEWARE, settings.SESSIONLESS_SKIPS)
    assert chain == [
        "core.middleware.DatabaseBusyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "core.middleware.ContentSecurityPolicyMiddleware",
        sessionless.ANONYMOUS_MIDDLEWARE,
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


def test_a_middleware_added_later_runs_for_the_reads_unless_named_a_skip():
    added = [*settings.MIDDLEWARE, "example.NewMiddleware"]
    assert (
        sessionless.sessionless_middleware(added, settings.SESSIONLESS_SKIPS)[-1] == "example.NewMiddleware"
    )
    with pytest.raises(ValueError, match="not in MIDDLEWARE"):
        sessionless.sessionless_middleware(settings.MIDDLEWARE, ["example.Gone"])
    with pytest.raises(ValueError, match="its place is taken"):
        sessionless.sessionless_middleware(settings.MIDDLEWARE, [sessionless.SESSION_MIDDLEWARE])


def test_loading_the_handler_leaves_the_settings_as_they_were():
    before = list(settings.MIDDLEWARE)
    handler = sessionless.SessionlessHandler()
    assert settings.MIDDLEWARE == before
    assert handler._middleware_chain is not None


# ---- which requests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path_info", "cookie", "expected"),
    [
        ("/api/v1/checklist", None, True),
        ("/api/v1/route", "", True),
        ("/api/v1/regions", "csrftoken=abc; lang=zh", True),
        ("/api/v1/route", "xsessionid=1", True),  # another cookie whose name holds the session cookie's
        ("/api/v1/route", "sessionid=abc", False),
        ("/api/v1/checklist", "csrftoken=abc; sessionid=abc", False),
        ("/api/v1/route/", None, False),
        ("/api/v1/cases", None, False),
        ("/admin/", None, False),
        ("/", None, False),
    ],
)
def test_a_declared_read_without_a_session_cookie_is_sessionless(path_info, cookie, expected):
    environ = {"PATH_INFO": path_info}
    if cookie is not None:
        environ["HTTP_COOKIE"] = cookie
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert sessionless.is_sessionless(environ) is expected


def test_the_application_sends_each_request_to_its_handler():
    def named(name):
        return lambda environ, start_response: name

    application = sessionless.sessionless_application(named("full"), named("sessionless"))
    assert application({"PATH_INFO": "/api/v1/route"}, None) == "sessionless"
    assert application({"PATH_INFO": "/api/v1/route", "HTTP_COOKIE": "sessionid=1"}, None) == "full"
    assert application({"PATH_INFO": "/api/v1/cases"}, None) == "full"


# ---- what the view sees -----------------------------------------------------------------------------------
def _probe(request):
    request.seen = {
        "session": hasattr(request, "session"),
        "user": request.user,
        "messages": hasattr(request, "_messages"),
        "history": hasattr(HistoricalRecords.context, "request"),
        "csrf": "CSRF_COOKIE" in request.META,
    }
    _probe.last = request.seen
    return HttpResponse("ok")


urlpatterns = [path("api/v1/checklist", _probe)]


@pytest.fixture
def handlers():
    """Both handlers as the WSGI entry point builds them (built when first used: middleware read some settings
    when built), called as a WSGI server calls them. Like Django's test client, requests here leave the test's
    database connection open (close_old_connections would close it inside the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _Handlers()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _Handlers(dict):
    def __missing__(self, name):
        self[name] = WSGIHandler() if name == "full" else sessionless.SessionlessHandler()
        return self[name]


def _call(handler, request):
    """(status, headers, body) of ``handler``'s answer to the WSGI environ of ``request`` (a RequestFactory one)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, headers

    chunks = handler(request.environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        chunks.close()
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_sessionless_read_gets_no_session_messages_history_or_csrf_cookie_and_is_anonymous(handlers):
    status, headers, _body = _call(handlers["sessionless"], RequestFactory().get("/api/v1/checklist"))
    assert status == "200 OK"
    seen = _probe.last
    assert seen == {
        "session": False,
        "user": seen["user"],
        "messages": False,
        "history": False,
        "csrf": False,
    }
    assert isinstance(seen["user"], AnonymousUser) and not seen["user"].is_authenticated
    assert not [name for name, _value in headers if name in ("Vary", "Set-Cookie")]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_the_full_handler_gives_a_console_session_everything(handlers, superuser):
    client = Client()
    client.force_login(superuser)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    request = RequestFactory().get("/api/v1/checklist", HTTP_COOKIE=cookie)
    assert not sessionless.is_sessionless(request.environ)
    assert _call(handlers["full"], request)[0] == "200 OK"
    seen = _probe.last
    assert seen["session"] and seen["messages"] and seen["history"]
    assert seen["user"] == superuser


# ---- the same answers -------------------------------------------------------------------------------------
ROUTE = {
    "matter": "GS0101",
    "accepting_agency": "442099",
    "insured_agency": "442099",
    "injury_date": "2024-03-01",
}
READ_REQUESTS = [
    ("get", "/api/v1/checklist?matter=GS0101&region=442000&channel=counter", None),
    ("get", "/api/v1/checklist?matter=NOPE&region=442000&channel=counter", None),  # 400 unknown_matter
    ("get", "/api/v1/checklist?matter=&region=442000", None),  # 400 invalid_parameter
    ("post", "/api/v1/route", json.dumps(ROUTE)),
    ("post", "/api/v1/route", json.dumps({**ROUTE, "accepting_agency": "440199"})),  # 通办
    ("post", "/api/v1/route", json.dumps({**ROUTE, "insured_agency": "999999"})),
    ("post", "/api/v1/route", "{bad"),
    ("post", "/api/v1/route", "x" * 3_000_000),  # over DATA_UPLOAD_MAX_MEMORY_SIZE: 413
    ("get", "/api/v1/route", None),  # 405
    ("get", "/api/v1/regions", None),
    ("get", "/api/v1/agencies?region=442000", None),
    ("get", "/api/v1/channels", None),
    ("get", "/api/v1/matters?limit=5", None),
    ("get", "/api/v1/materials?limit=5&offset=5", None),
    ("get", "/api/v1/matters?limit=-1", None),
    ("post", "/api/v1/regions", "{}"),  # 405
]


def _request(method, url, body, **extra):
    factory = RequestFactory()
    if method == "get":
        return factory.get(url, **extra)
    return factory.post(url, body, content_type="application/json", **extra)


def _same_answer(handlers, method, url, body, **extra):
    full = _call(handlers["full"], _request(method, url, body, **extra))
    lean = _call(handlers["sessionless"], _request(method, url, body, **extra))
    assert lean[0] == full[0] and lean[2] == full[2], (method, url)
    assert lean[1] == full[1], (
        [h for h in full[1] if h not in lean[1]] + ["||"] + [h for h in lean[1] if h not in full[1]]
    )
    return full


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_api_counters")
def test_every_read_answers_as_through_the_full_middleware(handlers, reference_data, superuser):
    publish_demo(superuser)
    statuses = set()
    for method, url, body in READ_REQUESTS:
        assert sessionless.is_sessionless(_request(method, url, body).environ), url
        status, headers, _body = _same_answer(handlers, method, url, body)
        statuses.add(status.split()[0])
        names = {name for name, _value in headers}
        # the checks the sessionless handler keeps, there on every answer
        assert {
            "Content-Security-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Content-Length",
        } <= names
    assert statuses >= {"200", "400", "405", "413"}


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_api_counters")
def test_hosts_tokens_closed_reads_and_https_answer_as_through_the_full_middleware(
    handlers, reference_data, superuser, settings
):
    publish_demo(superuser)
    _reader, reads = api_client("网厅", scopes=("reads",), cities=("442000",))
    checklist = READ_REQUESTS[0][:2] + (None,)
    assert _same_answer(handlers, *checklist, HTTP_HOST="evil.example")[0].startswith("400")  # the host check
    for closed in (False, True):
        settings.API_READS_REQUIRE_CLIENT = closed
        for headers in ({}, bearer(reads), bearer("gsk_" + "x" * 43)):
            _same_answer(handlers, *checklist, **headers)
            _same_answer(handlers, "post", "/api/v1/route", json.dumps(ROUTE), **headers)
    settings.API_READS_REQUIRE_CLIENT = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    handlers.clear()  # built again: the security middleware reads these when built
    redirected = _same_answer(handlers, *checklist)
    assert redirected[0].startswith("301")
    secure = _same_answer(handlers, *checklist, secure=True)
    assert dict(secure[1])["Strict-Transport-Security"].startswith("max-age=3600")


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
