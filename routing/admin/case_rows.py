"""How a case reads on the 业务状态查询 screens and in their export: names and ID numbers masked unless the
user may see full data (``core.masking``, the one mask), the 预警 of an open case, and the row actions that
apply to its 流程状态 — each a link only while the screen behind it is registered."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from catalog.models import Agency
from catalog.selectors import work_calendar
from core.masking import mask_id_number, mask_name

from .. import deadlines, states
from ..access import ACCEPT, REVIEW, agencies_holding, may_supplement
from ..models import Case
from ..selectors import may_see_full_data
from ..services.jurisdiction import DECIDE_PERMISSIONS, REVIEW_PERMISSIONS
from . import lifecycle

# Actions recorded in 追踪 that are not transitions of the state machine (no change of 流程状态).
EXTRA_ACTION_NAMES = {
    "supplement_scan": "补扫",
    "transfer_opened": "发起全省通办业务移交",  # routing.services.transfers
    "transfer_rejected": "全省通办业务移交审核不通过",
    "joint_materials": "联办申请收到材料",  # routing.joint.services
    "joint_decision": "前置事项文书内部流转",  # routing.joint.handoff
}
SAMPLE_RECEIPT = "0" * 16  # to ask whether a URL name is registered


def action_name(code: str) -> str:
    return states.ACTION_NAMES.get(code) or EXTRA_ACTION_NAMES.get(code) or code


def status_name(code: str) -> str:
    return states.STATUS_NAMES.get(code, code) if code else "新建"


@dataclass(frozen=True)
class Action:
    key: str  # the URL name, also the link's CSS class
    label: str
    url: str


class OptionalUrls:
    """URLs of the admin that another screen may provide: reversed while registered, None otherwise (the
    print and scan pages of 业务受理 land in their own commit; the query screen must not break before)."""

    def __init__(self, site_name: str):
        self.site_name = site_name
        self._samples: dict[tuple[str, int], str | None] = {}

    def __call__(self, name: str, *args) -> str | None:
        sample = self._sample(name, len(args))
        if sample is None:
            return None
        if len(args) == 1 and SAMPLE_RECEIPT in sample:
            # One reverse per page and name, not per row: a receipt number is 16 digits, nothing to quote.
            return sample.replace(SAMPLE_RECEIPT, str(args[0]))
        return reverse(f"{self.site_name}:{name}", args=args)

    def _sample(self, name: str, arity: int) -> str | None:
        key = (name, arity)
        if key not in self._samples:
            try:
                self._samples[key] = reverse(f"{self.site_name}:{name}", args=[SAMPLE_RECEIPT, 1][:arity])
            except NoReverseMatch:
                self._samples[key] = None
        return self._samples[key]


@dataclass(frozen=True)
class CaseRow:
    case: Case
    name: str
    id_number: str
    warning: str  # code ("" for a finished case)
    warning_name: str
    actions: tuple[Action, ...]
    status: str  # the Chinese names of the row's statuses
    scan_status: str
    archive_status: str

    @property
    def detail_url(self) -> str:
        return self.actions[0].url  # 详情 comes first, always


class CasePresenter:
    """Per request: who looks (masking, 补扫), which day it is (预警), which links exist."""

    def __init__(self, request, site_name: str):
        self.user = request.user
        self.full_data = may_see_full_data(request.user)
        self.today = timezone.localdate()
        self.urls = OptionalUrls(site_name)
        # Choice labels as plain text, translated once per request rather than once per row and column.
        self.labels = {
            name: {code: str(label) for code, label in Case._meta.get_field(name).flatchoices}
            for name in ("status", "scan_status", "archive_status", "evaluation")
        }

    def label(self, case: Case, name: str) -> str:
        code = getattr(case, name)
        return self.labels[name].get(code, code)

    @cached_property
    def calendar(self):
        return work_calendar()

    def name(self, value: str) -> str:
        return value if self.full_data else mask_name(value)

    def id_number(self, value: str) -> str:
        return value if self.full_data else mask_id_number(value)

    def warning(self, case: Case) -> str:
        if case.status not in states.OPEN:
            return ""
        return deadlines.warning(case.deadline, self.today, self.calendar)

    @cached_property
    def staff_agencies(self) -> tuple[frozenset[int] | None, frozenset[int] | None]:
        """The agencies (ids) where the user reviews, and where they may decide jurisdiction (None: all)."""

        def ids(perms) -> frozenset[int] | None:
            codes = agencies_holding(self.user, *perms)
            if codes is None:
                return None
            return frozenset(Agency.objects.filter(code__in=codes).values_list("pk", flat=True))

        return ids(REVIEW_PERMISSIONS), ids(DECIDE_PERMISSIONS)

    def jurisdiction_actions(self, case: Case) -> list[tuple[str, str]]:
        """疑难案件 (附件 2 三(五)): 移送 once by the handling agency, 报请指导 by the receiving one, 决定管辖 by the
        common superior — offered only to the staff who may do it."""
        if (
            case.status not in states.OPEN
            or case.status == states.PENDING_CORRECTION
            or case.jurisdiction_final
        ):
            return []
        reviewing, deciding = self.staff_agencies
        if case.escalated_to_id is not None:
            allowed = deciding is None or case.escalated_to_id in deciding
            return [("routing_case_decide", "决定管辖")] if allowed else []
        if not (reviewing is None or case.handling_agency_id in reviewing) or case.target_case_id:
            return []
        if case.pushed_from_id is None:
            return [("routing_case_push", "移送")]
        return [("routing_case_escalate", "报请指导")]

    @cached_property
    def managing_agencies(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """Where the user may 中止 / 恢复 / 终止: handling agencies (受理, 初审, 复审) and accepting ones (受理)."""
        return agencies_holding(self.user, ACCEPT, *REVIEW), agencies_holding(self.user, ACCEPT)

    def lifecycle_actions(self, case: Case) -> list[tuple[str, str]]:
        """中止 / 恢复办理 / 终止, offered to the staff ``access.may_manage`` lets act (the service decides)."""
        keys = lifecycle.offered(case)
        if not keys:
            return []
        handling, accepting = self.managing_agencies
        if not (
            handling is None
            or case.handling_agency.code in handling
            or accepting is None
            or case.accepting_agency.code in accepting
        ):
            return []
        return [(f"routing_case_{key}", str(lifecycle.ACTIONS[key][0])) for key in keys]

    def row(self, case: Case) -> CaseRow:
        warning = self.warning(case)
        return CaseRow(
            case=case,
            name=self.name(case.applicant_name),
            id_number=self.id_number(case.id_number),
            warning=warning,
            warning_name=deadlines.WARNING_NAMES.get(warning, ""),
            actions=self.actions(case),
            status=self.label(case, "status"),
            scan_status=self.label(case, "scan_status"),
            archive_status=self.label(case, "archive_status"),
        )

    def actions(self, case: Case) -> tuple[Action, ...]:
        """详情, 追踪 and what annex 4 offers for the case's 流程状态: 补扫 (open, and the user may), 补打受理回执
        (accepted with every material), 补打办结单 (办结), 补打补充材料告知单 (待补正), 不予受理通知单."""
        status = case.status
        wanted = [("routing_case_detail", "详情"), ("routing_case_trace", "追踪")]
        if status in states.OPEN and may_supplement(case, self.user):
            wanted.append(("routing_case_supplement", "补扫"))
        if status not in (states.PENDING_CORRECTION, states.REFUSED) and not case.missing_materials:
            wanted.append(("routing_case_receipt", "补打受理回执"))
        if status in (states.COMPLETED, states.ARCHIVED):
            wanted.append(("routing_case_completion", "补打办结单"))
        if status == states.PENDING_CORRECTION:
            wanted.append(("routing_case_correction_notice", "补打补充材料告知单"))
        if status == states.REFUSED:
            wanted.append(("routing_case_refusal_notice", "不予受理通知单"))
        wanted.extend(self.jurisdiction_actions(case))
        wanted.extend(self.lifecycle_actions(case))
        found = ((key, label, self.urls(key, case.receipt_no)) for key, label in wanted)
        return tuple(Action(key, label, url) for key, label, url in found if url)
