"""API clients for tests: a client with its token, the header that sends it, a clean slate of counters."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from catalog.models import Agency, Region
from permissions import api_auth, api_rules
from permissions.models import ApiClient
from permissions.services import api_client_create


def api_client(
    name: str = "粤省事",
    *,
    scopes: tuple[str, ...] = (api_rules.CASES_WRITE,),
    cities: tuple[str, ...] = (),
    agencies: tuple[str, ...] = (),
    rate_limit: int | None = None,
) -> tuple[ApiClient, str]:
    """A client created as the command does: its scopes, cities (region codes) and agencies (codes); its token."""
    client = ApiClient(name=name, scopes=api_rules.scopes_text(scopes))
    if rate_limit is not None:
        client.rate_limit = rate_limit
    token = api_client_create(
        client=client,
        cities=Region.objects.filter(code__in=cities),
        agencies=Agency.objects.filter(code__in=agencies),
    )
    return client, token


def bearer(token: str) -> dict:
    """The test client's keyword for the ``Authorization: Bearer`` header."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def fresh_api_counters():
    """Counters and the per-process memory of clients start empty (ids repeat between tests on SQLite)."""
    caches["default"].clear()
    api_auth._memo.clear()
    yield
    caches["default"].clear()
    api_auth._memo.clear()
