"""The case API: 受理 (``POST /api/v1/cases``), one case with its 追踪 (``GET /api/v1/cases/{receipt_no}``) and the
review queues (``/api/v1/tasks/…``).

Staff call it with their console session (and the CSRF token on writes); other systems with an API client's
bearer token (``permissions.api_auth``), which must hold the endpoint's scope and, to accept, the accepting
agency — the client's service user then acts, holding exactly its scopes at its agencies. Every write goes
through ``routing.services`` and every object named is checked against the caller's scope: a case or task they
may not see is "not found". A case submitted here carries electronic materials (电子材料): once complete it moves on to
the 初审 pool at once, as a scanned one does.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from catalog.selectors import work_calendar
from config_center.runtime import engine
from config_center.runtime.api import RefusalOut
from core.api import ApiError
from core.masking import mask_id_number, mask_name
from permissions import api_rules
from permissions.api_auth import authenticate, client_user, require_agency, require_scope
from permissions.selectors import agency_codes_for

from . import deadlines, decisions, states
from .case_schemas import (
    RECEIPT_PATTERN,
    TASK_ID_MAX,
    CaseAcceptedOut,
    CaseAcceptIn,
    CaseOut,
    CaseSummaryOut,
    TaskAcquireIn,
    TaskCompleteIn,
    TaskOut,
)
from .idempotency.api import OPENAPI_PARAMETER as IDEMPOTENCY_PARAMETER
from .idempotency.api import IdempotentWrite, replayed
from .models import Case, Task, TaskLevel
from .selectors import case_for
from .services import (
    AcceptRequest,
    Applicant,
    CaseRefused,
    Employer,
    case_accept,
    case_submit_electronic,
    task_acquire,
    task_complete,
    task_release,
)
from .services.tasks import LEVEL_PERMISSIONS

router = Router(tags=["业务"])

LEVELS = {"first": TaskLevel.FIRST, "second": TaskLevel.SECOND}
LEVEL_CODES = {level: code for code, level in LEVELS.items()}

# 400: the request names something that does not exist; 404: not found (or not the caller's); 409: the case is
# not in a state for it; 503: try again; every other refusal is a rule saying no (422).
BAD_INPUT = frozenset(
    {
        engine.UNKNOWN_MATTER,
        engine.UNKNOWN_REGION,
        engine.UNKNOWN_CHANNEL,
        decisions.UNKNOWN_AGENCY,
        "unknown_material",
    }
)
NOT_FOUND = frozenset({"unknown_case", "unknown_task"})
ACCEPT_OPERATION = "case_accept"  # the operation an Idempotency-Key of POST /cases is kept under
FORBIDDEN = frozenset({"not_allowed"})
CONFLICT = frozenset({"transfer_open"})
BUSY = frozenset({"busy"})


def _status_of(reason_code: str) -> int:
    if reason_code in BAD_INPUT:
        return 400
    if reason_code in FORBIDDEN:
        return 403
    if reason_code in NOT_FOUND:
        return 404
    if reason_code in CONFLICT:
        return 409
    if reason_code in BUSY:
        return 503
    return 422


def _refused(refusal: CaseRefused) -> ApiError:
    return ApiError(_status_of(refusal.reason_code), refusal.reason_code, refusal.message)


def _illegal(illegal: states.IllegalTransition) -> ApiError:
    return ApiError(409, illegal.reason_code, illegal.message)


def _console_user(request: HttpRequest):
    """The signed-in console user; a write must carry the CSRF token of the console page."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise ApiError(401, "unauthenticated", _("请先登录工伤保险经办配置中心。"))
    if CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is not None:
        # A session-authenticated write: another site's page must not make it in the user's name.
        raise ApiError(403, "csrf_failed", _("请求缺少有效的 CSRF 令牌，请从控制台页面发起。"))
    return user


def _caller(request: HttpRequest, scope: str, *, agency: str | None = None):
    """Who acts: with a bearer token, the API client's service user (the client must hold ``scope`` and act for
    ``agency``: 401 ``invalid_token``, 403 ``scope_missing`` / ``out_of_scope``, 429 ``rate_limited``); without
    one, the console user of the session (CSRF on writes)."""
    access = authenticate(request)
    if access is None:
        return _console_user(request)
    require_scope(access, scope)
    if agency is not None:
        require_agency(access, agency)
    return client_user(access)


