"""Runtime API: answers from the published configuration (``/api/v1/checklist``)."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from core.api import ApiError, encoded, json_answer, reject_unknown_params
from core.direct_api import served_directly

from . import engine
from .answers import EncodedAnswers
from .holder import runtime

router = Router(tags=["运行时引擎"])

# The encoded answers of the current snapshot (answers.py): a repeated question costs a dictionary lookup.
_checklists = EncodedAnswers()
# The same answers by the question's query string as it came (a client asks a question in the same bytes each time):
# found before the query string is parsed and validated again (core.direct_api ``known``). Only query strings the
# checklist answered are kept, and only short ones (a longer one, e.g. a name repeated, is answered the long way).
_checklists_by_query = EncodedAnswers(limit=20_000)
KNOWN_QUERY_MAX = 256

# Refusals that mean "you asked about something that does not exist" answer 400; the rest say why
# the published configuration will not do it.
BAD_INPUT = frozenset(
    {engine.UNKNOWN_MATTER, engine.UNKNOWN_REGION, engine.UNKNOWN_CHANNEL, engine.UNKNOWN_EVENT}
)


# The checklist's models are plain pydantic models, not ninja's Schema: they read no Django objects, and Schema's
# per-model wrapper validator (one per nested item) was a fifth of an answer's cost under load.
class ChecklistQuery(BaseModel):
    matter: str = Field(..., min_length=1, max_length=32, description="事项编码，如 GS0101")
    region: str = Field(..., min_length=1, max_length=12, description="地级市行政区划代码，如 442000")
    channel: str = Field(
        ...,
        min_length=1,
        max_length=32,
        description="渠道编码：counter / web / kiosk / app / yss / occupational",
    )


class ChecklistMaterialOut(BaseModel):
    code: str
    name: str
    send_to_ministry: bool


class AuxiliaryOut(BaseModel):
    name: str
    material: str
    material_name: str
    send_to_ministry: bool


class ApplicationItemOut(BaseModel):
    order: int
    name: str
    material: str
    material_name: str


class ChecklistOut(BaseModel):
    matter: str
    region: str
    channel: str
    release: int
    distribution_mode: str
    time_limit_days: int
    review_levels: int
    main: list[ChecklistMaterialOut]
    auxiliary: list[AuxiliaryOut]
    application_items: list[ApplicationItemOut]


class RefusalOut(Schema):
    reason_code: str
    message: str


def refusal_error(
    refusal: engine.Refusal, *, not_found_status: int = 404, bad_input: frozenset[str] = BAD_INPUT
) -> ApiError:
    """The API error of an engine refusal: 400 for a code naming something that does not exist."""
    if refusal.reason_code in bad_input:
        return ApiError(400, refusal.reason_code, refusal.message)
    return ApiError(not_found_status, refusal.reason_code, refusal.message)


def _known_checklist(request: HttpRequest):
    """The answer to a query string the checklist answered before against the current snapshot, or None."""
    body = _checklists_by_query.get(runtime.snapshot(), request.META.get("QUERY_STRING", ""))
    return None if body is None else json_answer(body)


@router.get(
    "/checklist",
    response={200: ChecklistOut, 400: RefusalOut, 404: RefusalOut},
    summary="某渠道收取某事项时须收的材料（按参保地已发布的配置）",
)
@served_directly(query=("query", ChecklistQuery), known=_known_checklist)  # most of the API's traffic
def checklist(request: HttpRequest, query: Query[ChecklistQuery]):
    reject_unknown_params(request, {"matter", "region", "channel"})
    snapshot = runtime.snapshot()
    key = (query.matter, query.region, query.channel)
    body = _checklists.get(snapshot, key)
    if body is None:
        answer = engine.checklist(snapshot, matter=query.matter, region=query.region, channel=query.channel)
        if isinstance(answer, engine.Refusal):
            raise refusal_error(answer)
        body = _checklists.put(snapshot, key, encoded(checklist_out(answer)))
    raw = request.META.get("QUERY_STRING", "")
    if len(raw) <= KNOWN_QUERY_MAX:
        _checklists_by_query.put(snapshot, raw, body)
    return json_answer(body)


def checklist_out(answer: engine.ChecklistAnswer) -> ChecklistOut:
    return ChecklistOut.model_validate(
        {
            "matter": answer.matter,
            "region": answer.region,
            "channel": answer.channel,
            "release": answer.release,
            "distribution_mode": answer.distribution_mode,
            "time_limit_days": answer.time_limit_days,
            "review_levels": answer.review_levels,
            "main": [
                {"code": m.code, "name": m.name, "send_to_ministry": m.send_to_ministry} for m in answer.main
            ],
            "auxiliary": [
                {
                    "name": a.name,
                    "material": a.material_code,
                    "material_name": a.material_name,
                    "send_to_ministry": a.send_to_ministry,
                }
                for a in answer.auxiliary
            ],
            "application_items": [
                {
                    "order": i.order,
                    "name": i.name,
                    "material": i.material_code,
                    "material_name": i.material_name,
                }
                for i in answer.application_items
            ],
        }
    )
