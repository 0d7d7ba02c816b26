"""The province's part of the home page: per city, over a chosen period, the cases accepted, the 通办 among
them, the average handling time and the share that ran late — a table and the same figures as a chart.

A case counts for the city that handles it (分管区域) when it was accepted in the period. Two queries: the
cities, and one grouped aggregate over the 受理时间 index (the period's span is bounded).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.models import Region
from permissions.selectors import allowed_city_codes
from routing import figures
from routing.selectors import QUERY_PERMISSION

from .chart import Bar, bar_chart
from .period import Period, PeriodForm

DAY = datetime.timedelta(days=1)


def sees_province(user) -> bool:
    """Province-wide readers of cases (业务状态查询 everywhere; a superuser)."""
    return (
        user.is_active
        and user.has_perm(QUERY_PERMISSION)
        and allowed_city_codes(user, [QUERY_PERMISSION]) is None
    )


@dataclass(frozen=True)
class CityRow:
    name: str
    code: str
    accepted: int
    remote: int
    finished: int
    average_days: float | None
    overdue: int
    overdue_share: float | None

    @property
    def overdue_percent(self) -> str:
        return _percent(self.overdue_share)


@dataclass(frozen=True)
class ProvinceFigures:
    form: PeriodForm
    period: Period
    rows: list[CityRow]
    total: CityRow
    chart: SafeString


def _days(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else duration / DAY


def _row(name: str, code: str, found: figures.CityFigures | None) -> CityRow:
    if found is None:
        return CityRow(name, code, 0, 0, 0, None, 0, None)
    return CityRow(
        name=name,
        code=code,
        accepted=found.accepted,
        remote=found.remote,
        finished=found.finished,
        average_days=_days(found.average_handling),
        overdue=found.overdue,
        overdue_share=found.overdue_share,
    )


def _total(rows: list[figures.CityFigures]) -> CityRow:
    accepted = sum(row.accepted for row in rows)
    finished = sum(row.finished for row in rows)
    overdue = sum(row.overdue for row in rows)
    handled = [row.average_handling * row.finished for row in rows if row.average_handling is not None]
    average = sum(handled, datetime.timedelta()) / finished if finished and handled else None
    return CityRow(
        name=_("全省合计"),
        code="",
        accepted=accepted,
        remote=sum(row.remote for row in rows),
        finished=finished,
        average_days=_days(average),
        overdue=overdue,
        overdue_share=overdue / accepted if accepted else None,
    )


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def province_figures(data, *, today: datetime.date) -> ProvinceFigures:
    """The per-city figures of the period the GET ``data`` names (the default period when it is refused);
    every city has its row, and the province its own when it handles cases (transfers to its agency)."""
    form = PeriodForm(data, today=today)
    period = form.period()
    start, end = period.bounds(timezone.get_current_timezone())
    found = figures.city_figures(start, end, today)
    by_region = {row.region_id: row for row in found}
    # Every city, and the province itself when it handles cases (transfers to the provincial agency).
    regions = Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY]).order_by("code")
    rows = [
        _row(region.name, region.code, by_region.get(region.pk))
        for region in regions.only("pk", "code", "name", "level")
        if region.level == Region.Level.CITY or region.pk in by_region
    ]
    bars = [
        Bar(
            label=row.name,
            total=row.accepted,
            part=row.remote,
            note=_("%(accepted)s（通办 %(remote)s）超期 %(share)s")
            % {"accepted": row.accepted, "remote": row.remote, "share": row.overdue_percent},
        )
        for row in rows
    ]
    chart = bar_chart(
        bars,
        title=_("各地级市受理量（%(first)s 至 %(last)s）") % {"first": period.first, "last": period.last},
        description=_(
            "每个地级市一行：浅色条为受理量，深色部分为其中的通办（异地受理）量，条后注明超期占比。"
        ),
        total_name=_("受理量"),
        part_name=_("其中通办"),
    )
    return ProvinceFigures(form, period, rows, _total(found), mark_safe(chart))  # noqa: S308 - escaped in bar_chart
