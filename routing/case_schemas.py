"""The shapes of the case API (``routing.case_api``): every input bounded, unknown fields refused; names prefixed
``Case``/``Task`` so they never clash with another router's in the one OpenAPI document."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from . import identity
from .services.cases import MAX_MATERIALS

RECEIPT_PATTERN = r"^[0-9]{16}$"
TASK_ID_MAX = 2**31 - 1
# No control characters in text (PostgreSQL refuses NUL; nobody types the others); an opinion may span lines.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
MaterialCode = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=ONE_LINE)]
IdType = Literal[tuple(identity.ID_TYPES)]  # type: ignore[valid-type]


class CaseApplicantIn(Schema):
    name: str = Field(..., min_length=1, pattern=ONE_LINE, max_length=50, description="申请人姓名")
    id_type: IdType = Field(
        identity.ID_CARD,
        description="证件类型：" + "、".join(f"{code} {name}" for code, name in identity.ID_TYPES.items()),
    )
    id_number: str = Field(
        ...,
        min_length=1,
        pattern=ONE_LINE,
        max_length=30,
        description="证件号码（居民身份证按 GB 11643 校验位检查）",
    )
    phone: str = Field(
        ..., pattern=r"^[0-9]{7,20}$", description="联系电话（7 至 20 位数字，短信发往此号码）"
    )
    contact: str = Field("", pattern=ONE_LINE, max_length=50, description="联系人")

    model_config = {"extra": "forbid"}


class CaseEmployerIn(Schema):
    code: str = Field(..., min_length=1, pattern=ONE_LINE, max_length=30, description="单位管理码")
    name: str = Field(..., min_length=1, pattern=ONE_LINE, max_length=100, description="单位名称")

    model_config = {"extra": "forbid"}


class CaseAcceptIn(Schema):
    matter: str = Field(
        ..., min_length=1, pattern=ONE_LINE, max_length=32, description="事项编码（业务编码），如 GS0101"
    )
    channel: str = Field(
        ...,
        min_length=1,
        pattern=ONE_LINE,
        max_length=32,
        description="数据来源（渠道编码），如 counter、web",
    )
    accepting_agency: str = Field(
        ..., min_length=1, pattern=ONE_LINE, max_length=12, description="受理机构编码"
    )
    insured_agency: str = Field(
        ..., min_length=1, pattern=ONE_LINE, max_length=12, description="参保地经办机构编码"
    )
    injury_date: datetime.date = Field(..., description="工伤发生日期 YYYY-MM-DD")
    advance_payment: bool = Field(False, description="是否涉及先行支付")
    applicant: CaseApplicantIn
    employer: CaseEmployerIn
    materials: list[MaterialCode] = Field(
        ...,
        max_length=MAX_MATERIALS,
        description=f"已收材料的编码（至多 {MAX_MATERIALS} 个）",
    )

    model_config = {"extra": "forbid"}


class CaseAcceptedOut(Schema):
    receipt_no: str = Field(..., description="受理回执号")
    serial_no: str = Field(..., description="业务流水号")
    status: str = Field(
        ..., description="流程状态代码：accepted 之后即 scanned（电子材料），或 pending_correction"
    )
    status_name: str = Field(..., description="流程状态：已扫描 / 待补正")
    handling_agency: str = Field(..., description="分管机构编码")
    remote: bool = Field(..., description="是否异地受理")
    missing_materials: list[str] = Field(..., description="缺少的全部材料编码（一次性告知）；齐全时为空")


class CaseSummaryOut(Schema):
    receipt_no: str
    serial_no: str
    matter: str
    matter_name: str
    status: str = Field(..., description="流程状态代码")
    status_name: str = Field(..., description="流程状态")
    accepting_agency: str
    handling_agency: str
    accepted_at: datetime.datetime
    deadline: datetime.date = Field(..., description="办结期限（按工作日计）")


class CaseApplicantOut(Schema):
    name: str = Field(..., description="姓名（脱敏，如 黄**）")
    id_type: str
    id_number: str = Field(..., description="证件号码（脱敏：只显示首末位）")


class CaseEventOut(Schema):
    action: str
    action_name: str
    from_status: str = Field(..., alias="from", description="原流程状态代码（受理前为空）")
    from_name: str
    to_status: str = Field(..., alias="to", description="新流程状态代码")
    to_name: str
    at: datetime.datetime
    by: str | None = Field(..., description="操作人（用户名）")
    client: str | None = Field(..., description="接口调用方（通过接口令牌办理时；否则为 null）")
    opinion: str

    model_config = {"populate_by_name": True}


class CaseOut(CaseSummaryOut):
    warning: Literal["normal", "near", "overdue"] | None = Field(
        ..., description="预警：normal 正常 / near 临期 / overdue 超期；已结束的业务为 null"
    )
    warning_name: str | None
    applicant: CaseApplicantOut
    history: list[CaseEventOut] = Field(..., description="追踪：每一次流程状态变化")


class TaskAcquireIn(Schema):
    level: Literal["first", "second"] = Field(..., description="first 初审 / second 复审")
    mode: Literal["random", "assigned"] = Field(..., description="random 随机获取 / assigned 指定获取")
    receipt_no: str | None = Field(
        None, pattern=RECEIPT_PATTERN, description="指定获取的业务的受理回执号（仅 assigned）"
    )

    model_config = {"extra": "forbid"}


class TaskCompleteIn(Schema):
    outcome: Literal["pass", "reject"] = Field(..., description="pass 通过 / reject 不通过")
    opinion: str = Field("", pattern=TEXT, max_length=500, description="审核意见（不通过时必填）")

    model_config = {"extra": "forbid"}


class TaskOut(Schema):
    id: int
    receipt_no: str
    level: Literal["first", "second"]
    level_name: str
    matter: str
    matter_name: str
    agency: str = Field(..., description="分管机构编码")
    status: str = Field(..., description="任务状态代码：open / taken / done / withdrawn")
    status_name: str
    mode: str = Field(..., description="获取方式：random 主动获取 / assigned 指定获取；放回任务池后为空")
    case_status: str
    case_status_name: str
