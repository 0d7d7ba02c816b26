"""``POST /api/v1/benefits/compute``: a one-off benefit's amount under the province's benefit standards.

Open like the catalog reads (it computes, it writes nothing). Refusals follow the other routers: 400 when the
request names something that does not exist (``unknown_benefit``, ``unknown_grade``: no standard for that
benefit and grade), 422 when a value is not acceptable (``invalid_grade``, ``invalid_wage``, ``invalid_date``)
or no standard is in force on the day (``not_in_force``); a body that is not the documented object (an
unknown field, a field missing) is 400 ``invalid_parameter``.
"""

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from config_center.runtime.api import RefusalOut
from core.api import ApiError

from . import rules
from .services import benefit_compute

router = Router(tags=["待遇标准"])

BAD_INPUT = frozenset({rules.UNKNOWN_BENEFIT, rules.UNKNOWN_GRADE})

GRADE_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 10},
        {"type": "string", "maxLength": rules.MAX_GRADE_TEXT},
    ]
}
WAGE_SCHEMA = {
    "anyOf": [
        {"type": "string", "maxLength": rules.MAX_WAGE_TEXT},
        {"type": "number", "exclusiveMinimum": 0, "maximum": float(rules.MAX_WAGE)},
    ]
}


class BenefitComputeIn(Schema):
    benefit: Any = Field(
        ...,
        description="待遇编码或名称，如 YCXSCBZJ 或 一次性伤残补助金",
        json_schema_extra={"type": "string", "maxLength": rules.MAX_NAME_TEXT},
    )
    grade: Any = Field(
        ..., description='伤残等级：1–10 的整数，或写作 "十级"', json_schema_extra=GRADE_SCHEMA
    )
    monthly_wage: Any = Field(
        ...,
        description='本人月工资（元）：数字或数字文本，大于 0、至多 1000000.00、最多两位小数，如 "3083.20"',
        json_schema_extra=WAGE_SCHEMA,
    )
    date: Any = Field(
        None,
        description="按哪一天有效的标准计算（YYYY-MM-DD）；不填为今天",
        json_schema_extra={"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
    )

    model_config = {"extra": "forbid"}


class BenefitRefOut(Schema):
    code: str
    name: str
    basis: str


class BenefitComputeOut(Schema):
    amount: str = Field(..., description="金额（元），两位小数")
    months: str = Field(..., description="本人工资的月数")
    rule: str = Field(..., description="所用规则的文字说明")
    benefit: BenefitRefOut
    grade: int
    monthly_wage: str
    date: str = Field(..., description="所用标准有效的日期")
    valid_from: str
    valid_to: str | None


def _exact_wage(request: HttpRequest, value):
    """A wage sent as a JSON number with a fraction is read from the request's text, so 3083.2000000000001
    is refused as finer than the fen rather than silently becoming 3083.2 (what a float would make of it)."""
    if not isinstance(value, float):
        return value
    try:
        body = json.loads(request.body, parse_float=Decimal, parse_constant=lambda word: word)
    except (ValueError, RecursionError):  # ninja parsed it already: this cannot happen, keep what it read
        return value
    exact = body.get("monthly_wage", value) if isinstance(body, dict) else value
    return exact if isinstance(exact, Decimal) else value


@router.post(
    "/benefits/compute",
    response={200: BenefitComputeOut, 400: RefusalOut, 422: RefusalOut},
    summary="一次性伤残待遇计算：本人工资 × 伤残等级对应的月数",
)
def compute(request: HttpRequest, payload: BenefitComputeIn):
    try:
        answer = benefit_compute(
            benefit=payload.benefit,
            grade=payload.grade,
            monthly_wage=_exact_wage(request, payload.monthly_wage),
            on=payload.date,
        )
    except rules.BenefitRefused as refusal:
        status = 400 if refusal.reason_code in BAD_INPUT else 422
        raise ApiError(status, refusal.reason_code, refusal.message) from None
    standard = answer.standard
    return {
        "amount": rules.money_text(answer.amount),
        "months": rules.months_text(answer.months),
        "rule": answer.rule,
        "benefit": {"code": answer.benefit.code, "name": answer.benefit.name, "basis": answer.benefit.basis},
        "grade": answer.grade,
        "monthly_wage": rules.money_text(answer.monthly_wage),
        "date": answer.on.isoformat(),
        "valid_from": standard.valid_from.isoformat(),
        "valid_to": standard.valid_to.isoformat() if standard.valid_to else None,
    }
