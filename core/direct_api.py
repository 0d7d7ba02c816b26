"""Hot API operations answered without ninja's per-request machinery, the operation itself unchanged.

ninja answers an operation through its URL include, a method dispatcher, a throw-away response for headers, its
checks and its result handling; for the runtime reads (checklist, route: most of the API's traffic) that machinery
cost as much as the answer (tests/benchmarks/bench_api_load.py, README "Performance"). ``direct_view`` turns one
ninja operation into a plain Django view doing exactly what ninja does with it — the same method check and 405, the
operation's own auth callbacks, its parameters parsed and validated by ninja's own parameter models (so a bad
request is refused with the same 400 and the same details), the operation's function, every error through the
API's own exception handlers — minus the parts an operation that answers an ``HttpResponse`` of its own does not
use. The operation stays where it is for the OpenAPI document, and its URL name is kept (``reverse`` is unchanged);
``tests/core/integration/test_direct_api.py`` compares both answers for every kind of request.

Only for operations without path parameters, with one parameter model, whose function answers an ``HttpResponse``
itself (checked when the view is built and on every answer). The parameter is validated straight from the request
by its pydantic model (``model_validate_json`` on the body: no dict in between); a request it refuses is parsed
again by ninja's own parameter models, so ninja's parsing decides every refusal and says it in ninja's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pydantic
from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationErrorContext
from ninja.operation import Operation


@dataclass(frozen=True)
class Direct:
    """How a directly served operation takes its one parameter: ``argument`` of the function, validated by ``model``
    from the query string (``source="query"``) or from the JSON body (``source="body"``)."""

    argument: str
    model: type[pydantic.BaseModel]
    source: str
    known: Callable[[HttpRequest], HttpResponseBase | None] | None = None

    def parse(self, request: HttpRequest) -> dict | None:
        """The argument validated straight from the request, or None when it does not validate (ninja's own
        parameter models then parse the request again, for ninja's answer to it)."""
        try:
            if self.source == "query":
                value = self.model.model_validate(request.GET.dict())  # each name's last value, as ninja
            else:
                value = self.model.model_validate_json(request.body)
        except pydantic.ValidationError:
            return None
        return {self.argument: value}


def served_directly(
    *,
    query: tuple[str, type] | None = None,
    body: tuple[str, type] | None = None,
    known: Callable[[HttpRequest], HttpResponseBase | None] | None = None,
):
    """Mark a ninja operation's function (decorate it below the router's decorator) to be served by ``direct_view``
    (the API's URLconf does the rest: ``config_center/project/api.py``), naming its one parameter as in its
    signature: ``query=("query", ChecklistQuery)`` or ``body=("payload", RouteIn)``. ``known(request)``, if given,
    answers a request the function has answered before in the same bytes (or None), after the auth callbacks and
    before the parameter is parsed: the function's own answer then, not a different one."""
    if (query is None) == (body is None):
        raise ValueError("served_directly: one parameter, from the query or the body")
    argument, model = query or body
    direct = Direct(argument, model, "query" if query else "body", known)

    def mark(function: Callable) -> Callable:
        function.served_directly = direct
        return function

    return mark


def direct_views(api: NinjaAPI) -> dict[str, Callable[[HttpRequest], HttpResponseBase]]:
    """{URL route under the API: plain view} of the API's operations marked ``served_directly``. Read from the
    operations as the API mounted them (ninja clones each router's operations when it mounts it, and gives the
    clones the mount's auth): the same operations its own URL patterns serve."""
    views = {}
    # ninja 1.7's mounted routers (a private method; pyproject pins the minor version, test_direct_api checks it)
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            operations = list(path_view.operations)
            if not any(getattr(op.view_func, "served_directly", None) for op in operations):
                continue
            if len(operations) != 1 or "{" in path:
                raise ValueError(
                    f"{path}: served directly only as the one operation of a path without parameters"
                )
            views[re.sub("/+", "/", f"{bound.prefix}/{path}").strip("/")] = direct_view(api, operations[0])
    return views


def direct_view(api: NinjaAPI, operation: Operation) -> Callable[[HttpRequest], HttpResponseBase]:
    if operation.is_async or operation.stream_format or operation.signature.response_arg:
        raise ValueError(f"{operation.view_func.__name__}: only a sync operation answering its own response")
    if operation.throttle_objects:
        raise ValueError(f"{operation.view_func.__name__}: ninja's throttles are not applied here")
    methods = frozenset(operation.methods)
    auth_callbacks = tuple(operation.auth_callbacks or ())
    models = tuple(operation.models)
    function = operation.view_func
    direct: Direct = function.served_directly

    csrf_flag = operation.csrf_exempt

    def view(request: HttpRequest) -> HttpResponseBase:
        if request.method not in methods:
            return HttpResponseNotAllowed(methods, content=b"Method not allowed")  # as ninja's PathView
        if csrf_flag:
            request._ninja_csrf_exempt = True  # as ninja's Operation._run_checks (its auth classes read it)
        try:
            if auth_callbacks:
                _authenticate(request, auth_callbacks)
            if direct.known is not None:
                response = direct.known(request)
                if response is not None:
                    return response
            values = direct.parse(request)
            if values is None:  # refused: ninja's own models parse it again and say why, as ninja answers
                values = _ninja_values(api, models, request)
            response = function(request, **values)
        except Exception as exc:  # noqa: BLE001 — the API's handlers answer it, or re-raise what they do not know
            return api.on_exception(request, exc)
        if not isinstance(response, HttpResponseBase):
            raise TypeError(f"{function.__name__} must answer an HttpResponse to be served directly")
        return response

    view.__name__ = view.__qualname__ = f"direct_{function.__name__}"
    view.__doc__ = function.__doc__
    # As ninja's views (the API checks what it needs itself): what csrf_exempt() sets, on the view itself rather
    # than on a wrapper around it.
    view.csrf_exempt = True
    return view


def _ninja_values(api: NinjaAPI, models: tuple, request: HttpRequest) -> dict:
    """As ninja's Operation._get_values."""
    values: dict = {}
    errors = []
    for model in models:
        try:
            values.update(model.resolve(request, api, {}))
        except pydantic.ValidationError as error:
            errors.append(ValidationErrorContext(pydantic_validation_error=error, model=model))
    if errors:
        raise api.validation_error_from_error_contexts(errors)
    return values


def _authenticate(request: HttpRequest, callbacks: tuple) -> None:
    """As ninja's Operation._run_authentication: the first callback answering truthy authenticates."""
    for callback in callbacks:
        result = callback(request)
        if result:
            request.auth = result
            return
    raise AuthenticationError()
