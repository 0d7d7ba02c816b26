"""Fixtures of the SMS tests (imported by the conftest of tests/sms_templates and tests/routing)."""

import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def memory_gateway(settings):
    """The in-process gateway that dedupes on the idempotency key; reset around the test."""
    from sms_templates.gateways import MemoryGateway

    settings.SMS_GATEWAY_BACKEND = "sms_templates.gateways.MemoryGateway"
    MemoryGateway.reset()
    yield MemoryGateway
    MemoryGateway.reset()


class Clock:
    """A pinned, movable ``sms_templates.services._now``."""

    def __init__(self, now: datetime.datetime):
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    from sms_templates import services, tasks

    pinned = Clock(timezone.now())
    monkeypatch.setattr(services, "_now", pinned)
    monkeypatch.setattr(tasks, "_random", lambda: 0.0)  # no jitter: exact backoff times
    return pinned
