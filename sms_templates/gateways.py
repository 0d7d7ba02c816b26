"""SMS gateways, chosen by ``settings.SMS_GATEWAY_BACKEND`` (a dotted path), like Django's e-mail backends.

A gateway sends one message and returns the gateway's message id, or raises ``TransientGatewayError``
(worth retrying: timeouts, connection failures, 5xx, 429, 408) or ``PermanentGatewayError`` (a 4xx
with the gateway's reason: retrying cannot help). Every send carries the outbox row's id as its
idempotency key, so a gateway that honours ``Idempotency-Key`` delivers a message once even when the
outbox sends it twice (a worker killed after sending, before marking the row sent).
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import logging
import ssl
import threading
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
_ERROR_BODY_LIMIT = 300

__all__ = [
    "IDEMPOTENCY_HEADER",
    "BaseGateway",
    "ConsoleGateway",
    "GatewayError",
    "HttpGateway",
    "MemoryGateway",
    "PermanentGatewayError",
    "TransientGatewayError",
    "get_gateway",
]


class GatewayError(Exception):
    """A send that did not succeed; ``message`` is the Chinese reason stored on the outbox row."""

    transient = False

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class TransientGatewayError(GatewayError):
    """The gateway may accept the same message later: retry with backoff."""

    transient = True


class PermanentGatewayError(GatewayError):
    """The gateway refused the message itself: fail it at once."""


class BaseGateway:
    """Interface of every backend; options come from settings unless given."""

    def __init__(self, **options: Any):
        self.options = options

    def send(self, *, recipient: str, text: str, idempotency_key: str) -> str:
        """Send one SMS; return the gateway's message id or raise a ``GatewayError``."""
        raise NotImplementedError


def get_gateway(backend: str | None = None, **options: Any) -> BaseGateway:
    """The configured gateway (``settings.SMS_GATEWAY_BACKEND`` unless ``backend`` is given)."""
    path = backend or settings.SMS_GATEWAY_BACKEND
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_GATEWAY_BACKEND={path!r} cannot be imported: {exc}") from exc
    return cls(**options)


class ConsoleGateway(BaseGateway):
    """Development backend: writes the message to the log and makes up a message id."""

    def send(self, *, recipient: str, text: str, idempotency_key: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        logger.info("SMS [%s] to %s (%s): %s", message_id, recipient, idempotency_key, text)
        return message_id


@dataclass(frozen=True)
class SentSms:
    recipient: str
    text: str
    idempotency_key: str
    message_id: str


class MemoryGateway(BaseGateway):
    """In-process backend for tests and demos, deduplicating on the idempotency key like a real gateway.

    ``sent`` holds each distinct message once; ``requests`` counts every call. Tests queue errors in
    ``failures`` (raised one per call before anything is sent) and call ``reset()`` between tests.
    """

    sent: ClassVar[list[SentSms]] = []
    requests: ClassVar[int] = 0
    failures: ClassVar[list[GatewayError]] = []
    _by_key: ClassVar[dict[str, str]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()
    _ids = itertools.count(1)

    @staticmethod
    def reset() -> None:
        cls = MemoryGateway
        with cls._lock:
            cls.sent = []
            cls.requests = 0
            cls.failures = []
            cls._by_key = {}

    def send(self, *, recipient: str, text: str, idempotency_key: str) -> str:
        cls = MemoryGateway  # one shared record, also for subclasses that tests derive
        with cls._lock:
            cls.requests += 1
            if cls.failures:
                raise cls.failures.pop(0)
            if idempotency_key in cls._by_key:
                return cls._by_key[idempotency_key]
            message_id = f"mem-{next(cls._ids)}"
            cls._by_key[idempotency_key] = message_id
            cls.sent.append(SentSms(recipient, text, idempotency_key, message_id))
            return message_id


class HttpGateway(BaseGateway):
    """POSTs JSON ``{"phone", "content", "reference"}`` to ``URL`` with the idempotency key as a header.

    Standard library only (``http.client``), so the connect timeout and the read timeout are separate:
    a gateway that accepts the connection but hangs is cut off after ``READ_TIMEOUT`` seconds. A 2xx
    answer's JSON ``message_id`` (or ``id``) is the gateway's message id.
    """

    TRANSIENT_STATUSES = frozenset({408, 429})

    def __init__(self, **options: Any):
        merged = {**settings.SMS_HTTP_GATEWAY, **{key.upper(): value for key, value in options.items()}}
        super().__init__(**merged)
        self.url = merged.get("URL") or ""
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http:// or https:// URL")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.connect_timeout = float(merged.get("CONNECT_TIMEOUT", 3))
        self.read_timeout = float(merged.get("READ_TIMEOUT", 10))
        self.auth_header = self._auth_header(merged)

    @staticmethod
    def _auth_header(options: dict) -> str | None:
        if options.get("TOKEN"):
            return f"Bearer {options['TOKEN']}"
        if options.get("USERNAME"):
            pair = f"{options['USERNAME']}:{options.get('PASSWORD', '')}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None

    def _connection(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=self.connect_timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)

    def send(self, *, recipient: str, text: str, idempotency_key: str) -> str:
        body = json.dumps(
            {"phone": recipient, "content": text, "reference": idempotency_key}, ensure_ascii=False
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            IDEMPOTENCY_HEADER: idempotency_key,
        }
        if self.auth_header:
            headers["Authorization"] = self.auth_header
        connection = self._connection()
        try:
            try:
                connection.connect()
            except TimeoutError as exc:
                raise TransientGatewayError(f"连接短信网关超时（{self.connect_timeout:g} 秒）。") from exc
            except OSError as exc:
                raise TransientGatewayError(f"无法连接短信网关：{exc}") from exc
            connection.sock.settimeout(self.read_timeout)
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except TimeoutError as exc:
                # The gateway may have taken the message: the retry carries the same idempotency key.
                raise TransientGatewayError(f"短信网关响应超时（{self.read_timeout:g} 秒）。") from exc
            except (OSError, http.client.HTTPException) as exc:
                raise TransientGatewayError(f"与短信网关的连接中断：{exc!r}") from exc
        finally:
            connection.close()
        return self._interpret(response.status, response.getheader("Retry-After"), payload)

    def _interpret(self, status: int, retry_after_header: str | None, payload: bytes) -> str:
        detail = payload[:_ERROR_BODY_LIMIT].decode("utf-8", errors="replace").strip()
        if 200 <= status < 300:
            try:
                data = json.loads(payload or b"{}")
            except ValueError:
                data = {}
            message_id = str(data.get("message_id") or data.get("id") or "") if isinstance(data, dict) else ""
            if not message_id:
                logger.warning("SMS gateway accepted a message without a message id: %r", detail)
            return message_id
        if status >= 500 or status in self.TRANSIENT_STATUSES:
            raise TransientGatewayError(
                f"短信网关暂时不可用（HTTP {status}）：{detail or '-'}",
                retry_after=_seconds(retry_after_header),
            )
        if 400 <= status < 500:
            raise PermanentGatewayError(f"短信网关拒绝发送（HTTP {status}）：{detail or '-'}")
        raise PermanentGatewayError(f"短信网关返回了意外的状态（HTTP {status}）：{detail or '-'}")


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None  # an HTTP date: ignore it, the backoff applies
