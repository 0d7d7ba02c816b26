"""The staff's part of the home page: my review tasks, the 催办 of the urgent ones, the cases of my scope.

Each part is a small value built from ``routing.figures`` (aggregate queries) and the URLs of the screens
that list what is counted, so a figure is one click from its rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from routing import deadlines, figures, states
from routing.models import TaskLevel
from routing.search import WarningBounds
from routing.selectors import QUERY_PERMISSION, cases_for
from routing.services.tasks import LEVEL_PERMISSIONS
from routing.services.transfers import TRANSFER_MATTER

POOL_CAP = 1000  # waiting tasks are counted up to this many ("1000+")
REMINDERS_SHOWN = 20  # urgent tasks listed in the 催办 notice at most


def admin_url(name: str, *args, query: dict | None = None) -> str:
    """An admin URL ("" when the screen is not mounted), with an optional query string."""
    try:
        url = reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def review_levels(user) -> list[int]:
    """The review levels ``user`` works (初审 with 初审, 复审 with 复审; a superuser both)."""
    return [level for level, perm in LEVEL_PERMISSIONS.items() if user.is_active and user.has_perm(perm)]


def may_query_cases(user) -> bool:
    return user.is_active and user.has_perm(QUERY_PERMISSION)


@dataclass(frozen=True)
class TaskLine:
    name: str  # 初审 / 复审
    taken: int
    waiting: int
    more: bool  # more than ``waiting`` wait (the count stopped at the cap)


@dataclass(frozen=True)
class Tasks:
    lines: list[TaskLine]
    url: str


def my_tasks(user, levels: list[int]) -> Tasks:
    """Per level: the tasks I have taken, and those waiting in my pools (capped)."""
    taken = figures.taken_counts(user)
    pools = figures.pool_sizes(user, levels, POOL_CAP)
    lines = [TaskLine(str(TaskLevel(level).label), taken.get(level, 0), *pools[level]) for level in levels]
    return Tasks(lines, admin_url("routing_tasks"))


@dataclass(frozen=True)
class Reminder:
    """催办: one of my taken tasks whose case is 临期 or 超期."""

    receipt_no: str
    matter: str
    level: str
    deadline: datetime.date
    warning: str
    warning_name: str
    url: str


def reminders(user, bounds: WarningBounds) -> tuple[list[Reminder], bool]:
    """My urgent taken tasks, most urgent first, at most ``REMINDERS_SHOWN`` (and whether there are more)."""
    tasks = figures.warned_tasks(user, bounds, REMINDERS_SHOWN + 1)
    shown = []
    for task in tasks[:REMINDERS_SHOWN]:
        warning = bounds.of(task.case.deadline)
        shown.append(
            Reminder(
                receipt_no=task.case.receipt_no,
                matter=task.case.matter.name,
                level=str(TaskLevel(task.level).label),
                deadline=task.case.deadline,
                warning=warning,
                warning_name=_(deadlines.WARNING_NAMES[warning]),
                url=admin_url("routing_task", task.pk),
            )
        )
    return shown, len(tasks) > REMINDERS_SHOWN


@dataclass(frozen=True)
class StatusLine:
    code: str
    name: str
    count: int
    url: str


@dataclass(frozen=True)
class Figure:
    name: str
    count: int
    url: str
    level: str = ""  # a warning level for the style: "near", "overdue" or ""


@dataclass(frozen=True)
class Cases:
    open_lines: list[StatusLine]  # every open 流程状态, all of the scope's open cases
    open_total: int
    recent_lines: list[StatusLine]  # the 流程状态 of the cases accepted in the last RECENT_DAYS days
    recent_total: int
    recent_first: datetime.date
    attention: list[Figure]  # 临期, 超期, 移交办理中
    url: str


RECENT_DAYS = 30


def my_cases(user, bounds: WarningBounds) -> Cases:
    """The cases of my scope: the open ones by 流程状态 (with 临期, 超期 and transfers waiting among them),
    and those accepted in the last ``RECENT_DAYS`` days by 流程状态 — two aggregate queries over indexes."""
    scope = cases_for(user)
    today = bounds.today
    first = today - datetime.timedelta(days=RECENT_DAYS - 1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, zone)
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, zone)
    open_counts = figures.open_counts(scope, bounds)
    recent = figures.status_counts_accepted(scope, start, end)
    period = {"accepted_from": first.isoformat(), "accepted_to": today.isoformat()}

    def line(code: str, count: int, **query) -> StatusLine:
        return StatusLine(
            code,
            _(states.STATUS_NAMES[code]),
            count,
            admin_url("routing_cases", query={"status": code, **query}),
        )

    open_lines = [
        line(code, open_counts[code].number if code in open_counts else 0)
        for code in states.STATUS_NAMES
        if code in states.OPEN
    ]
    recent_lines = [line(code, recent.get(code, 0), **period) for code in states.STATUS_NAMES]
    total = figures.OpenCount(
        *(
            sum(getattr(count, name) for count in open_counts.values())
            for name in ("number", "near", "overdue", "transfers")
        )
    )
    attention = [
        Figure(
            _("临期"),
            total.near,
            admin_url("routing_cases", query={"warning": deadlines.NEAR}),
            deadlines.NEAR,
        ),
        Figure(
            _("超期"),
            total.overdue,
            admin_url("routing_cases", query={"warning": deadlines.OVERDUE}),
            deadlines.OVERDUE,
        ),
        Figure(
            _("全省通办业务移交（办理中）"),
            total.transfers,
            admin_url("routing_cases", query={"matter": TRANSFER_MATTER}),
        ),
    ]
    return Cases(
        open_lines=open_lines,
        open_total=total.number,
        recent_lines=recent_lines,
        recent_total=sum(recent.values()),
        recent_first=first,
        attention=attention,
        url=admin_url("routing_cases"),
    )
