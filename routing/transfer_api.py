"""The API of 全省通办业务移交 and of 疑难案件 (issue 15): ``POST /api/v1/transfers`` accepts a transfer (a case
of its own, reviewed through ``/api/v1/tasks``); ``/api/v1/cases/{receipt_no}/push | escalate | decide`` move a
case between agencies under the rules of 附件 2 三(五). Same services, same checks as the admin; an API client
calls them with scope ``transfers:write`` (its service user then acts, see ``case_api._caller``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from config_center.runtime.api import RefusalOut
from core.api import ApiError
from permissions import api_rules

from . import states
from .case_api import _caller, _illegal, _summary
from .case_schemas import ONE_LINE, RECEIPT_PATTERN, TEXT, CaseSummaryOut
from .models import Case
from .selectors import case_for
from .services import CaseRefused
from .services.jurisdiction import case_decide, case_escalate, case_push
from .services.transfers import transfer_submit

router = Router(tags=["业务移交"])

STATUS = {
    "unknown_case": 404,
    "not_allowed": 403,
    "unknown_agency": 400,
    "transfer_open": 409,
    "case_finished": 409,
    "already_pushed": 409,
    "jurisdiction_final": 409,
    "escalated": 409,
    "not_pushed": 409,
    "not_escalated": 409,
    "busy": 503,
}
RESPONSES = {200: CaseSummaryOut, 400: RefusalOut, 401: RefusalOut, 403: RefusalOut, 404: RefusalOut,
             409: RefusalOut, 422: RefusalOut, 429: RefusalOut, 503: RefusalOut}  # fmt: skip
AgencyCode = Field(..., min_length=1, max_length=12, pattern=r"^[0-9A-Za-z]+$", description="经办机构编码")


class TransferIn(Schema):
    receipt_no: str = Field(..., pattern=RECEIPT_PATTERN, description="要移交的业务的受理回执号")
    target_agency: str = AgencyCode
    reason: str = Field(..., min_length=1, max_length=300, pattern=TEXT, description="移交原因")

    model_config = {"extra": "forbid"}


class TransferOut(CaseSummaryOut):
    target_case: str = Field(..., description="被移交业务的受理回执号")
    target_agency: str = Field(..., description="移交至的审核机构")


class PushIn(Schema):
    target_agency: str = AgencyCode
    reason: str = Field(..., min_length=1, max_length=300, pattern=TEXT, description="移送原因")

    model_config = {"extra": "forbid"}


class EscalateIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300, pattern=TEXT, description="报请指导的原因")

    model_config = {"extra": "forbid"}


class DecideIn(Schema):
    target_agency: str = AgencyCode
    opinion: str = Field(..., min_length=1, max_length=300, pattern=ONE_LINE, description="决定意见")

    model_config = {"extra": "forbid"}


def _refused(refusal: CaseRefused) -> ApiError:
    return ApiError(STATUS.get(refusal.reason_code, 422), refusal.reason_code, refusal.message)


def _run(write, **arguments) -> Case:
    try:
        case = write(**arguments)
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    except states.IllegalTransition as illegal:
        raise _illegal(illegal) from None
    return Case.objects.select_related("matter", "accepting_agency", "handling_agency", "target_case",
                                       "target_agency").get(pk=case.pk)  # fmt: skip


def _visible(request: HttpRequest, receipt_no: str):
    """The caller, if the case is theirs to see (a case they may not see is not found, whatever the action)."""
    user = _caller(request, api_rules.TRANSFERS_WRITE)
    if case_for(user, receipt_no) is None:
        raise ApiError(404, "unknown_case", f"受理回执号 {receipt_no} 不存在。")
    return user


Receipt = Path(..., pattern=RECEIPT_PATTERN, description="受理回执号")


@router.post(
    "/transfers",
    response={201: TransferOut, **{code: RefusalOut for code in RESPONSES if code != 200}},
    summary="全省通办业务移交：受理一笔移交业务（经目标审核机构初审、复审办结后，原业务的分管机构才变更）",
    url_name="transfer_submit",
)
def submit(request: HttpRequest, payload: TransferIn):
    user = _caller(request, api_rules.TRANSFERS_WRITE)
    transfer = _run(
        transfer_submit,
        user=user,
        receipt_no=payload.receipt_no,
        target_agency=payload.target_agency,
        reason=payload.reason,
    )
    body = {**_summary(transfer), "target_case": transfer.target_case.receipt_no,
            "target_agency": transfer.target_agency.code}  # fmt: skip
    return Status(201, body)


@router.post(
    "/cases/{receipt_no}/push",
    response=RESPONSES,
    summary="移送：分管机构认为不属于本机构管辖时推送至有管辖权的机构（只能移送一次；受理后 1 个工作日内）",
    url_name="case_push",
)
def push(request: HttpRequest, payload: PushIn, receipt_no: str = Receipt):
    user = _visible(request, receipt_no)
    return _summary(
        _run(
            case_push,
            user=user,
            receipt_no=receipt_no,
            target_agency=payload.target_agency,
            reason=payload.reason,
        )
    )


@router.post(
    "/cases/{receipt_no}/escalate",
    response=RESPONSES,
    summary="报请指导：受移送的机构认为仍不属于本机构管辖时，报请共同上级经办机构决定（业务中止）",
    url_name="case_escalate",
)
def escalate(request: HttpRequest, payload: EscalateIn, receipt_no: str = Receipt):
    user = _visible(request, receipt_no)
    return _summary(_run(case_escalate, user=user, receipt_no=receipt_no, reason=payload.reason))


@router.post(
    "/cases/{receipt_no}/decide",
    response=RESPONSES,
    summary="决定管辖：共同上级经办机构决定由哪个机构办理（最终决定，记入追踪）",
    url_name="case_decide",
)
def decide(request: HttpRequest, payload: DecideIn, receipt_no: str = Receipt):
    user = _visible(request, receipt_no)
    return _summary(
        _run(
            case_decide,
            user=user,
            receipt_no=receipt_no,
            target_agency=payload.target_agency,
            opinion=payload.opinion,
        )
    )
