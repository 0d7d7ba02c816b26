"""Working-day arithmetic for 办理时限 and 催办 (pure Python, no Django).

A working day is Monday–Friday, minus the public holidays, plus the 调休 weekend days declared as
working days. ``WorkCalendar`` holds both sets; the holiday calendar in the admin fills it.

Conventions (what an office counts):

* A time limit of *n* working days starts the working day after acceptance: accepted on a Friday
  with 1 working day, the deadline is the next Monday (if it works).
* ``remaining_working_days(today, deadline)`` counts the working days after today up to and including
  the deadline: 0 on the deadline day itself, negative once overdue (−1 the working day after it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["WorkCalendar", "add_working_days", "remaining_working_days"]

_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: weekdays, except ``holidays``, plus ``extra_workdays`` (调休上班)."""

    holidays: frozenset[datetime.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[datetime.date] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, holidays: Iterable[datetime.date] = (), extra_workdays: Iterable[datetime.date] = ()
    ) -> WorkCalendar:
        holidays, extra = frozenset(holidays), frozenset(extra_workdays)
        both = holidays & extra
        if both:
            raise ValueError(f"a day cannot be both a holiday and a working day: {sorted(both)}")
        return cls(holidays, extra)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int, calendar: WorkCalendar) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself for 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def remaining_working_days(today: datetime.date, deadline: datetime.date, calendar: WorkCalendar) -> int:
    """Working days after ``today`` up to and including ``deadline``; negative when overdue."""
    if today <= deadline:
        return _working_days_between(today, deadline, calendar)
    return -_working_days_between(deadline, today, calendar)


def _working_days_between(after: datetime.date, until: datetime.date, calendar: WorkCalendar) -> int:
    """Working days d with after < d <= until: whole weeks in one step, the rest day by day."""
    span = (until - after).days
    weeks, rest = divmod(span, 7)
    count = weeks * 5
    day = after + datetime.timedelta(days=7 * weeks)
    for _ in range(rest):
        day += _ONE_DAY
        if day.weekday() < 5:
            count += 1
    # Adjust the plain Monday–Friday count for the calendar's exceptions inside the range.
    for holiday in calendar.holidays:
        if after < holiday <= until and holiday.weekday() < 5:
            count -= 1
    for extra in calendar.extra_workdays:
        if after < extra <= until and extra.weekday() >= 5:
            count += 1
    return count
