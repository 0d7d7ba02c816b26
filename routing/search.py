"""业务状态查询 (003 附件 4): the screen's conditions as one value, the cases they select inside the user's
scope, a count that stops at a cap, and the 预警 bounds that let the database filter on 正常 / 临期 / 超期.

Reads only. Every condition narrows ``selectors.cases_for(user)``, so a condition naming an agency or a
region outside the user's scope selects nothing more than the scope already gives (a 中山 clerk asking for
受理机构 = 广州 sees the remote cases 广州 accepted for 中山, never a 广州-only case).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, fields

from django.db import connections
from django.db.models import Q, QuerySet

from catalog.models import Matter
from catalog.workdays import WorkCalendar, add_working_days

from . import deadlines, states
from .models import Case
from .selectors import cases_for

COUNT_CAP = 10_000  # counted exactly up to here, "10000+" beyond: no full-table COUNT on every page
MATTERS_PER_NAME = 50  # matters one 业务名称 may stand for (a name fragment matching more is too vague)

# What a row of the list, the export and the 详情 page reads through foreign keys: one query, not one per row.
RELATED = ("matter", "accepting_agency", "handling_agency", "channel", "accepted_by")


@dataclass(frozen=True)
class CaseFilters:
    """The conditions of the 业务状态查询 screen, already checked (empty = no condition)."""

    receipt_no: str = ""  # 受理回执号
    serial_no: str = ""  # 业务流水号
    person_code: str = ""  # 个人管理码
    matter_ids: tuple[int, ...] = ()  # 业务名称: the matters a name or code stands for
    id_number: str = ""  # 证件号
    name: str = ""  # 姓名
    employer_code: str = ""  # 单位管理码
    accepting_agency: str = ""  # 受理机构 (code)
    channel: str = ""  # 数据来源 (code)
    accepted_from: datetime.date | None = None  # 受理开始
    accepted_to: datetime.date | None = None  # 受理结束 (inclusive)
    archive_status: str = ""  # 建档状态
    status: str = ""  # 流程状态
    accepting_region: str = ""  # 受理区域 (code)
    handling_region: str = ""  # 分管区域 (code)
    scan_status: str = ""  # 影像状态
    handling_agency: str = ""  # 分管机构 (code)
    evaluation: str = ""  # 终端设备评价
    warning: str = ""  # 预置状态: 预警 正常 / 临期 / 超期 of the open cases

    def is_empty(self) -> bool:
        return not any(getattr(self, item.name) for item in fields(self))


@dataclass(frozen=True)
class WarningBounds:
    """预警 as two dates, for a filter the database can apply: an open case is 超期 when its deadline is
    before ``today``, 临期 up to the day before ``normal_from``, 正常 from then on. The same answer as
    ``deadlines.warning`` (a unit test holds them together)."""

    today: datetime.date
    normal_from: datetime.date

    @classmethod
    def on(cls, today: datetime.date, calendar: WorkCalendar, near_days: int = deadlines.NEAR_DAYS):
        # 临期 while at most ``near_days`` working days remain after today: until the next working day
        # after that many, exclusive.
        return cls(today, add_working_days(today, near_days + 1, calendar))

    def q(self, warning: str) -> Q:
        open_cases = Q(status__in=states.OPEN)
        if warning == deadlines.OVERDUE:
            return open_cases & Q(deadline__lt=self.today)
        if warning == deadlines.NEAR:
            return open_cases & Q(deadline__gte=self.today, deadline__lt=self.normal_from)
        return open_cases & Q(deadline__gte=self.normal_from)

    def of(self, deadline: datetime.date) -> str:
        if deadline < self.today:
            return deadlines.OVERDUE
        return deadlines.NEAR if deadline < self.normal_from else deadlines.NORMAL


def matters_named(text: str) -> list[int]:
    """The matters a 业务名称 condition stands for: the exact 事项编码, or a name or alias containing it."""
    text = text.strip()
    if not text:
        return []
    found = Matter.objects.filter(Q(code=text.upper()) | Q(name__contains=text) | Q(aliases__contains=text))
    return list(found.order_by("code").values_list("pk", flat=True)[: MATTERS_PER_NAME + 1])


_EQUAL = {
    "receipt_no": "receipt_no",
    "serial_no": "serial_no",
    "person_code": "person_code",
    "id_number": "id_number",
    "name": "applicant_name",
    "employer_code": "employer_code",
    "accepting_agency": "accepting_agency__code",
    "channel": "channel__code",
    "archive_status": "archive_status",
    "status": "status",
    "accepting_region": "accepting_region__code",
    "handling_region": "handling_region__code",
    "scan_status": "scan_status",
    "handling_agency": "handling_agency__code",
    "evaluation": "evaluation",
}


def case_search(
    user, filters: CaseFilters, *, bounds: WarningBounds | None = None, tz: datetime.tzinfo | None = None
) -> QuerySet[Case]:
    """The cases ``filters`` select among those ``user`` may query, newest first (``bounds``: needed for a
    预置状态 condition; ``tz``: the zone whose calendar days 受理开始/结束 mean, the current one by default)."""
    from django.utils import timezone

    cases = cases_for(user)
    conditions = {lookup: getattr(filters, name) for name, lookup in _EQUAL.items() if getattr(filters, name)}
    if conditions:
        cases = cases.filter(**conditions)
    if filters.matter_ids:
        cases = cases.filter(matter_id__in=filters.matter_ids)
    zone = tz or timezone.get_current_timezone()
    if filters.accepted_from:
        start = datetime.datetime.combine(filters.accepted_from, datetime.time.min, zone)
        cases = cases.filter(accepted_at__gte=start)
    if filters.accepted_to:
        end = datetime.datetime.combine(
            filters.accepted_to + datetime.timedelta(days=1), datetime.time.min, zone
        )
        cases = cases.filter(accepted_at__lt=end)
    if filters.warning:
        if bounds is None:
            raise ValueError("a 预置状态 condition needs the warning bounds of today")
        cases = cases.filter(bounds.q(filters.warning))
    return cases.order_by("-accepted_at", "-id")


@dataclass(frozen=True)
class Count:
    """How many cases a search selects: exact, exact up to a cap (``more``), or the planner's estimate."""

    value: int
    more: bool = False  # there are more than ``value``
    estimated: bool = False  # ``value`` is PostgreSQL's estimate, not a count


def case_count(cases: QuerySet, filters: CaseFilters) -> Count:
    """The count shown above a page, never a full-table COUNT: with no condition on PostgreSQL the planner's
    estimate when it is above the cap (the whole scope: hundreds of thousands of rows); otherwise counted
    up to ``COUNT_CAP``."""
    if filters.is_empty():
        estimate = planner_estimate(cases)
        if estimate is not None and estimate > COUNT_CAP:
            return Count(estimate, estimated=True)
    value, more = count_capped(cases)
    return Count(value, more=more)


def planner_estimate(cases: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows ``cases`` has (EXPLAIN, nothing read); None on other databases."""
    connection = connections[cases.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = cases.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_capped(cases: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """How many rows ``cases`` has, counted up to ``cap`` (``COUNT_CAP``) only: (count, True) when there are
    more. A COUNT over a LIMIT subquery: the database stops after ``cap + 1`` rows."""
    cap = COUNT_CAP if cap is None else cap
    counted = cases.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if counted > cap else (counted, False)
