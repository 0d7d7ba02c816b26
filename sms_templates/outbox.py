"""Outbox policy as plain functions (no Django): recipient numbers, retry delays, masking choices.

The services and the delivery task decide with these; tests exercise them without a database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .placeholders import Rendered, Vocabulary, parse, render

__all__ = [
    "NAME_CODES",
    "invalid_mobile_reason",
    "is_mainland_mobile",
    "normalize_mobile",
    "render_for_template",
    "retry_delay",
]

# Codes whose values are personal names and are masked when a template asks for it (黄**).
NAME_CODES: frozenset[str] = frozenset({"XM", "CBR"})

MAINLAND_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS_RE = re.compile(r"[\s\-()（）]")


def normalize_mobile(raw: str) -> str:
    """Strip spaces, dashes, brackets and a +86 / 0086 country prefix; leave anything else as written."""
    number = _SEPARATORS_RE.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :]
    if len(number) == 13 and number.startswith("86"):
        return number[2:]
    return number


def is_mainland_mobile(number: str) -> bool:
    """11 digits starting 13–19: the numbers a mainland SMS gateway delivers to."""
    return bool(MAINLAND_MOBILE_RE.match(number))


def invalid_mobile_reason(number: str) -> str | None:
    """None for a valid (normalized) mainland mobile number, else the Chinese reason it is refused."""
    if is_mainland_mobile(number):
        return None
    if not number:
        return "手机号码为空，短信未发送。"
    return f"手机号码“{number}”不是有效的中国大陆手机号码（应为 11 位数字，以 13–19 开头），短信未发送。"


def retry_delay(
    attempts: int,
    *,
    base: float,
    cap: float,
    jitter: float = 0.2,
    random: Callable[[], float] | None = None,
) -> float:
    """Seconds to wait after the ``attempts``-th failed send: base·2^(attempts−1), capped, plus up to ``jitter``.

    The jitter (a fraction of the delay, 0..jitter) spreads the retries of a burst that failed
    together, e.g. during a gateway outage, so they do not all hit the gateway again in one second.
    """
    if attempts < 1:
        raise ValueError("attempts counts sends made, so it is at least 1 after a failure")
    delay = min(cap, base * 2 ** min(attempts - 1, 30))
    if jitter and random is not None:
        delay += delay * jitter * random()
    return delay


def render_for_template(
    content: str,
    values: Mapping[str, str],
    vocabulary: Vocabulary,
    *,
    allow_full_id_number: bool,
    mask_names: bool,
) -> Rendered:
    """Render template content as it will be sent: SFZH masked unless allowed, XM/CBR masked if asked."""
    return render(
        parse(content, vocabulary),
        values,
        mask_id_number=not allow_full_id_number,
        mask_names=NAME_CODES if mask_names else frozenset(),
    )
