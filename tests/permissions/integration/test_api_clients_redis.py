"""API clients on Redis (REDIS_URL): one round trip per call with a token, none without; the limit and a revoke
hold across processes because both live in Redis. Skipped when no Redis answers on 127.0.0.1:6379."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from permissions import api_auth
from permissions.models import ApiClient
from tests.factories.api_clients import api_client, bearer

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNELS = "/api/v1/channels"


def _redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}"),
]


@pytest.fixture
def on_redis():
    """Django's cache on Redis under a key prefix of this test's own (the database is shared: never flushed)."""
    prefix = f"test-api-clients-{uuid.uuid4().hex}"
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }
    api_auth._memo.clear()
    with override_settings(CACHES={"default": cache}):
        yield
    api_auth._memo.clear()
    raw = redis.Redis.from_url(REDIS_URL)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)


@pytest.fixture
def round_trips(monkeypatch):
    """Round trips to Redis: single commands and pipelines (a pipeline's commands travel together)."""
    counted = {"commands": 0, "pipelines": 0}
    command, execute = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counting_command(self, *args, **kwargs):
        counted["commands"] += 1
        return command(self, *args, **kwargs)

    def counting_execute(self, *args, **kwargs):
        counted["pipelines"] += 1
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counting_execute)
    return counted


def test_a_call_with_a_known_token_costs_one_round_trip_and_a_call_without_none(
    reference_data, on_redis, round_trips
):
    _client, token = api_client(scopes=("reads",))
    http = Client()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200  # first call: the client is loaded
    round_trips.update(commands=0, pipelines=0)
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    assert round_trips == {"commands": 0, "pipelines": 1}
    round_trips.update(commands=0, pipelines=0)
    assert http.get(CHANNELS).status_code == 200
    assert round_trips == {"commands": 0, "pipelines": 0}


def test_the_limit_is_counted_in_redis_for_every_process(reference_data, on_redis):
    _client, token = api_client(scopes=("reads",), rate_limit=3)
    http = Client()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    api_auth._memo.clear()  # another process: nothing in memory, the same counter
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    api_auth._memo.clear()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    response = http.get(CHANNELS, **bearer(token))
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["reason_code"] == "rate_limited"


def test_a_revoke_elsewhere_reaches_this_process_through_redis(reference_data, on_redis):
    client, token = api_client(scopes=("reads",))
    http = Client()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    kept = dict(api_auth._memo)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    api_auth.clients_changed()  # what the revoking process does on commit
    api_auth._memo.update(kept)  # this process still remembers the client
    response = http.get(CHANNELS, **bearer(token))
    assert response.status_code == 401 and response.json()["reason_code"] == "invalid_token"
    assert caches["default"].get(api_auth.GENERATION_KEY) is not None