# ---- the answers ----------------------------------------------------------------------------------------
def _summary(case: Case) -> dict:
    return {
        "receipt_no": case.receipt_no,
        "serial_no": case.serial_no,
        "matter": case.matter.code,
        "matter_name": case.matter.name,
        "status": case.status,
        "status_name": states.STATUS_NAMES[case.status],
        "accepting_agency": case.accepting_agency.code,
        "handling_agency": case.handling_agency.code,
        "accepted_at": case.accepted_at,
        "deadline": case.deadline,
    }


def _warning(case: Case, today: datetime.date) -> str | None:
    if case.status not in states.OPEN:
        return None  # a finished case is past warnings
    return deadlines.warning(case.deadline, today, work_calendar())


def _detail(case: Case) -> dict:
    warning = _warning(case, timezone.localdate())
    events = case.events.select_related("user", "api_client").order_by("at", "id")
    return {
        **_summary(case),
        "warning": warning,
        "warning_name": deadlines.WARNING_NAMES[warning] if warning else None,
        "applicant": {
            "name": mask_name(case.applicant_name),
            "id_type": case.id_type,
            "id_number": mask_id_number(case.id_number),
        },
        "history": [
            {
                "action": event.action,
                "action_name": states.ACTION_NAMES.get(event.action, event.action),
                "from_status": event.from_status,
                "from_name": states.STATUS_NAMES.get(event.from_status, ""),
                "to_status": event.to_status,
                "to_name": states.STATUS_NAMES.get(event.to_status, ""),
                "at": event.at,
                "by": event.user.get_username() if event.user else None,
                "client": event.api_client.name if event.api_client else None,
                "opinion": event.opinion,
            }
            for event in events
        ],
    }


def _task(task: Task) -> dict:
    case = Case.objects.select_related("matter").get(pk=task.case_id)
    return {
        "id": task.pk,
        "receipt_no": case.receipt_no,
        "level": LEVEL_CODES[TaskLevel(task.level)],
        "level_name": str(TaskLevel(task.level).label),
        "matter": case.matter.code,
        "matter_name": case.matter.name,
        "agency": task.agency.code,
        "status": task.status,
        "status_name": task.get_status_display(),
        "mode": task.mode,
        "case_status": case.status,
        "case_status_name": states.STATUS_NAMES[case.status],
    }


# ---- 受理 -------------------------------------------------------------------------------------------------
@router.post(
    "/cases",
    response={
        201: CaseAcceptedOut,
        400: RefusalOut,
        401: RefusalOut,
        403: RefusalOut,
        422: RefusalOut,
        429: RefusalOut,
        503: RefusalOut,
    },
    summary="业务受理：分发、按分管城市已发布的材料清单一次性告知缺件、生成受理回执号",
    description=(
        "可带请求头 Idempotency-Key（1–64 个字母、数字或 . _ : -）：同一调用者以同一键重发同一请求（如超时后重试），"
        "只受理一次，应答第一次受理的业务（201，应答头 Idempotent-Replayed: true）；同一键用于另一请求答 422 "
        "idempotency_key_reused。键保留 IDEMPOTENCY_KEY_DAYS 天。"
    ),
    openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]},
    url_name="case_accept",
)
def accept(request: HttpRequest, payload: CaseAcceptIn):
    user = _caller(request, api_rules.CASES_WRITE, agency=payload.accepting_agency)
    write = IdempotentWrite.of(request, user=user, operation=ACCEPT_OPERATION, payload=payload)
    made = write.earlier()
    if made is not None:
        return _replayed(made)
    applicant = payload.applicant
    accept_request = AcceptRequest(
        matter=payload.matter,
        channel=payload.channel,
        accepting_agency=payload.accepting_agency,
        insured_agency=payload.insured_agency,
        applicant=Applicant(
            name=applicant.name,
            id_type=applicant.id_type,
            id_number=applicant.id_number,
            phone=applicant.phone,
            contact=applicant.contact,
        ),
        employer=Employer(code=payload.employer.code, name=payload.employer.name),
        injury_date=payload.injury_date,
        advance_payment=payload.advance_payment,
        received=tuple(dict.fromkeys(payload.materials)),
    )
    try:
        with transaction.atomic():
            case = case_accept(request=accept_request, user=user)
            if case.status == states.ACCEPTED:
                case.status = case_submit_electronic(receipt_no=case.receipt_no, user=user).status
            write.record(case.receipt_no)
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    except states.IllegalTransition as illegal:
        raise _illegal(illegal) from None
    except IntegrityError:
        # Another try of the same key committed first (it held the key's row until then): answer its case.
        return _replayed(write.after_conflict())
    return Status(201, _accepted(case))


