"""``/healthz`` for a load balancer: is this web process able to serve?

One cheap check per shared part — the database (``SELECT 1``), the cache (a set and a get of this thread's own
key), the django-q2 broker (its ping, and the length of its queue) — and what the in-process runtime serves (the
release of every city and when the snapshot was built, read from the holder: no query). 200 with all of it
when every part answers, 503 naming the parts that did not (the exception's type only: the answer is public).

``HealthCheckMiddleware`` (first in ``MIDDLEWARE``) answers the path before anything else runs: a load balancer
probes over plain HTTP with whatever Host it likes (a node's address), so the probe skips the Host check, the
HTTPS redirect, sessions and the rest. Nothing there builds a URL from the Host, so skipping its check is safe.
A healthy probe logs nothing (gunicorn's access log leaves it out too: config_center/deploy/access_log.py).
"""

from __future__ import annotations

import logging
import os
import threading

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

PATH = "/healthz"
ALLOWED_METHODS = ("GET", "HEAD")
logger = logging.getLogger(__name__)

_broker = None  # one django-q2 broker per process (the Redis broker opens a connection pool per instance)


def _get_broker():
    global _broker
    if _broker is None:
        from django_q.brokers import get_broker

        _broker = get_broker()
    return _broker


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"healthz:{os.getpid()}:{threading.get_ident()}"  # no other probe writes it meanwhile
    token = os.urandom(8).hex()
    cache.set(key, token, 30)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return what was set")
    return "ok"


def check_broker() -> tuple[str, int]:
    broker = _get_broker()
    if broker.ping() is False:
        raise RuntimeError("the broker did not answer the ping")
    return "ok", int(broker.queue_size() or 0)


def runtime_state() -> dict:
    """What this process's runtime serves: the holder's own record (memory only)."""
    from config_center.runtime.holder import runtime

    serving = runtime.serving
    return {
        "version": serving.version,
        "releases": dict(sorted(serving.releases.items())),
        "built_at": serving.since.isoformat() if serving.since else None,
        "checked_at": serving.checked.isoformat() if serving.checked else None,
        "error": serving.error or None,
    }


def _attempt(part: str, check, failing: list[str]):
    try:
        return check()
    except Exception as error:
        failing.append(part)
        logger.warning("healthz: %s failed", part, exc_info=True)
        return f"error: {type(error).__name__}"


def health() -> tuple[int, dict]:
    """(status, body): 200 when the database, the cache and the broker all answer, else 503."""
    failing: list[str] = []
    database = _attempt("database", check_database, failing)
    cache_state = _attempt("cache", check_cache, failing)
    broker = _attempt("broker", check_broker, failing)
    broker_state, backlog = broker if isinstance(broker, tuple) else (broker, None)
    body = {
        "status": "fail" if failing else "ok",
        "database": database,
        "cache": cache_state,
        "broker": broker_state,
        "queue_backlog": backlog,
        "runtime": runtime_state(),
    }
    if failing:
        body["failing"] = failing
    return (503 if failing else 200), body


def healthz(request):
    """GET/HEAD only; no login; never cached."""
    if request.method not in ALLOWED_METHODS:
        return HttpResponseNotAllowed(ALLOWED_METHODS)
    status, body = health()
    response = JsonResponse(body, status=status)
    # CommonMiddleware, which would set it, is skipped.
    response["Content-Length"] = str(len(response.content))
    add_never_cache_headers(response)
    if status != 200:
        response._has_been_logged = True  # logged above with the cause; not again by django.request
    return response


class HealthCheckMiddleware:
    """Answers ``/healthz`` before the rest of the stack (any Host, plain HTTP, no session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
