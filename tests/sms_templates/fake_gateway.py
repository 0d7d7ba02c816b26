"""A small fake SMS gateway on 127.0.0.1 for tests and the delivery benchmark.

It behaves like a real gateway that honours ``Idempotency-Key``: the first accepted request of a key
creates a message, later requests with the same key get the same message id back and are counted as
duplicates, so "exactly once at the gateway" is measurable. Failures are scripted per key
(``script``) or injected into first attempts (``fail_first_every``) so that runs are reproducible.

Actions: ``ok``; ``503`` / ``429`` / ``500`` (transient, message not taken); ``400`` (permanent);
``slow`` (sleep past the client's read timeout, message not taken); ``slow_accept`` (take the message,
then sleep past the read timeout: the client sees a timeout although the gateway sent it).
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(
        self,
        *,
        token: str | None = None,
        fail_first_every: int = 0,
        fail_status: int = 503,
        slow_seconds: float = 1.0,
    ):
        self.token = token
        self.fail_first_every = fail_first_every  # 10 → the first request of 1 key in 10 fails
        self.fail_status = fail_status
        self.slow_seconds = slow_seconds
        self.script: dict[str, list[str]] = {}
        self.messages: dict[str, dict] = {}  # idempotency key → the message taken
        self.requests: Counter[str] = Counter()  # idempotency key → requests seen
        self.failures = 0
        self.duplicates = 0
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # quiet
                pass

            def do_POST(self):
                gateway._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms/send"

    # -- figures ---------------------------------------------------------------------------------
    @property
    def taken(self) -> int:
        return len(self.messages)

    def texts(self) -> list[str]:
        return [message["content"] for message in self.messages.values()]

    # -- behaviour -------------------------------------------------------------------------------
    def _action(self, key: str, nth: int) -> str:
        scripted = self.script.get(key)
        if scripted:
            return scripted[nth] if nth < len(scripted) else "ok"
        if nth == 0 and self.fail_first_every and zlib.crc32(key.encode()) % self.fail_first_every == 0:
            return str(self.fail_status)
        return "ok"

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        if self.token and request.headers.get("Authorization") != f"Bearer {self.token}":
            self._reply(request, 401, {"code": "unauthorized", "message": "bad credentials"})
            return
        key = request.headers.get("Idempotency-Key") or ""
        try:
            body = json.loads(raw)
        except ValueError:
            self._reply(request, 400, {"code": "bad_json", "message": "body is not JSON"})
            return
        with self.lock:
            nth = self.requests[key]
            self.requests[key] += 1
            action = self._action(key, nth)
            if action in {"503", "429", "500"}:
                self.failures += 1
            if action == "ok" or action == "slow_accept":
                if key in self.messages:
                    self.duplicates += 1
                else:
                    self.messages[key] = {**body, "id": f"gw-{len(self.messages) + 1}"}
                message_id = self.messages[key]["id"]
        if action in {"503", "429", "500"}:
            self._reply(request, int(action), {"code": "busy", "message": "try later"}, retry_after="0")
        elif action == "400":
            self._reply(request, 400, {"code": "invalid_phone", "message": "号码不在服务范围"})
        elif action == "slow":
            time.sleep(self.slow_seconds)
            self._reply(request, 503, {"code": "busy", "message": "too late"})
        elif action == "slow_accept":
            time.sleep(self.slow_seconds)
            self._reply(request, 200, {"message_id": message_id})
        else:
            self._reply(request, 200, {"message_id": message_id})

    @staticmethod
    def _reply(request, status: int, payload: dict, retry_after: str | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json; charset=utf-8")
            request.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                request.send_header("Retry-After", retry_after)
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client gave up (read timeout): nothing to tell it
