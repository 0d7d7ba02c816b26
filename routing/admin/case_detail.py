"""详情 and 追踪 of one case: every field (masked as in the list), its materials (required, received, missing),
its files, its review tasks and its recorded steps — each list read in one query, whatever its length."""

from __future__ import annotations

from django.utils import timezone

from catalog.models import Material

from .. import deadlines, identity
from ..models import Case, CaseEvent, CaseFile, Task
from .case_rows import CasePresenter, action_name, status_name

# Fields shown in their own sections (materials) or not a fact of the case (the row's id and version).
NOT_FIELDS = frozenset(
    {"id", "version", "required_materials", "received_materials", "release_region", "release_number"}
)
LATEST_EVENTS = 10  # on 详情; 追踪 shows them all
MAX_EVENTS = 1_000  # a case has a few dozen steps; a bound all the same


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}" if value else ""


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _agency(agency) -> str:
    return f"{agency.name}（{agency.code}）" if agency else ""


def _region(region) -> str:
    return f"{region.name}（{region.code}）" if region else ""


def _yes(value: bool) -> str:
    return "是" if value else "否"


def sections(case: Case, view: CasePresenter) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every field of the case under the headings of annex 4's 详情 (业务信息, 个人基本信息 …), as text."""
    warning = view.warning(case)
    shown = [
        (
            "业务信息",
            [
                ("受理回执号", case.receipt_no),
                ("业务流水号", case.serial_no),
                ("业务编码", case.matter.code),
                ("业务名称", case.matter.name),
                ("流程状态", status_name(case.status)),
                ("数据来源", case.channel.name),
                ("受理机构", _agency(case.accepting_agency)),
                ("受理区域", _region(case.accepting_region)),
                ("受理人", _user(case.accepted_by)),
                ("受理时间", _when(case.accepted_at)),
                ("分管机构", _agency(case.handling_agency)),
                ("分管区域", _region(case.handling_region)),
                ("异地受理", _yes(case.remote)),
                ("办理时限（工作日）", str(case.time_limit_days)),
                ("办结期限", case.deadline.isoformat()),
                ("预警", deadlines.WARNING_NAMES.get(warning, "—")),
                ("业务审核级别", str(case.review_levels)),
                ("初审人", _user(case.first_reviewer)),
                ("复审人", _user(case.second_reviewer)),
                ("办结时间", _when(case.finished_at)),
                ("不予受理原因", case.refusal_reason),
                ("受理时的配置", f"{case.release_region} 第 {case.release_number} 版"),
            ],
        ),
        (
            "状态",
            [
                ("影像状态", case.get_scan_status_display()),
                ("建档状态", case.get_archive_status_display()),
                ("发送短信", case.get_sms_status_display()),
                ("邮寄寄送状态", case.get_post_status_display()),
                ("分配状态", case.get_distribution_status_display()),
                ("终端设备评价", case.get_evaluation_display()),
            ],
        ),
        (
            "个人基本信息",
            [
                ("姓名", view.name(case.applicant_name)),
                ("性别", case.get_applicant_sex_display()),
                ("证件类型", identity.ID_TYPES.get(case.id_type, case.id_type)),
                ("证件号码", view.id_number(case.id_number)),
                ("个人管理码", case.person_code),
                ("联系电话", case.phone),
                ("联系人", view.name(case.contact)),
                ("参保地经办机构", _agency(case.insured_agency)),
                ("统筹区", _region(case.insured_region)),
                ("工伤发生日期", case.injury_date.isoformat() if case.injury_date else ""),
                ("涉及先行支付", _yes(case.advance_payment)),
            ],
        ),
        ("单位信息", [("单位管理码", case.employer_code), ("单位名称", case.employer_name)]),
        (
            "移交与管辖",
            [
                ("移交的业务", case.target_case.receipt_no if case.target_case else ""),
                ("移交至审核机构", _agency(case.target_agency)),
                *_jurisdiction(case),
            ],
        ),
    ]
    labels = {label for _heading, fields in shown for label, _value in fields}
    others = [
        (str(field.verbose_name), _text(case, field))
        for field in Case._meta.concrete_fields
        if field.name not in NOT_FIELDS and str(field.verbose_name) not in labels
    ]
    return [*shown, ("其他", others)] if others else shown


