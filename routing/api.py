"""Routing API: where a case accepted anywhere in the province goes (``/api/v1/route``)."""

import datetime

from django.http import HttpRequest
from ninja import Field, Router
from pydantic import BaseModel

from config_center.runtime import engine
from config_center.runtime.api import RefusalOut, refusal_error
from config_center.runtime.engine import Refusal
from config_center.runtime.holder import runtime
from core.api import encoded, json_answer
from core.direct_api import served_directly

from . import decisions

router = Router(tags=["运行时引擎"])

BAD_INPUT = frozenset({engine.UNKNOWN_MATTER, decisions.UNKNOWN_AGENCY})


# Plain pydantic models, not ninja's Schema: no Django objects to read attributes from, and Schema's per-model
# wrapper validator (validating twice where extra fields are forbidden) cost a sixth of an answer under load.
class RouteIn(BaseModel):
    matter: str = Field(..., min_length=1, max_length=32, description="事项编码")
    accepting_agency: str = Field(..., min_length=1, max_length=12, description="受理机构编码")
    insured_agency: str = Field(..., min_length=1, max_length=12, description="参保人参保机构编码")
    injury_date: datetime.date = Field(..., description="工伤发生日期 YYYY-MM-DD")
    advance_payment: bool = Field(False, description="是否涉及先行支付")

    model_config = {"extra": "forbid"}


class RouteOut(BaseModel):
    handling_agency: str
    remote: bool
    mode: str
    release: int


@router.post(
    "/route",
    response={200: RouteOut, 400: RefusalOut, 422: RefusalOut},
    summary="全省通办分发：受理的业务由哪个经办机构办理",
)
@served_directly(body=("payload", RouteIn))  # most of the API's traffic: core.direct_api
def route(request: HttpRequest, payload: RouteIn):
    answer = decisions.route(
        runtime.snapshot(),
        matter=payload.matter,
        accepting_agency=payload.accepting_agency,
        insured_agency=payload.insured_agency,
        injury_date=payload.injury_date,
        advance_payment=payload.advance_payment,
    )
    if isinstance(answer, Refusal):
        raise refusal_error(answer, not_found_status=422, bad_input=BAD_INPUT)
    # Validated here and encoded straight to bytes (core.api.encoded): ninja passes the answer through as it is.
    return json_answer(
        encoded(
            RouteOut(
                handling_agency=answer.handling_agency,
                remote=answer.remote,
                mode=answer.mode,
                release=answer.release,
            )
        )
    )
