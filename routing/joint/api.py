"""The joint-application API (联办申请, 一件事一次办): submit once (``POST /api/v1/joint-applications``), follow the
cases it was split into (``GET /api/v1/joint-applications/{id}``), hand in what was missing
(``POST /api/v1/joint-applications/{id}/materials``).

Writes go through ``routing.joint.services`` (the same rules as the counter's 联办申请 screen); a refusal is
``{reason_code, message, details}``: 400 for a code naming nothing (``unknown_*``), 403 ``not_allowed``, 404 an
application the caller may not see, 422 a rule saying no (``missing_prerequisite``, ``conflict``,
``not_joint_matter``, ``duplicate``, ``already_open``, the route's ``not_bound`` …), with ``details`` naming the
matters concerned. Callers as on the case API: a console session (CSRF on writes), or an API client holding the
scope ``joint:write`` (submit, hand in materials; for its agencies) or ``cases:read`` (read).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from pydantic import StringConstraints

from core.api import ApiError
from permissions import api_rules

from .. import identity, states
from ..access import ACCEPT
from ..case_api import _caller as case_caller
from ..case_schemas import ONE_LINE, CaseApplicantIn, CaseEmployerIn, MaterialCode
from ..idempotency.api import OPENAPI_PARAMETER as IDEMPOTENCY_PARAMETER
from ..idempotency.api import IdempotentWrite, replayed
from ..selectors import QUERY_PERMISSION
from ..services import Applicant, CaseRefused, Employer
from ..services.cases import MAX_MATERIALS
from . import planning
from .materials import joint_deliver, owed
from .models import JointApplication
from .selectors import application_cases, application_for
from .services import MAX_MATTERS, JointRequest, joint_submit

SUBMIT_OPERATION = (
    "joint_application_submit"  # the operation an Idempotency-Key of a submission is kept under
)

router = Router(tags=["联办申请"])

NUMBER_PATTERN = r"^LB[0-9]{16}$"
MatterCode = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=ONE_LINE)]
NOT_FOUND = frozenset({"unknown_application", "unknown_case"})
FORBIDDEN = frozenset({"not_allowed"})
BUSY = frozenset({"busy"})


def _caller(request: HttpRequest, scope: str, *, agency: str | None = None):
    """Who acts, as on the case API: with a bearer token the API client's service user (the client holding
    ``scope``, acting for ``agency``), without one the console user of the session (CSRF on writes)."""
    return case_caller(request, scope, agency=agency)


def _status_of(reason_code: str) -> int:
    if reason_code.startswith("unknown_"):
        return 404 if reason_code in NOT_FOUND else 400
    if reason_code in FORBIDDEN:
        return 403
    if reason_code in BUSY:
        return 503
    return 422


def _refused(refusal: CaseRefused) -> ApiError:
    details = getattr(refusal, "details", None) or []
    return ApiError(_status_of(refusal.reason_code), refusal.reason_code, refusal.message, details=details)


# ---- shapes --------------------------------------------------------------------------------------------------
class JointApplicationIn(Schema):
    matters: list[MatterCode] = Field(
        ...,
        min_length=1,
        max_length=MAX_MATTERS,
        description=f"联办事项编码（1 至 {MAX_MATTERS} 个），如 GS0301",
    )
    applicant: CaseApplicantIn
    employer: CaseEmployerIn | None = Field(None, description="用人单位（可选）")
    insured_agency: str = Field(
        ..., min_length=1, pattern=ONE_LINE, max_length=12, description="参保地经办机构编码"
    )
    accepting_agency: str = Field(
        ..., min_length=1, pattern=ONE_LINE, max_length=12, description="受理机构编码"
    )
    channel: str = Field(
        ..., min_length=1, pattern=ONE_LINE, max_length=32, description="办理渠道编码，如 counter"
    )
    injury_date: datetime.date = Field(..., description="工伤发生日期 YYYY-MM-DD")
    materials: list[MaterialCode] = Field(
        default_factory=list,
        max_length=MAX_MATERIALS,
        description="已提交材料的编码（各事项共用的材料只需一次）",
    )

    model_config = {"extra": "forbid"}


class JointMaterialsIn(Schema):
    materials: list[MaterialCode] = Field(
        ..., min_length=1, max_length=MAX_MATERIALS, description="补交材料的编码"
    )

    model_config = {"extra": "forbid"}


class JointCaseOut(Schema):
    matter: str
    matter_name: str
    receipt_no: str = Field(..., description="受理回执号")
    status: str = Field(..., description="流程状态代码（waiting 待前置 …）")
    status_name: str
    waits_for: list[str] = Field(..., description="等待办结的前置事项编码（同一联办申请中）")
    handling_agency: str = Field(..., description="分管机构编码")
    deadline: datetime.date = Field(..., description="本业务的办结期限（工作日计，中止与待前置期间不计）")
    missing_materials: list[str] = Field(..., description="本业务仍缺的、须申请人提交的材料编码")


class JointApplicationOut(Schema):
    id: str = Field(..., description="联办申请编号")
    status: str = Field(..., description="联办状态代码：" + "、".join(planning.APPLICATION_STATUS_NAMES))
    status_name: str
    submitted_at: datetime.datetime
    time_limit_days: int = Field(..., description="联办时限（自然日）")
    deadline: datetime.date = Field(..., description="整个联办申请的办结期限")
    cases: list[JointCaseOut] = Field(..., description="拆分出的业务，前置事项在前")
    missing_materials: list[str] = Field(..., description="仍缺的全部材料编码（一次性告知）；齐全时为空")
    notice: str = Field(..., description="受理时的一次性告知（齐全时为空）")


class JointRefusalOut(Schema):
    reason_code: str
    message: str
    details: list[dict] = Field(
        default_factory=list, description="每个问题及涉及的事项：[{reason_code, matter, others, message}]"
    )


# ---- answers -------------------------------------------------------------------------------------------------
def _answer(application: JointApplication) -> dict:
    links = application_cases(application)
    cases, missing = [], []
    for link in links:
        case = link.case
        owes = owed(case, link) if case.status in states.OPEN else []
        missing += [code for code in owes if code not in missing]
        cases.append(
            {
                "matter": case.matter.code,
                "matter_name": case.matter.name,
                "receipt_no": case.receipt_no,
                "status": case.status,
                "status_name": states.STATUS_NAMES[case.status],
                "waits_for": [other.case.matter.code for other in link.waits_for.all()],
                "handling_agency": case.handling_agency.code,
                "deadline": case.deadline,
                "missing_materials": owes,
            }
        )
    status = planning.application_status(item["status"] for item in cases)
    return {
        "id": application.number,
        "status": status,
        "status_name": planning.APPLICATION_STATUS_NAMES[status],
        "submitted_at": application.submitted_at,
        "time_limit_days": application.time_limit_days,
        "deadline": application.deadline,
        "cases": cases,
        "missing_materials": missing,
        "notice": application.notice,
    }


def _visible(user, number: str, *perms: str) -> JointApplication:
    """The application if one of its cases is in the caller's scope for one of ``perms`` (else 404)."""
    application = next(
        (found for perm in perms if (found := application_for(user, number, perm)) is not None), None
    )
    if application is None:
        raise ApiError(404, "unknown_application", _("联办申请 %(id)s 不存在。") % {"id": number})
    return application


