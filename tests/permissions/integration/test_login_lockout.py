"""Login lockout (issue 11): per user name at 5 failures, per client address at 30 over any names; a forged
X-Forwarded-For does not change the address; failures during a lockout do not extend it."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


def attempt(username, password="wrong-password", address="10.0.0.1", **headers):
    return Client(REMOTE_ADDR=address, **headers).post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


def locked(response) -> bool:
    return response.status_code == 429


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("clerk", password="right-password-1", is_staff=True)


def test_one_name_guessed_from_many_addresses_locks_at_five(clerk):
    for n in range(4):
        assert not locked(attempt("clerk", address=f"10.0.1.{n}"))
    assert locked(attempt("clerk", address="10.0.1.4"))  # the fifth failure locks the name
    assert locked(attempt("clerk", "right-password-1", address="10.0.9.9"))


def test_many_names_from_one_address_lock_that_address_at_thirty(clerk):
    """On main 40 attempts over 10 names from one address were never blocked."""
    for n in range(29):
        assert not locked(attempt(f"user{n % 10}")), n
    assert locked(attempt("user9"))  # the thirtieth failure from the address locks it
    assert locked(attempt("clerk", "right-password-1"))
    assert not locked(
        attempt("clerk", "right-password-1", address="10.0.0.2")
    )  # another address may still log in


def test_a_forged_forwarded_for_header_does_not_change_the_address(clerk):
    for n in range(30):
        attempt(f"user{n % 10}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert locked(attempt("clerk", "right-password-1", HTTP_X_FORWARDED_FOR="198.51.100.1"))


def test_failures_during_a_lockout_do_not_extend_it():
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
