"""API helpers every app's router uses: the one error type and a guard against unknown parameters."""

from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.translation import gettext as _


class ApiError(Exception):
    """A refusal with a machine-readable reason code and a Chinese message."""

    def __init__(self, status: int, reason_code: str, message: str, *, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.reason_code = reason_code
        self.message = message
        self.headers = headers or {}  # e.g. Retry-After of a 429
        self.extra = extra

    def body(self) -> dict:
        return {"reason_code": self.reason_code, "message": self.message, **self.extra}


def reject_unknown_params(request: HttpRequest, allowed: Iterable[str]) -> None:
    """Answer 400 ``unknown_parameter`` when the query string holds a name the view does not accept."""
    allowed = set(allowed)
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            _("不支持的参数：%(names)s；可用参数：%(allowed)s")
            % {"names": "、".join(unknown), "allowed": "、".join(sorted(allowed)) or "-"},
        )
