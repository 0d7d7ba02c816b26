"""A busy or unreachable database answers "please wait", never a 500.

SQLite (the embedded default) lets one writer in at a time; a request that waited past the lock timeout
(e.g. behind a large import) gets ``database is locked``. PostgreSQL may be restarting (a failover, an upgrade):
a connection refused, or a session terminated mid-request. Both are moments to retry, not server errors: the API
answers 503 in JSON (``database_busy`` / ``database_unavailable``), a page answers 503 in Chinese, both with
``Retry-After``. The next request reconnects by itself (``CONN_HEALTH_CHECKS``).
"""

import logging

from django.contrib.sessions import middleware as sessions
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# SQLSTATEs of a server going away or not accepting sessions yet: admin_shutdown (a fast or smart shutdown ended
# the session), crash_shutdown, cannot_connect_now (starting up / shutting down); class 08 is connection exceptions.
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_busy(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (rather than that a query is wrong)."""
    if isinstance(error, InterfaceError):
        return True  # Django's or the driver's: the connection is closed or unusable
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES
    # psycopg says a connection could not be made or was cut without any SQLSTATE (no server answered);
    # SQLite's OperationalErrors ("no such table") are mistakes, not outages.
    return type(cause).__module__.startswith("psycopg")


def _caused_by_unavailable_database(error: BaseException) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if is_unavailable(error):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def busy_message() -> str:
    return _("系统正在处理其他写入（例如导入配置），请稍后重试。")


def unavailable_message() -> str:
    return _("数据库暂时无法连接，请稍后重试。")


def _retry_later(request, reason_code: str, message: str):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"reason_code": reason_code, "message": message},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            f"<!DOCTYPE html><html lang='zh-hans'><meta charset='utf-8'><title>{_('请稍后')}</title>"
            f"<p>{message}</p></html>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A lock or an unreachable database met in a view (where login records, imports and every screen read and
    write) answers 503.

    Django turns an exception raised by another middleware into a 500 before it could reach this one, so
    only the view's exceptions are caught here (``process_exception``); the session's save after the view has
    its own guard (``SessionMiddleware``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            return self.busy_response(request)
        if is_unavailable(exception):
            logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
            return self.unavailable_response(request)
        return None

    @staticmethod
    def busy_response(request):
        return _retry_later(request, "database_busy", busy_message())

    @staticmethod
    def unavailable_response(request):
        return _retry_later(request, "database_unavailable", unavailable_message())


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's, except when the database goes away between the view and the session's save.

    The session is saved after the view (on every request when ``SESSION_SAVE_EVERY_REQUEST`` makes the session an
    idle timeout), so a database lost in between turned a view that had committed its work — a case accepted —
    into a 400 (``SessionInterrupted``) or a 500. A session the view did not change keeps the view's answer (its
    expiry moves at the next request); a changed one (a login) answers 503 ``database_unavailable``: it did not
    stick.
    """

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError) as error:
            if not _caused_by_unavailable_database(error):
                raise
            logger.warning(
                "database unavailable: the session of %s %s was not saved", request.method, request.path
            )
            if getattr(request.session, "modified", True):
                return DatabaseBusyMiddleware.unavailable_response(request)
            return response


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response that has none."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
