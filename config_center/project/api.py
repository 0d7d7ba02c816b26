"""The JSON API root: ``/api/v1/`` with its OpenAPI schema at ``/api/v1/openapi.json``.

Every app contributes a router (``core.registry``); this module mounts them and turns every error into a 4xx JSON body
``{"reason_code": ..., "message": ...}`` (never a 500 for bad input).
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from core.api import ApiError
from core.direct_api import direct_views
from core.registry import registry
from core.sessionless import sessionless_paths_add
from permissions.api_auth import reads_gate


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese left readable rather than \\u-escaped.

    Text that UTF-8 cannot carry (a lone surrogate echoed from a request) is written \\u-escaped instead,
    so an answer never fails to encode (it answered a 500 page on main).
    """

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request, data, *, response_status):
        text = super().render(request, data, response_status=response_status)
        try:
            return text.encode("utf-8")  # encoded once, here: the response takes the bytes as they are
        except UnicodeEncodeError:
            return json.dumps(data, cls=self.encoder_class, ensure_ascii=True).encode("ascii")


api = NinjaAPI(
    renderer=ReadableJSONRenderer(),
    title="工伤保险经办配置中心 API",
    version="1",
    description="工伤保险经办配置中心的只读目录接口与运行时引擎接口。",
    urls_namespace="api-v1",
)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _field_name(location: list) -> str:
    # ("query", "limit") → limit; ("body", "payload", "injury_date") → injury_date
    parts = [str(part) for part in location[1:]]
    if location and location[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = [_field_name(error.get("loc", [])) for error in exc.errors]
    return api.create_response(
        request,
        {
            "reason_code": "invalid_parameter",
            "message": _("参数不合法：%(fields)s")
            % {"fields": "、".join(field for field in fields if field) or "-"},
            # Not "errors": an endpoint's own refusals use that name for its own problems (the SMS preview).
            "details": exc.errors,
        },
        status=400,
    )


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return api.create_response(
        request,
        {
            "reason_code": "request_too_large",
            "message": _("请求体超过 %(size)s 字节的上限。") % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        },
        status=413,
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request, {"reason_code": "not_found", "message": _("资源不存在。")}, status=404
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"reason_code": "unauthenticated", "message": _("请先登录。")}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and "parse request body" in str(exc).lower():
        body = {"reason_code": "invalid_json", "message": _("请求体不是合法的 JSON。")}
    else:
        body = {"reason_code": "http_error", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


# The reads (catalog, checklist, route) pass the gate of API clients (permissions.api_auth.reads_gate): open to
# the intranet unless API_READS_REQUIRE_CLIENT; the other routers authenticate in their views.
for router in registry.api_routers:
    api.add_router("/", router, auth=reads_gate if registry.is_read_router(router) else None)

# Where urls.py mounts the API (a test checks the two agree).
API_PATH = "/api/v1/"
# The reads use no session, messages or history: without a session cookie they are served by a handler without
# those middleware (core.sessionless; with one — a console user — the full handler, so reads_gate can still accept
# the session).
OPEN_READS = frozenset(
    path.lstrip("/")
    for router in registry.api_routers
    if registry.is_read_router(router)
    for path in router.path_operations
    if "{" not in path
)
sessionless_paths_add(API_PATH + path for path in OPEN_READS)


# Operations served by a plain view doing what ninja does with them (core.direct_api), by URL route.
DIRECT_VIEWS = direct_views(api)


def api_urls():
    """ninja's URL patterns, the operations marked ``served_directly`` through their plain view under the same route
    and name, those first and then the other open reads: Django tries a URLconf's patterns in order, and the reads
    are most of the API's traffic (a route answer found after a dozen misses cost more than the answer). Every
    pattern is anchored at both ends and the reads have no path parameters, so no path resolves differently."""
    patterns, app_name, namespace = api.urls
    patterns = [
        path(route, DIRECT_VIEWS[route], name=pattern.name)
        if (route := str(pattern.pattern)) in DIRECT_VIEWS
        else pattern
        for pattern in patterns
    ]
    ordered = sorted(
        patterns,
        key=lambda pattern: (
            str(pattern.pattern) not in DIRECT_VIEWS,
            str(pattern.pattern) not in OPEN_READS,
        ),
    )
    return ordered, app_name, namespace


def direct_urls() -> list:
    """The directly served operations again at the URLconf's root, before everything: one pattern tried and no
    nested resolver for most of the API's requests. Unnamed (``reverse`` finds them in the API's namespace, where
    the same views are mounted under the same paths)."""
    return [path(API_PATH.lstrip("/") + route, view) for route, view in DIRECT_VIEWS.items()]
