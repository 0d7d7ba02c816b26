"""The bad-input and schema checks of the hardening issue (11), against gunicorn + PostgreSQL + Redis (issue 17).

    python tests/reliability/live_hardening.py [--examples 30] [pytest options, e.g. -x -k csrf]

The suite's own checks (tests/config_center/integration/test_openapi_conformance.py, test_api_errors.py, and the
case API's refusals in tests/routing/integration/test_case_api.py) call the console in-process, on the test
settings and mostly SQLite. This runs them where production runs: a PostgreSQL cluster and a Redis of the script's
own (never the machine's), ``DEBUG=0``, gunicorn with 2 workers (the repository's gunicorn config once committed),
every request over HTTP:
  - schemathesis over every operation of the live ``/api/v1/openapi.json`` (``--examples`` each, positive and
    negative data) as a signed-in superuser with the CSRF token: no server error, every answer as documented (status,
    content type, schema), a schema-valid request refused only for naming something that does not exist;
  - the inputs that broke main before issue 11, and the refusals every input has: a lone surrogate, an offset no
    database can take, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, malformed JSON, an unknown parameter or field,
    NUL and other control characters (PostgreSQL refuses NUL: it must never get there), too many materials, too long
    values, a task id beyond the database's integer — each a 4xx in JSON with its reason code, nothing written;
  - a session is required and a write needs the CSRF token; the login lockout holds over gunicorn's processes
    (its counters in PostgreSQL, the cache in Redis); the Content-Security-Policy on pages and the API.
It is pytest underneath (``--noconftest``, without pytest-django: the server is the one under test, not a test
database); the default ``pytest`` run never collects this file (its name does not start with ``test_``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reliability import harness  # noqa: E402

# Read when pytest imports this module (main() passes --examples through the environment).
EXAMPLES = int(os.environ.get("LIVE_HARDENING_EXAMPLES", "30"))
CASES = "/api/v1/cases"
PASSWORD = "live-hardening-pw-1"


class Live:
    """The running console: its port, a signed-in superuser's headers, and a few helpers over HTTP."""

    def __init__(self, stack: harness.Stack, web: harness.Gunicorn, users: dict):
        self.stack, self.web, self.users = stack, web, users
        self.port = web.port
        self.base_url = f"http://127.0.0.1:{web.port}"
        self.staff = harness.session_headers(users["root"])
        self.clerk = harness.session_headers(users["clerks"][0])

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        elif isinstance(body, str):
            body = body.encode("utf-8", errors="surrogatepass")
        headers = {"Content-Type": "application/json", **(headers or {})}
        status, response_headers, payload = self.web.request(method, path, body, headers)
        return Answer(status, response_headers, payload)

    def cases(self) -> int:
        from django.db import close_old_connections

        from routing.models import Case

        close_old_connections()
        return Case.objects.count()


class Answer:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> dict:
        assert self.headers.get("content-type", "").startswith("application/json"), (
            self.status,
            self.body[:300],
        )
        return json.loads(self.body)

    def refused(self, status: int, *reason_codes: str) -> dict:
        assert self.status == status, (self.status, self.body[:300])
        answer = self.json()
        assert answer["reason_code"] in reason_codes and answer["message"], answer
        return answer


def start() -> tuple[harness.Stack, Live]:
    """The console as production runs it, with a superuser, a 中山 clerk and a user to lock out."""
    stack = harness.Stack(redis=True, name="live-hardening").__enter__()
    try:
        stack.setup_django()
        from django.contrib.auth import get_user_model

        from config_center.runtime.holder import runtime

        runtime.watch, runtime.report = False, False
        users = harness.prepare_cases()
        root = users["root"]
        root.set_password(PASSWORD)
        root.save()
        get_user_model().objects.create_user("lockout-target", password=PASSWORD, is_staff=True)
        stack.collectstatic()
        web = stack.gunicorn(workers=2)
    except BaseException:
        stack.__exit__(*sys.exc_info())
        raise
    print(
        f"PostgreSQL :{stack.postgres.port}, Redis :{stack.redis.port}, {web.describe()}; "
        f"schemathesis: {EXAMPLES} examples an operation",
        flush=True,
    )
    return stack, Live(stack, web, users)


