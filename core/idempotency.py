"""The ``Idempotency-Key`` request header (IETF draft-ietf-httpapi-idempotency-key-header): what a client sends so
that a write it retries — after a timeout, a dropped connection, a restarted web node — is done once.

Pure: reading and checking the key, and the fingerprint of the request it came with. Where the keys are kept and
what a repeated key answers is the writing endpoint's (``routing.idempotency``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
MAX_LENGTH = 64
# UUIDs, ULIDs, a client's own "GDWT-20261203-000123": letters, digits and . _ : - ; nothing a log line or a
# spreadsheet could misread.
KEY_PATTERN = re.compile(r"[A-Za-z0-9._:\-]{1,%d}" % MAX_LENGTH)


class InvalidKey(ValueError):
    """The header is there but is not a key we keep."""


def key_of(meta: Mapping[str, str]) -> str | None:
    """The request's key (``None`` without the header); ``InvalidKey`` for an empty, over-long or odd one."""
    raw = meta.get(META_KEY)
    if raw is None:
        return None
    key = raw.strip()
    if key.startswith('"') and key.endswith('"') and len(key) >= 2:
        key = key[1:-1]  # the draft sends it as a structured-field string: "…"
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidKey(key)
    return key


def fingerprint(canonical_request: bytes) -> str:
    """What a repeated key's request is compared with: the SHA-256 of the request as the endpoint validated it (so
    the same request with its fields in another order or other whitespace is the same request)."""
    return hashlib.sha256(canonical_request).hexdigest()