def _jurisdiction(case: Case) -> list[tuple[str, str]]:
    """疑难案件 (issue 15): where a case was pushed from, whether late, where escalated, whether decided."""
    return [
        ("移送机构", _agency(case.pushed_from)),
        ("超过 1 个工作日移送", _yes(case.pushed_late)),
        ("报请指导的共同上级机构", _agency(case.escalated_to)),
        ("管辖已由上级决定", _yes(case.jurisdiction_final)),
        ("中止时间", _when(case.suspended_at)),
    ]


def _text(case: Case, field) -> str:
    """A field no section names (added later): its value as text."""
    value = getattr(case, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _yes(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return _when(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def materials(case: Case) -> list[dict]:
    """The checklist the case was accepted under, each item received or missing."""
    received = set(case.received_materials)
    items = [{**item, "received": item["code"] in received} for item in case.required_materials]
    asked = {item["code"] for item in case.required_materials}
    # Materials received beyond the main list (auxiliary or application items) are listed too.
    extra = [code for code in case.received_materials if code not in asked]
    names = dict(Material.objects.filter(code__in=extra).values_list("code", "name")) if extra else {}
    items += [
        {"code": code, "name": names.get(code, ""), "kind": "extra", "received": True} for code in extra
    ]
    return items


def _events(case: Case, *, newest: int | None = None) -> list[dict]:
    events = CaseEvent.objects.filter(case=case).select_related("user", "agency", "api_client")
    if newest is not None:
        events = reversed(list(events.order_by("-at", "-id")[:newest]))
    else:
        events = events.order_by("at", "id")[:MAX_EVENTS]
    return [
        {
            "at": _when(event.at),
            "action": action_name(event.action),
            "from_status": status_name(event.from_status),
            "to_status": status_name(event.to_status),
            "user": _user(event.user),
            "client": event.api_client.name if event.api_client else "",
            "agency": _agency(event.agency),
            "opinion": event.opinion,
        }
        for event in events
    ]


def _pairs(fields: list) -> list[list]:
    """Two fields a line, as annex 4's 详情 lays them out."""
    return [fields[start : start + 2] for start in range(0, len(fields), 2)]


def detail_context(case: Case, view: CasePresenter) -> dict:
    case = Case.objects.select_related(
        "matter",
        "channel",
        "accepting_agency",
        "accepting_region",
        "handling_agency",
        "handling_region",
        "insured_agency",
        "insured_region",
        "accepted_by",
        "first_reviewer",
        "second_reviewer",
        "target_case",
        "target_agency",
    ).get(pk=case.pk)
    files = [
        {
            "file": record,
            "material": record.material,
            "uploaded_by": _user(record.uploaded_by),
            "url": view.urls("routing_case_file", case.receipt_no, record.pk),
        }
        for record in CaseFile.objects.filter(case=case).select_related("material", "uploaded_by")
    ]
    tasks = list(
        Task.objects.filter(case=case).select_related("agency", "assignee").order_by("created_at", "id")
    )
    missing = case.missing_materials
    row = view.row(case)
    return {
        "case": case,
        "row": row,
        "actions": _other_actions(row, "routing_case_detail"),
        "sections": [(heading, _pairs(fields)) for heading, fields in sections(case, view)],
        "materials": materials(case),
        "missing": missing,
        "files": files,
        "tasks": [
            {
                "task": task,
                "agency": _agency(task.agency),
                "assignee": _user(task.assignee),
                "taken_at": _when(task.taken_at),
                "done_at": _when(task.done_at),
                "outcome": {"pass": "通过", "reject": "不通过"}.get(task.outcome, task.outcome),
            }
            for task in tasks
        ],
        "events": _events(case, newest=LATEST_EVENTS),
        "latest_events": LATEST_EVENTS,
        "full_data": view.full_data,
        "joint": _joint(case, view),
    }


def _joint(case: Case, view: CasePresenter) -> dict | None:
    """The joint application (联办申请) the case belongs to, with the link to its page (one query)."""
    from ..joint.models import JointCase

    link = JointCase.objects.filter(case=case).select_related("application").first()
    if link is None:
        return None
    number = link.application.number
    return {"number": number, "url": view.urls("routing_joint_detail", number)}


def trace_context(case: Case, view: CasePresenter) -> dict:
    row = view.row(case)
    return {
        "case": case,
        "row": row,
        "actions": _other_actions(row, "routing_case_trace"),
        "events": _events(case),
        "full_data": view.full_data,
    }


def _other_actions(row, here: str) -> list:
    """The row's actions but the page itself."""
    return [action for action in row.actions if action.key != here]
