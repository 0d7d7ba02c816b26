"""What 任务列表 shows of a case: a row per task, the sections of a task's page, its materials, files and 追踪.

Names and ID numbers go through ``core.masking`` unless the user may see full data; the 预警 is the one of
``routing.deadlines`` on the holiday calendar. Nothing here queries per row: callers pass rows fetched
with what they need.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Material
from catalog.workdays import WorkCalendar
from core.masking import mask_id_number, mask_name

from .. import deadlines, states
from ..models import Case, CaseEvent, CaseFile, Task
from ..selectors import may_see_full_data

MATERIAL_KINDS = {
    "main": "应交材料",
    "auxiliary": "辅助材料",
    "application": "申请事项材料",
    "extra": "另收材料",
}
# Actions recorded outside the state machine (they do not change 流程状态).
OTHER_ACTIONS = {
    "supplement_scan": "补扫",
    "transfer_opened": "发起全省通办业务移交",  # routing.services.transfers
    "transfer_rejected": "全省通办业务移交审核不通过",
}


def person(user) -> str:
    if user is None:
        return _("（系统）")
    return user.get_full_name() or user.get_username()


def applicant(case: Case, user) -> tuple[str, str]:
    """The applicant's name and ID number as ``user`` may read them."""
    if may_see_full_data(user):
        return case.applicant_name, case.id_number
    return mask_name(case.applicant_name), mask_id_number(case.id_number)


def warning_of(case: Case, calendar: WorkCalendar, today: datetime.date) -> str:
    """正常 / 临期 / 超期 of an open case ("" once it is finished)."""
    if case.status not in states.OPEN:
        return ""
    return deadlines.warning(case.deadline, today, calendar)


def link(name: str, *args) -> str:
    """A link to another screen, or "" while that screen is not installed."""
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


def _date(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def task_row(task: Task, user, calendar: WorkCalendar, today: datetime.date) -> dict:
    """One line of the user's taken tasks."""
    case = task.case
    name, _id_number = applicant(case, user)
    warning = warning_of(case, calendar, today)
    return {
        "task": task,
        "url": reverse("admin:routing_task", args=[task.pk]),
        "receipt_no": case.receipt_no,
        "level": task.get_level_display(),
        "matter": case.matter.name,
        "applicant": name,
        "agency": task.agency.name,
        "accepted_at": timezone.localtime(case.accepted_at),
        "deadline": case.deadline,
        "warning": warning,
        "warning_name": deadlines.WARNING_NAMES.get(warning, ""),
        "taken_at": timezone.localtime(task.taken_at) if task.taken_at else None,
    }


def case_sections(task: Task, user, calendar: WorkCalendar, today: datetime.date) -> list:
    """The facts of a task's case, as (heading, lines of (label, value) pairs)."""
    case = task.case
    name, id_number = applicant(case, user)
    warning = warning_of(case, calendar, today)
    yes, no = _("是"), _("否")
    employer = case.employer_name + (f"（{case.employer_code}）" if case.employer_code else "")
    return [
        (
            _("业务"),
            [
                [(_("受理回执号"), case.receipt_no), (_("业务流水号"), case.serial_no)],
                [
                    (_("业务名称"), f"{case.matter.name}（{case.matter.code}）"),
                    (_("审核级别"), task.get_level_display()),
                ],
                [
                    (_("流程状态"), states.STATUS_NAMES.get(case.status, case.status)),
                    (_("影像状态"), case.get_scan_status_display()),
                ],
                [
                    (_("数据来源"), case.channel.name),
                    (_("业务审核级别"), _("%(n)d 级") % {"n": case.review_levels}),
                ],
            ],
        ),
        (
            _("申请人与单位"),
            [
                [(_("姓名"), name), (_("性别"), case.get_applicant_sex_display())],
                [(_("证件类型"), case.get_id_type_display()), (_("证件号码"), id_number)],
                [(_("单位"), employer), (_("工伤发生日期"), _date(case.injury_date))],
                [
                    (_("涉及先行支付"), yes if case.advance_payment else no),
                    (_("异地受理"), yes if case.remote else no),
                ],
            ],
        ),
        (
            _("机构与时限"),
            [
                [
                    (_("参保地经办机构"), case.insured_agency.name),
                    (_("受理机构"), case.accepting_agency.name),
                ],
                [(_("分管机构"), task.agency.name), (_("受理人"), person(case.accepted_by))],
                [
                    (_("受理时间"), f"{timezone.localtime(case.accepted_at):%Y-%m-%d %H:%M}"),
                    (_("办理时限"), _("%(n)d 个工作日") % {"n": case.time_limit_days}),
                ],
                [
                    (_("办结期限"), _date(case.deadline)),
                    (_("预警"), deadlines.WARNING_NAMES.get(warning, "")),
                ],
            ],
        ),
    ]


def material_rows(case: Case) -> list[dict]:
    """The checklist the case was accepted under, each item received or not; then materials received beyond it."""
    received = set(case.received_materials)
    rows = [
        {
            "code": item["code"],
            "name": item["name"],
            "kind": MATERIAL_KINDS.get(item.get("kind", ""), item.get("kind", "")),
            "received": item["code"] in received,
        }
        for item in case.required_materials
    ]
    listed = {item["code"] for item in case.required_materials}
    extra = sorted(received - listed)
    if extra:
        names = dict(Material.objects.filter(code__in=extra).values_list("code", "name"))
        rows += [
            {"code": code, "name": names.get(code, ""), "kind": MATERIAL_KINDS["extra"], "received": True}
            for code in extra
        ]
    return rows


def file_rows(case: Case, files: Iterable[CaseFile]) -> list[dict]:
    """The case's scanned files, each with its download link where the counter's screen is installed."""
    return [
        {
            "file": record,
            "url": link("routing_case_file", case.receipt_no, record.pk),
            "material": record.material.name if record.material else "",
            "uploaded_by": person(record.uploaded_by),
            "uploaded_at": timezone.localtime(record.uploaded_at),
        }
        for record in files
    ]


def event_rows(events: Iterable[CaseEvent]) -> list[dict]:
    """追踪: each transition of the case, oldest first."""
    return [
        {
            "at": timezone.localtime(event.at),
            "action": states.ACTION_NAMES.get(event.action) or OTHER_ACTIONS.get(event.action, event.action),
            "from_status": states.STATUS_NAMES.get(event.from_status, event.from_status) or "—",
            "to_status": states.STATUS_NAMES.get(event.to_status, event.to_status),
            "user": person(event.user),
            "client": event.api_client.name if event.api_client else "",
            "agency": event.agency.name if event.agency else "",
            "opinion": event.opinion,
        }
        for event in events
    ]