# ---- endpoints -----------------------------------------------------------------------------------------------
@router.post(
    "/joint-applications",
    response={
        201: JointApplicationOut,
        400: JointRefusalOut,
        401: JointRefusalOut,
        403: JointRefusalOut,
        422: JointRefusalOut,
        429: JointRefusalOut,
        503: JointRefusalOut,
    },
    summary="联办申请（一件事一次办）：按前置/冲突规则检查，拆分为各事项的业务并推送至分管机构，一次性告知缺件",
    description=(
        "可带请求头 Idempotency-Key：同一调用者以同一键重发同一申请只受理一次，应答第一次的联办申请"
        "（201，应答头 Idempotent-Replayed: true）；同一键用于另一申请答 422 idempotency_key_reused。"
    ),
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
    url_name="joint_application_submit",
)
def submit(request: HttpRequest, payload: JointApplicationIn):
    user = _caller(request, api_rules.JOINT_WRITE, agency=payload.accepting_agency)
    write = IdempotentWrite.of(request, user=user, operation=SUBMIT_OPERATION, payload=payload)
    made = write.earlier()
    if made is not None:
        return _replayed(made)
    applicant = payload.applicant
    employer = payload.employer
    joint_request = JointRequest(
        matters=list(payload.matters),
        channel=payload.channel,
        accepting_agency=payload.accepting_agency,
        insured_agency=payload.insured_agency,
        applicant=Applicant(
            name=applicant.name,
            id_type=applicant.id_type or identity.ID_CARD,
            id_number=applicant.id_number,
            phone=applicant.phone,
            contact=applicant.contact,
        ),
        employer=Employer(code=employer.code, name=employer.name) if employer else Employer(),
        injury_date=payload.injury_date,
        materials=list(dict.fromkeys(payload.materials)),
    )
    try:
        with transaction.atomic():
            application = joint_submit(request=joint_request, user=user)
            write.record(application.number)
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    except states.IllegalTransition as illegal:
        raise ApiError(409, illegal.reason_code, illegal.message) from None
    except IntegrityError:
        return _replayed(write.after_conflict())  # another try of the key committed first
    return Status(201, _answer(application))


def _replayed(number: str):
    application = JointApplication.objects.get(number=number)
    return replayed(JointApplicationOut(**_answer(application)), status=201)


@router.get(
    "/joint-applications/{number}",
    response={
        200: JointApplicationOut,
        400: JointRefusalOut,
        401: JointRefusalOut,
        403: JointRefusalOut,
        404: JointRefusalOut,
        429: JointRefusalOut,
    },
    summary="一笔联办申请：各事项业务的当前流程状态、前置关系与仍缺的材料",
    url_name="joint_application_detail",
)
def detail(
    request: HttpRequest,
    number: str = Path(..., pattern=NUMBER_PATTERN, description="联办申请编号（LB 加 16 位数字）"),
):
    user = _caller(request, api_rules.CASES_READ)
    return _answer(_visible(user, number, QUERY_PERMISSION))


@router.post(
    "/joint-applications/{number}/materials",
    response={
        200: JointApplicationOut,
        400: JointRefusalOut,
        401: JointRefusalOut,
        403: JointRefusalOut,
        404: JointRefusalOut,
        409: JointRefusalOut,
        422: JointRefusalOut,
        429: JointRefusalOut,
    },
    summary="补交联办申请所缺材料：一份材料服务所有需要它的事项，因缺件中止的事项恢复办理",
    url_name="joint_application_materials",
)
def deliver(
    request: HttpRequest,
    payload: JointMaterialsIn,
    number: str = Path(..., pattern=NUMBER_PATTERN, description="联办申请编号"),
):
    user = _caller(request, api_rules.JOINT_WRITE)
    application = _visible(user, number, QUERY_PERMISSION, ACCEPT)
    try:
        application = joint_deliver(
            application=application, user=user, materials=list(dict.fromkeys(payload.materials))
        )
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    except states.IllegalTransition as illegal:
        raise ApiError(409, illegal.reason_code, illegal.message) from None
    return _answer(application)