def _running() -> Live | None:
    # main() starts the console before pytest imports this module (so that schemathesis reads the live schema at
    # import, as the suite's test reads its in-process one) and leaves it in the harness module, the one module
    # this script and the copy of it that pytest imports share.
    return getattr(harness, "live_hardening", None)


@pytest.fixture(scope="session")
def live() -> Live:
    running = _running()
    if running is None:
        pytest.skip("run as a script: python tests/reliability/live_hardening.py")
    return running


# ---- schemathesis over every operation ---------------------------------------------------------------------
def _refused_only_for_unknown_codes(ctx, response, case):
    """As in test_openapi_conformance.py: a well-formed request may name a matter, region, channel, agency or
    template that does not exist (400 ``unknown_*``), but is never refused as malformed."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    reason = response.json().get("reason_code", "")
    assert reason.startswith("unknown_") or reason == "template_or_content", (
        f"a schema-valid request was refused as {reason}: {response.text[:300]}"
    )
    return None


def _schema_test():
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    running = _running()
    if running is None:
        return None
    schema = schemathesis.openapi.from_url(f"{running.base_url}/api/v1/openapi.json")

    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
        derandomize=True,
    )
    def test_every_operation_answers_as_documented(case, live):
        case.call_and_validate(
            headers=live.staff,
            excluded_checks=[positive_data_acceptance],
            additional_checks=[_refused_only_for_unknown_codes],
        )

    return test_every_operation_answers_as_documented


test_every_operation_answers_as_documented = _schema_test()


# ---- the inputs that broke main, and every input's limit ------------------------------------------------------
def _case(**overrides) -> dict:
    body = json.loads(harness.acceptance_body(7))
    for key, value in overrides.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) else value
    return body


def test_a_lone_surrogate_echoed_in_a_refusal_is_still_json(live):
    body = '{"matter": "\\ud800", "accepting_agency": "442099", "insured_agency": "442099", "injury_date": "2023-01-01"}'
    live.request("POST", "/api/v1/route", body).refused(400, "unknown_matter", "invalid_parameter")


def test_an_offset_no_database_can_take_is_a_parameter_error(live):
    live.request("GET", "/api/v1/matters?" + urlencode({"offset": "9223372036854775808"})).refused(
        400, "invalid_parameter"
    )


def test_an_oversized_body_is_refused_with_413(live):
    body = json.dumps({"matter": "x" * (3 * 1024 * 1024)})
    live.request("POST", "/api/v1/route", body).refused(413, "request_too_large")


def test_malformed_json_and_unknown_parameters(live):
    live.request("POST", "/api/v1/route", '{"matter": "GS0101",').refused(400, "invalid_json")
    live.request("GET", "/api/v1/channels?colour=red").refused(400, "unknown_parameter")


@pytest.mark.parametrize(
    ("label", "overrides"),
    [
        ("NUL in a name", {"applicant": {"name": "黄\x00林"}}),
        ("a control character in a material code", {"materials": ["CL\x07009"]}),
        ("NUL in the employer", {"employer": {"code": "E\x001"}}),
        ("a line break in a phone number", {"applicant": {"phone": "138\n0000000"}}),
        ("an unknown field", {"comment": "x"}),
        ("a value over its limit", {"employer": {"code": "E1", "name": "厂" * 101}}),
        ("more than 200 materials", {"materials": [f"CL{n:03d}" for n in range(201)]}),
        ("a date that is not one", {"injury_date": "2024-02-30"}),
    ],
)
def test_case_fields_are_refused_before_the_database(live, label, overrides):
    before = live.cases()
    live.request("POST", CASES, _case(**overrides), live.staff).refused(400, "invalid_parameter")
    assert live.cases() == before, label


def test_ids_beyond_the_database_integer_are_parameter_errors(live):
    live.request("POST", f"/api/v1/tasks/{2**63}/complete", {"outcome": "pass"}, live.staff).refused(
        400, "invalid_parameter"
    )
    live.request("GET", "/api/v1/cases/99999999999999999", headers=live.staff).refused(
        400, "invalid_parameter"
    )


def test_a_session_is_required_and_a_write_needs_the_csrf_token(live):
    live.request("POST", CASES, _case()).refused(401, "unauthenticated")
    without_token = {"Cookie": live.clerk["Cookie"].split(";")[0]}
    live.request("POST", CASES, _case(), without_token).refused(403, "csrf_failed")
    wrong_token = {**live.clerk, "X-CSRFToken": "0" * 32}
    live.request("POST", CASES, _case(), wrong_token).refused(403, "csrf_failed")
    accepted = live.request("POST", CASES, _case(), live.clerk)
    assert accepted.status == 201, accepted.body[:300]


def test_the_sms_preview_bounds_what_it_renders(live):
    live.request("POST", "/api/v1/sms/preview", {"content": "x" * 2001}, live.staff).refused(
        400, "invalid_parameter"
    )
    values = {f"C{n}": "x" for n in range(51)}
    live.request("POST", "/api/v1/sms/preview", {"content": "XM", "values": values}, live.staff).refused(
        400, "invalid_parameter", "unknown_value_code"
    )


def _login(live, username: str, password: str) -> int:
    """A login through the admin's form as a browser does it: the page's CSRF cookie and token, then the POST."""
    status, headers, page = live.web.request("GET", "/admin/login/")
    assert status == 200, page[:300]
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    )
    status, _, _ = live.web.request(
        "POST",
        "/admin/login/",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"},
    )
    return status


def test_the_login_lockout_holds_across_gunicorn_workers(live):
    from django.conf import settings

    assert _login(live, "lockout-target", PASSWORD) == 302  # the right password signs in
    limit = settings.LOGIN_FAILURE_LIMIT_PER_USER
    # Each attempt may land on either worker (and thread): the count is shared, the limit-th failure locks.
    failures = [_login(live, "lockout-target", "wrong-password-1") for _ in range(limit)]
    assert failures == [200] * (limit - 1) + [
        429
    ]  # the form again with an error, then locked (django-axes: 429)
    assert _login(live, "lockout-target", PASSWORD) == 429  # the right password no longer signs in
    assert _login(live, live.users["root"].username, PASSWORD) == 302  # the name is locked, not the address


def test_pages_and_the_api_carry_the_content_security_policy(live):
    from django.conf import settings

    for path in ("/admin/login/", "/api/v1/channels", "/api/v1/openapi.json"):
        status, headers, _ = live.web.request("GET", path)
        assert status == 200 and headers.get("content-security-policy") == settings.CONTENT_SECURITY_POLICY, (
            path
        )


def main() -> int:
    global EXAMPLES
    arguments = sys.argv[1:]
    if "--examples" in arguments:
        at = arguments.index("--examples")
        os.environ["LIVE_HARDENING_EXAMPLES"] = arguments[at + 1]
        del arguments[at : at + 2]
    EXAMPLES = int(os.environ.get("LIVE_HARDENING_EXAMPLES", "30"))
    stack, harness.live_hardening = start()
    try:
        options = ["-p", "no:django", "-p", "no:randomly", "-p", "no:warnings", "--noconftest", "-q", "-rfE"]
        outcome = pytest.main([__file__, *options, *arguments])
        statuses = harness.live_hardening.web.statuses()
        operations = sum(
            len(methods)
            for methods in json.loads(harness.live_hardening.request("GET", "/api/v1/openapi.json").body)[
                "paths"
            ].values()
        )
    finally:
        del harness.live_hardening
        stack.__exit__(None, None, None)
    errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"{operations} API operations; gunicorn answered {sum(statuses.values()):,} requests: "
        f"{dict(sorted(statuses.items()))}; server errors (5xx): {errors}"
    )
    if errors:
        print("FAILED: gunicorn answered with a server error")
    return 1 if errors else int(outcome)


if __name__ == "__main__":
    sys.exit(main())
