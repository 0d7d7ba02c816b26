"""API helpers every app's router uses: the one error type, a guard against unknown parameters, and the answer of
a validated model serialized once, straight to bytes."""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from pydantic import BaseModel

JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # what ninja's renderer answers


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


def encoded(model: BaseModel) -> bytes:
    """The UTF-8 JSON of a validated model (Chinese left readable), in one step: no dict in between."""
    return model.__pydantic_serializer__.to_json(model)


def json_answer(body: bytes, status: int = 200) -> HttpResponse:
    """An answer whose body is already JSON bytes (``encoded``): ninja passes an HttpResponse through as it is,
    so the model is neither dumped to a dict, validated again, nor encoded a second time."""
    return HttpResponse(body, status=status, content_type=JSON_CONTENT_TYPE)
