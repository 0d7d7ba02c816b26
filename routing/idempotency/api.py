"""The API side of an idempotent write: read the caller's ``Idempotency-Key``, answer a repeat from what the first
request made, record the key inside the write's transaction.

    write = IdempotentWrite.of(request, user=user, operation="case_accept", payload=payload)
    made = write.earlier()                      # the reference the key's first request made, or None
    if made is not None:
        return answer_of(made, replayed=True)
    try:
        with transaction.atomic():
            thing = ...                          # the write
            write.record(thing.number)           # in the same transaction
    except IntegrityError:
        made = write.after_conflict()            # another try of the key committed first (re-raises if not)
        return answer_of(made, replayed=True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from core.api import ApiError, json_answer
from core.idempotency import HEADER, KEY_PATTERN, MAX_LENGTH, InvalidKey, fingerprint, key_of

from .services import KeyReused, idempotency_key_record, idempotent_result

REPLAYED_HEADER = "Idempotent-Replayed"  # "true" on the answer to a repeated key

# The OpenAPI description of the header, for an operation's ``openapi_extra``.
OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {
        "type": "string",
        "maxLength": MAX_LENGTH,
        "pattern": f"^{KEY_PATTERN.pattern}$",
    },
    "description": "重试安全：同一调用者以同一键重发同一请求只执行一次",
}


@dataclass(frozen=True)
class IdempotentWrite:
    user: object
    operation: str
    key: str | None
    fingerprint: str

    @classmethod
    def of(cls, request: HttpRequest, *, user, operation: str, payload: BaseModel) -> IdempotentWrite:
        """400 ``invalid_idempotency_key`` for a malformed key; the payload as validated is what a repeat must
        match (its fields in another order or other whitespace are the same request)."""
        try:
            key = key_of(request.META)
        except InvalidKey:
            raise ApiError(
                400,
                "invalid_idempotency_key",
                _("Idempotency-Key 须为 1–%(max)s 个字母、数字或 . _ : - 字符。") % {"max": MAX_LENGTH},
            ) from None
        return cls(user, operation, key, fingerprint(payload.model_dump_json().encode()))

    def earlier(self) -> str | None:
        """What the key's first request made; 422 ``idempotency_key_reused`` if that was another request."""
        if self.key is None:
            return None
        try:
            return idempotent_result(
                user=self.user, operation=self.operation, key=self.key, fingerprint=self.fingerprint
            )
        except KeyReused as reused:
            raise ApiError(422, reused.reason_code, str(reused)) from None

    def record(self, reference: str) -> None:
        if self.key is not None:
            idempotency_key_record(
                user=self.user,
                operation=self.operation,
                key=self.key,
                fingerprint=self.fingerprint,
                reference=reference,
            )

    def after_conflict(self) -> str:
        """Inside ``except IntegrityError``: what the try that committed first made; re-raises the error when it
        was not the key's (or there is no key)."""
        made = self.earlier()
        if made is None:
            raise  # noqa: PLE0704 — the IntegrityError being handled was another one
        return made


def replayed(body: BaseModel, status: int) -> HttpResponse:
    """The answer to a repeated key: what the first request made, as it stands now, marked as a replay; encoded
    as ninja encodes the endpoint's own answers (times to the millisecond), so a replay reads the same."""
    text = json.dumps(body.model_dump(), cls=NinjaJSONEncoder, ensure_ascii=False)
    response = json_answer(text.encode("utf-8", "backslashreplace"), status=status)
    response[REPLAYED_HEADER] = "true"
    return response