def _replayed(receipt_no: str):
    case = Case.objects.select_related("handling_agency").get(receipt_no=receipt_no)
    return replayed(CaseAcceptedOut(**_accepted(case)), status=201)


def _accepted(case: Case) -> dict:
    return {
        "receipt_no": case.receipt_no,
        "serial_no": case.serial_no,
        "status": case.status,
        "status_name": states.STATUS_NAMES[case.status],
        "handling_agency": case.handling_agency.code,
        "remote": case.remote,
        "missing_materials": [item["code"] for item in case.missing_materials],
    }


@router.get(
    "/cases/{receipt_no}",
    response={
        200: CaseOut,
        400: RefusalOut,
        401: RefusalOut,
        403: RefusalOut,
        404: RefusalOut,
        429: RefusalOut,
    },
    summary="一笔业务：流程状态、期限与预警、追踪记录（姓名、证件号码脱敏）",
    url_name="case_detail",
    by_alias=True,
)
def detail(
    request: HttpRequest,
    receipt_no: str = Path(..., pattern=RECEIPT_PATTERN, description="受理回执号（16 位数字）"),
):
    user = _caller(request, api_rules.CASES_READ)
    case = case_for(user, receipt_no)
    if case is None:
        raise ApiError(404, "unknown_case", _("受理回执号 %(no)s 不存在。") % {"no": receipt_no})
    return _detail(case)


# ---- 任务列表 -----------------------------------------------------------------------------------------------
@router.post(
    "/tasks/acquire",
    response={
        200: TaskOut,
        401: RefusalOut,
        400: RefusalOut,
        403: RefusalOut,
        404: RefusalOut,
        422: RefusalOut,
        429: RefusalOut,
    },
    summary="随机获取 / 指定获取一个初审或复审任务",
    url_name="task_acquire",
)
def acquire(request: HttpRequest, payload: TaskAcquireIn):
    user = _caller(request, api_rules.TASKS_WRITE)
    level = LEVELS[payload.level]
    if payload.mode == "assigned" and not payload.receipt_no:
        raise ApiError(422, "receipt_no_required", _("指定获取须给出受理回执号 receipt_no。"))
    if payload.mode == "random" and payload.receipt_no:
        raise ApiError(
            422, "receipt_no_not_allowed", _("随机获取不指定业务；要获取某笔业务的任务请用指定获取。")
        )
    if agency_codes_for(user, LEVEL_PERMISSIONS[level]) == frozenset():
        raise ApiError(403, "not_allowed", _("您没有“%(level)s”权限。") % {"level": str(level.label)})
    try:
        task = task_acquire(user=user, level=level, receipt_no=payload.receipt_no or "")
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    if task is None:
        raise ApiError(404, "no_task", _("没有可获取的%(level)s任务。") % {"level": str(level.label)})
    return _task(task)


@router.post(
    "/tasks/{task_id}/complete",
    response={
        200: CaseSummaryOut,
        400: RefusalOut,
        401: RefusalOut,
        403: RefusalOut,
        404: RefusalOut,
        409: RefusalOut,
        422: RefusalOut,
        429: RefusalOut,
    },
    summary="完成审核：通过或不通过（不通过须填写审核意见），返回业务的流程状态",
    url_name="task_complete",
)
def complete(
    request: HttpRequest,
    payload: TaskCompleteIn,
    task_id: int = Path(..., ge=1, le=TASK_ID_MAX, description="任务编号"),
):
    user = _caller(request, api_rules.TASKS_WRITE)
    try:
        case = task_complete(user=user, task_id=task_id, outcome=payload.outcome, opinion=payload.opinion)
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    except states.IllegalTransition as illegal:
        raise _illegal(illegal) from None
    return _summary(
        Case.objects.select_related("matter", "accepting_agency", "handling_agency").get(pk=case.pk)
    )


@router.post(
    "/tasks/{task_id}/release",
    response={
        200: TaskOut,
        400: RefusalOut,
        401: RefusalOut,
        403: RefusalOut,
        404: RefusalOut,
        409: RefusalOut,
        429: RefusalOut,
    },
    summary="退回任务：把已获取的任务放回任务池",
    url_name="task_release",
)
def release(
    request: HttpRequest,
    task_id: int = Path(..., ge=1, le=TASK_ID_MAX, description="任务编号"),
):
    user = _caller(request, api_rules.TASKS_WRITE)
    try:
        task = task_release(user=user, task_id=task_id)
    except CaseRefused as refusal:
        raise _refused(refusal) from None
    except states.IllegalTransition as illegal:
        raise _illegal(illegal) from None
    return _task(task)
