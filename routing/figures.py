"""Figures of cases and review tasks for the console's home page (工作台): aggregate queries only.

Every function answers with one query (``pool_sizes``: one per level) whatever the number of cases, tasks or
cities: the database counts, Python never loads the rows it counts. The case counts read covering indexes
(``Case.Meta.indexes``: the open cases by status and deadline; 受理时间 with what the figures group and filter
on), so on PostgreSQL they are index-only scans: the open cases, or the cases of a bounded period, never the
whole table. 预警 uses ``search.WarningBounds`` (two
dates computed once from the working-day calendar), so the counts here are the ones 业务状态查询 lists with
its 预置状态 condition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from . import states
from .models import Case, Task, TaskStatus
from .search import WarningBounds, count_capped
from .services.tasks import eligible_tasks

TRANSFER_WAITING = Q(target_case__isnull=False)  # an open case that is itself a transfer (全省通办业务移交)


@dataclass(frozen=True)
class OpenCount:
    """The open cases of one 流程状态 in a scope: how many, and of them 临期, 超期 and transfers."""

    number: int
    near: int
    overdue: int
    transfers: int


def open_counts(cases: QuerySet[Case], bounds: WarningBounds) -> dict[str, OpenCount]:
    """{open 流程状态: OpenCount} of ``cases`` (a scope), in one query over the open cases' index.

    临期 and 超期 are 业务状态查询's 预置状态 (``bounds``: the two dates computed once)."""
    # bounds.q(NEAR / OVERDUE) without its open-status half: the cases counted are open already.
    near = Q(deadline__gte=bounds.today, deadline__lt=bounds.normal_from)
    overdue = Q(deadline__lt=bounds.today)
    rows = (
        cases.filter(status__in=states.OPEN)
        .order_by()
        .values_list("status")
        .annotate(
            number=Count("*"),
            near=Count("status", filter=near),
            overdue=Count("status", filter=overdue),
            transfers=Count("status", filter=TRANSFER_WAITING),
        )
    )
    return {
        status: OpenCount(number, near, overdue, transfers)
        for status, number, near, overdue, transfers in rows
    }


def status_counts_accepted(
    cases: QuerySet[Case], start: datetime.datetime, end: datetime.datetime
) -> dict[str, int]:
    """{流程状态: cases of ``cases`` accepted in [``start``, ``end``)}, one query over the 受理时间 index."""
    rows = (
        cases.filter(accepted_at__gte=start, accepted_at__lt=end)
        .order_by()
        .values_list("status")
        .annotate(number=Count("*"))
    )
    return {status: number for status, number in rows}


def taken_counts(user) -> dict[int, int]:
    """{审核级别: tasks ``user`` has taken and not finished}."""
    rows = (
        Task.objects.filter(assignee=user, status=TaskStatus.TAKEN)
        .order_by()
        .values_list("level")
        .annotate(number=Count("pk"))
    )
    return {level: number for level, number in rows}


def pool_sizes(user, levels: Iterable[int], cap: int) -> dict[int, tuple[int, bool]]:
    """{审核级别: (tasks waiting in ``user``'s pools, counted up to ``cap``; whether there are more)}."""
    return {level: count_capped(eligible_tasks(user, level), cap) for level in levels}


def warned_tasks(user, bounds: WarningBounds, limit: int) -> list[Task]:
    """``user``'s taken tasks whose case is 临期 or 超期, most urgent first, at most ``limit`` (催办)."""
    due = Q(case__status__in=states.OPEN, case__deadline__lt=bounds.normal_from)
    return list(
        Task.objects.filter(due, assignee=user, status=TaskStatus.TAKEN)
        .select_related("case", "case__matter")
        .only(
            "id",
            "level",
            "case__receipt_no",
            "case__deadline",
            "case__status",
            "case__applicant_name",
            "case__matter__code",
            "case__matter__name",
        )
        .order_by("case__deadline", "id")[:limit]
    )


@dataclass(frozen=True)
class CityFigures:
    """One city's cases accepted in a period: how many, how many 通办, how long, how many late."""

    region_id: int
    accepted: int
    remote: int
    finished: int
    average_handling: datetime.timedelta | None  # 受理 → 结束, over the finished ones
    overdue: int  # finished after the deadline, or open past it

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.accepted if self.accepted else None


def city_figures(start: datetime.datetime, end: datetime.datetime, today: datetime.date) -> list[CityFigures]:
    """Per 分管区域, the cases accepted in [``start``, ``end``): one grouped query over the 受理时间 index.

    A case has ``finished_at`` once it ended (办结, 审核不通过, 不予受理): those count as finished, and as late
    when they ended after their deadline's day; an open case is late once its deadline has passed."""
    late = Q(finished_at__date__gt=F("deadline")) | Q(
        finished_at__isnull=True, status__in=states.OPEN, deadline__lt=today
    )
    handling = ExpressionWrapper(F("finished_at") - F("accepted_at"), output_field=DurationField())
    rows = (
        Case.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
        .order_by()
        .values("handling_region_id")
        .annotate(
            accepted=Count("*"),
            remote=Count("status", filter=Q(remote=True)),
            finished=Count("finished_at"),
            average_handling=Avg(handling),  # NULL (not finished) is left out
            overdue=Count("status", filter=late),
        )
    )
    return [
        CityFigures(
            region_id=row["handling_region_id"],
            accepted=row["accepted"],
            remote=row["remote"],
            finished=row["finished"],
            average_handling=row["average_handling"],
            overdue=row["overdue"],
        )
        for row in rows
    ]
