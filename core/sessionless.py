"""The API's open reads without a session: a second Django handler with only the middleware that concern them.

The catalog, checklist and route reads (``/api/v1/regions`` … ``/api/v1/route``) read no session, no messages and
write nothing; a caller without a console session is anonymous to them, and their views are CSRF-exempt (ninja
checks CSRF itself where a cookie authenticates). So a request to a declared read path without a session cookie —
how 粤省事, 网厅 and the 自助机 call them, most of the API's traffic — is served by ``SessionlessHandler``: Django's
own WSGI handler whose middleware are ``settings.MIDDLEWARE`` without those that have nothing to do for such a request
(``settings.SESSIONLESS_SKIPS``: user, messages, history, CSRF, login lockouts, static files, the health probe)
and with the session middleware replaced by one that makes the request anonymous at once — what the full chain gives
a request without a session cookie, down to the ``Vary: Cookie`` of an answer that looked at the user. Everything else still runs, each Django's own class in the settings' order: the
host check, the security headers, CSP, X-Frame-Options, Content-Length, the database-outage answer; a middleware
added to ``MIDDLEWARE`` later runs for the reads too unless it is named a skip. Under load the skipped layers cost
as much as a third of the answer (tests/benchmarks/bench_api_load.py, README "Performance").

``sessionless_application`` picks the handler per request (``config_center/wsgi.py``); every other request — every
write, every page, and a read carrying a session cookie (a console user: the reads accept a session when
``API_READS_REQUIRE_CLIENT`` closes them) — goes to the full handler. A request it cannot judge cheaply goes to the
full handler too: that is never wrong, only slower. ``tests/core/integration/test_sessionless.py`` compares both
handlers' answers to the reads, status, headers and body.

The paths are declared by whoever mounts the reads (``config_center/project/api.py``), in the URLconf; the first
check imports the URLconf so the declaration is there before any request is judged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIHandler
from django.http.cookie import parse_cookie
from django.urls import get_resolver
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

_declared: set[str] = set()
_paths: frozenset[str] | None = None
_loading = threading.Lock()

SESSION_MIDDLEWARE = "core.middleware.SessionMiddleware"
ANONYMOUS_MIDDLEWARE = "core.sessionless.AnonymousUserMiddleware"


def sessionless_paths_add(paths: Iterable[str]) -> None:
    """Declare request paths (``PATH_INFO``, exact) that read no session, messages or history."""
    global _paths
    _declared.update(paths)
    _paths = None


def sessionless_paths() -> frozenset[str]:
    global _paths
    if _paths is None:
        get_resolver().url_patterns  # noqa: B018 — imports the URLconf, where the reads are declared
        _paths = frozenset(_declared)
    return _paths


def is_sessionless(environ: dict) -> bool:
    """A declared read without a session cookie, judged from the WSGI environ."""
    if environ.get("PATH_INFO") not in sessionless_paths():
        return False
    cookies = environ.get("HTTP_COOKIE")
    if not cookies:
        return True
    name = settings.SESSION_COOKIE_NAME
    return name not in cookies or name not in parse_cookie(cookies)  # as Django reads request.COOKIES


def sessionless_middleware(middleware: list[str], skips: Iterable[str]) -> list[str]:
    """``middleware`` as a sessionless read passes it: the skips left out, the session middleware's place taken by
    ``AnonymousUserMiddleware``."""
    skips = set(skips)
    unknown = skips - set(middleware)
    if unknown:
        raise ValueError(f"SESSIONLESS_SKIPS names middleware not in MIDDLEWARE: {sorted(unknown)}")
    if SESSION_MIDDLEWARE not in middleware or SESSION_MIDDLEWARE in skips:
        raise ValueError(f"{SESSION_MIDDLEWARE} must be in MIDDLEWARE and not skipped: its place is taken")
    return [
        ANONYMOUS_MIDDLEWARE if path == SESSION_MIDDLEWARE else path
        for path in middleware
        if path not in skips
    ]


class SessionlessHandler(WSGIHandler):
    """Django's WSGI handler with the sessionless middleware (``sessionless_middleware``)."""

    def load_middleware(self, is_async=False):
        # Django's loader reads settings.MIDDLEWARE: it is swapped for the sessionless list while it loads, under a
        # lock, when the entry point is imported (before any request is served).
        with _loading:
            full = settings.MIDDLEWARE
            settings.MIDDLEWARE = sessionless_middleware(full, settings.SESSIONLESS_SKIPS)
            try:
                super().load_middleware(is_async)
            finally:
                settings.MIDDLEWARE = full


def sessionless_application(full: Callable, sessionless: Callable | None = None) -> Callable:
    """The WSGI application: a sessionless read to ``sessionless`` (a ``SessionlessHandler`` by default), every
    other request to ``full``."""
    sessionless = sessionless or SessionlessHandler()

    def application(environ, start_response):
        if is_sessionless(environ):
            return sessionless(environ, start_response)
        return full(environ, start_response)

    return application


class AnonymousUserMiddleware:
    """For a sessionless read, in the session middleware's place (the user middleware is skipped): the request is
    anonymous — without a session cookie nobody is signed in — and ``request.user`` / ``request.auser`` answer as
    Django's would. An answer that looked at the user depended on the (absent) session: like the session middleware
    of a session it read, this says the answer varies by Cookie (a read closed by ``API_READS_REQUIRE_CLIENT``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(partial(_user, request))
        request.auser = partial(_auser, request)
        response = self.get_response(request)
        if getattr(request, "_anonymous_user_read", False):
            patch_vary_headers(response, ("Cookie",))
        return response


def _user(request) -> AnonymousUser:
    request._anonymous_user_read = True
    return AnonymousUser()


async def _auser(request) -> AnonymousUser:
    return _user(request)
