"""A busy database answers "please wait", never a 500.

SQLite (the embedded default) lets one writer in at a time; a request that waited past the lock timeout
(e.g. behind a large import) gets ``database is locked``. That is a moment to retry, not a server error:
the API answers 503 ``database_busy`` in JSON, a page answers 503 in Chinese, both with ``Retry-After``.
"""

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5


def is_busy(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


def busy_message() -> str:
    return _("系统正在处理其他写入（例如导入配置），请稍后重试。")


class DatabaseBusyMiddleware:
    """A lock met in a view (which is where login records, imports and every screen write) answers 503.

    Django turns an exception raised by another middleware into a 500 before it could reach this one, so
    only the view's exceptions are caught here (``process_exception``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return self.busy_response(request) if is_busy(exception) else None

    @staticmethod
    def busy_response(request):
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"reason_code": "database_busy", "message": busy_message()},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = HttpResponse(
                f"<!DOCTYPE html><html lang='zh-hans'><meta charset='utf-8'><title>{_('请稍后')}</title>"
                f"<p>{busy_message()}</p></html>",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
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
