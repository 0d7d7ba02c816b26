"""The API's open reads without a session: the middleware they do not use step aside.

The catalog, checklist and route reads (``/api/v1/regions`` … ``/api/v1/route``) read no session, no messages and
write nothing; a caller without a console session is anonymous to them. For such a request — a declared read path
and no session cookie — the session, messages and history middleware below do nothing and the user is
``AnonymousUser`` at once, which is exactly what the full middleware would have given it (no cookie: an empty
session nobody saves, no user, no messages); each steps aside entirely (its
next layer is called directly, ``_StepsAside``); under load they cost about as much as the answer itself
(tests/benchmarks/bench_api_load.py, README "Performance"). Every other request — every write, every page, and a read that carries a
session cookie (a console user; the reads accept a session when ``API_READS_REQUIRE_CLIENT`` closes them) — goes
through the full middleware as before. CSRF, security headers, CSP and the host check are never skipped.

The paths are declared by whoever mounts the reads (``config_center/project/api.py``), in the URLconf; the first
check imports the URLconf so the declaration is there before any request is judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages
from django.urls import get_resolver
from django.utils.decorators import sync_and_async_middleware
from simple_history.middleware import HistoryRequestMiddleware as _HistoryRequestMiddleware

from .middleware import SessionMiddleware as _SessionMiddleware

_declared: set[str] = set()
_paths: frozenset[str] | None = None


def sessionless_paths_add(paths: Iterable[str]) -> None:
    """Declare request paths (``request.path_info``, exact) that read no session, messages or history."""
    global _paths
    _declared.update(paths)
    _paths = None


def sessionless_paths() -> frozenset[str]:
    global _paths
    if _paths is None:
        get_resolver().url_patterns  # noqa: B018 — imports the URLconf, where the reads are declared
        _paths = frozenset(_declared)
    return _paths


def is_sessionless(request) -> bool:
    """A declared read without a session cookie (judged once per request)."""
    try:
        return request._sessionless
    except AttributeError:
        request._sessionless = (
            request.path_info in sessionless_paths() and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
        return request._sessionless


class _StepsAside:
    """A sessionless read passes straight to the next layer: the middleware is not there for it (no process_request
    or process_response call, no per-call checks). Sync and async alike: in async mode the next layer's coroutine is
    returned for the caller to await."""

    def __call__(self, request):
        if is_sessionless(request):
            self.sessionless(request)
            return self.get_response(request)
        return super().__call__(request)

    def sessionless(self, request) -> None:
        """What a sessionless read gets from this middleware instead (nothing by default)."""


class SessionMiddleware(_StepsAside, _SessionMiddleware):
    """The project's session middleware; a sessionless read gets no session."""


class AuthenticationMiddleware(_StepsAside, auth.AuthenticationMiddleware):
    """Django's; a sessionless read is anonymous at once (without a session cookie nobody is signed in)."""

    def sessionless(self, request) -> None:
        request.user = AnonymousUser()
        request.auser = partial(_anonymous, request.user)


async def _anonymous(user):
    return user


class MessageMiddleware(_StepsAside, messages.MessageMiddleware):
    """Django's; a sessionless read shows and stores no messages."""


@sync_and_async_middleware
def HistoryRequestMiddleware(get_response):  # noqa: N802 — a middleware factory, named like simple_history's
    """simple_history's (the request for the history rows' user); a sessionless read writes no history."""
    full = _HistoryRequestMiddleware(get_response)
    if iscoroutinefunction(get_response):

        async def middleware(request):
            if is_sessionless(request):
                return await get_response(request)
            return await full(request)

    else:

        def middleware(request):
            if is_sessionless(request):
                return get_response(request)
            return full(request)

    return middleware
