"""Idle console sessions expire: SESSION_IDLE_MINUTES (default 30) without a request ends the session, while
every request moves the deadline on. The clock is Django's (``timezone.now``), moved by the test."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def advance(minutes: float) -> datetime.datetime:
        now[0] += datetime.timedelta(minutes=minutes)
        return now[0]

    return advance


def test_the_session_age_is_an_idle_timeout_of_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_activity_keeps_a_session_and_thirty_idle_minutes_end_it(admin_client, clock):
    page = reverse("admin:password_change")
    assert admin_client.get(page).status_code == 200
    for _ in range(4):  # two hours in all, never 30 minutes without a request
        now = clock(29)
        assert admin_client.get(page).status_code == 200
        expiry = Session.objects.get().expire_date
        assert expiry == now + datetime.timedelta(minutes=30)  # moved on by this request
    clock(30.1)
    response = admin_client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_cookie_lasts_as_long_as_the_idle_timeout(admin_client):
    response = admin_client.get(reverse("admin:password_change"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
