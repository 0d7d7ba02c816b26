"""Bearer-token authentication of API clients, their per-minute rate limits, and the gate of the open reads.

A call with ``Authorization: Bearer <token>`` is a client's (``ApiClient``): unknown or revoked → 401
``invalid_token``; over its requests per minute → 429 ``rate_limited`` with ``Retry-After``; an endpoint outside
its scopes → 403 ``scope_missing``. A call without the header is the console's (its session) or, for the
catalog, checklist and route reads, the intranet's — unless ``API_READS_REQUIRE_CLIENT`` closes them.

Cost per call with a token: one cache round trip. A process keeps each token's client in memory; the round trip
that counts the call in its minute (``INCR`` of a per-client, per-minute key in Redis, or the local-memory cache)
also reads the clients' generation, which every change of a client (revoke, rotation, an edit) moves — so a
revoked token is refused at once in every process. ``API_CLIENT_CACHE_SECONDS`` bounds the memory should the
cache lose the generation. A call without a token costs nothing here.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import ApiError

from . import api_rules
from .api_rules import ClientAccess

GENERATION_KEY = "api-clients:generation"
MEMO_MAX = 1000  # tokens kept per process (a client has one; this only bounds memory)


def _now() -> float:
    """The clock; a seam for tests."""
    return time.time()


# ---- the shared counters: one round trip ------------------------------------------------------------------
def _rate_key(client_id: int, window: int) -> str:
    return f"api-client:{client_id}:rate:{window}"


def _count_and_generation(client_id: int, window: int) -> tuple[int, object]:
    """Count one call in the client's window and read the clients' generation, in one round trip."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        rate_key = cache.make_and_validate_key(_rate_key(client_id, window))
        redis = cache._cache.get_client(rate_key, write=True)  # Django's cache.incr costs two round trips
        pipe = redis.pipeline(transaction=False)
        pipe.incr(rate_key)
        pipe.expire(rate_key, api_rules.WINDOW_SECONDS * 2)
        pipe.get(cache.make_and_validate_key(GENERATION_KEY))
        count, _expiry, generation = pipe.execute()
        return int(count), generation
    # The local-memory cache (one process, no round trip) or another backend: its own atomic increment.
    key = _rate_key(client_id, window)
    cache.add(key, 0, api_rules.WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, api_rules.WINDOW_SECONDS * 2)
        count = 1
    return count, cache.get(GENERATION_KEY)


def _generation() -> object:
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(GENERATION_KEY)
        return cache._cache.get_client(key).get(key)
    return cache.get(GENERATION_KEY)


def clients_changed() -> None:
    """A client was revoked, rotated or edited: every process reloads the clients it keeps (next call)."""
    value = secrets.randbits(62)  # an int: stored as it is, readable through Django's cache API too
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(GENERATION_KEY)
        cache._cache.get_client(key, write=True).set(key, value)
    else:
        cache.set(GENERATION_KEY, value, timeout=None)
    _memo.clear()


# ---- tokens → clients, kept per process ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Kept:
    access: ClientAccess
    generation: object
    until: float


_memo: dict[str, _Kept] = {}


def _load(digest: str) -> ClientAccess | None:
    from .models import ApiClient

    client = ApiClient.objects.filter(token_hash=digest, is_active=True).first()
    return client.access() if client is not None else None


def _keep(digest: str, access: ClientAccess, generation: object, now: float) -> None:
    if len(_memo) >= MEMO_MAX:
        _memo.clear()
    _memo[digest] = _Kept(access, generation, now + settings.API_CLIENT_CACHE_SECONDS)


def _invalid_token() -> ApiError:
    return ApiError(401, "invalid_token", _("接口令牌无效或已吊销。"))


def authenticate(request: HttpRequest) -> ClientAccess | None:
    """The client calling, counted in its minute; None when the call carries no ``Authorization`` header.

    Raises 401 ``invalid_token`` (unknown, revoked or malformed) or 429 ``rate_limited``."""
    checked = getattr(request, "_api_client", False)
    if checked is not False:
        return checked
    token = api_rules.bearer_token(request.META.get("HTTP_AUTHORIZATION"))
    if token is None:
        request._api_client = None
        return None
    if not token:
        raise _invalid_token()
    digest = api_rules.token_hash(token)
    now = _now()
    window = api_rules.rate_window(now)
    kept = _memo.get(digest)
    if kept is None or kept.until <= now:
        generation = _generation()
        access = _load(digest)
        if access is None:
            _memo.pop(digest, None)
            raise _invalid_token()
        _keep(digest, access, generation, now)
        count, _current = _count_and_generation(access.client_id, window)
    else:
        access = kept.access
        count, generation = _count_and_generation(access.client_id, window)
        if generation != kept.generation:  # a client changed since: read this one again
            access = _load(digest)
            if access is None:
                _memo.pop(digest, None)
                raise _invalid_token()
            _keep(digest, access, generation, now)
    if count == 1:
        _used(access.client_id)
    if count > access.rate_limit:
        wait = api_rules.retry_after(now)
        raise ApiError(
            429,
            "rate_limited",
            _("调用过于频繁：每分钟最多 %(limit)s 次，请 %(wait)s 秒后重试。")
            % {"limit": access.rate_limit, "wait": wait},
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )
    request._api_client = access
    return access


def _used(client_id: int) -> None:
    """最近调用, written once a minute per client (its first call of the window), not on every call."""
    from .models import ApiClient

    ApiClient.objects.filter(pk=client_id).update(last_used_at=timezone.now())


def require_scope(access: ClientAccess, name: str) -> None:
    """403 ``scope_missing`` unless the client holds the scope ``name``."""
    if not access.has_scope(name):
        raise ApiError(
            403,
            "scope_missing",
            _("该接口令牌没有“%(scope)s”（%(label)s）权限。")
            % {"scope": name, "label": api_rules.SCOPES[name]},
        )


def require_agency(access: ClientAccess, agency_code: str) -> None:
    """403 ``out_of_scope`` unless the client may submit or work on cases at this agency."""
    if not access.acts_for(agency_code):
        raise ApiError(
            403,
            "out_of_scope",
            _("该接口调用方不能为经办机构 %(agency)s 提交或办理业务。") % {"agency": agency_code},
        )


def client_user(access: ClientAccess):
    """The client's service user for this call, holding exactly its scopes' capabilities at its agencies."""
    from .selectors import bind_client

    user = get_user_model().objects.get(pk=access.user_id)
    return bind_client(user, access)


# ---- the open reads -------------------------------------------------------------------------------------
def reads_gate(request: HttpRequest):
    """The catalog, checklist and route reads: open without a token unless ``API_READS_REQUIRE_CLIENT``; then a
    client with scope ``reads`` or a console session. A token sent is checked and counted either way."""
    if "HTTP_AUTHORIZATION" not in request.META and not settings.API_READS_REQUIRE_CLIENT:
        return True
    access = authenticate(request)
    if access is not None:
        if settings.API_READS_REQUIRE_CLIENT:
            require_scope(access, api_rules.READS)
        return access
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return user
    raise ApiError(401, "client_required", _("此接口须使用接口令牌（Authorization: Bearer …）调用。"))
