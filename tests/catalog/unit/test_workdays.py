"""Working days for 办理时限 and 催办: weekends, holidays, 调休 working weekends."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.workdays import WorkCalendar, add_working_days, remaining_working_days

D = datetime.date
PLAIN = WorkCalendar()
# 2026 National Day: 1–7 October off (Thu 1 … Wed 7), Sunday 27 September and Saturday 10 October worked.
NATIONAL_DAY = WorkCalendar.of(
    holidays=[D(2026, 10, day) for day in range(1, 8)],
    extra_workdays=[D(2026, 9, 27), D(2026, 10, 10)],
)


def test_weekdays_work_and_weekends_do_not():
    assert PLAIN.is_working_day(D(2026, 11, 20))  # Friday
    assert not PLAIN.is_working_day(D(2026, 11, 21))  # Saturday
    assert not PLAIN.is_working_day(D(2026, 11, 22))  # Sunday


def test_holidays_are_off_and_adjusted_weekends_are_worked():
    assert not NATIONAL_DAY.is_working_day(D(2026, 10, 5))  # a Monday in the holiday
    assert NATIONAL_DAY.is_working_day(D(2026, 9, 27))  # a Sunday worked (调休)
    assert NATIONAL_DAY.is_working_day(D(2026, 10, 10))  # a Saturday worked


def test_a_day_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError):
        WorkCalendar.of(holidays=[D(2026, 10, 1)], extra_workdays=[D(2026, 10, 1)])


def test_time_limit_starts_the_working_day_after_acceptance():
    assert add_working_days(D(2026, 11, 20), 1, PLAIN) == D(2026, 11, 23)  # Friday + 1 → Monday
    assert add_working_days(D(2026, 11, 16), 5, PLAIN) == D(2026, 11, 23)
    assert add_working_days(D(2026, 11, 16), 0, PLAIN) == D(2026, 11, 16)


def test_time_limit_skips_the_national_day_holiday_and_counts_the_worked_saturday():
    # Accepted Wed 30 Sept: working days after it are Thu 8, Fri 9, Sat 10 (调休), Mon 12 …
    assert add_working_days(D(2026, 9, 30), 3, NATIONAL_DAY) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4, NATIONAL_DAY) == D(2026, 10, 12)


def test_remaining_days_is_zero_on_the_deadline_and_negative_when_overdue():
    deadline = D(2026, 11, 27)  # Friday
    assert remaining_working_days(D(2026, 11, 23), deadline, PLAIN) == 4
    assert remaining_working_days(deadline, deadline, PLAIN) == 0
    assert remaining_working_days(D(2026, 11, 30), deadline, PLAIN) == -1  # the Monday after
    assert remaining_working_days(D(2026, 11, 28), deadline, PLAIN) == 0  # Saturday after: no working day yet


def test_remaining_days_across_the_holiday():
    assert remaining_working_days(D(2026, 9, 30), D(2026, 10, 12), NATIONAL_DAY) == 4


def test_remaining_days_over_many_weeks_uses_whole_weeks_correctly():
    assert remaining_working_days(D(2026, 1, 2), D(2026, 3, 6), PLAIN) == 45


def _slow_count(after, until, calendar):
    day, count = after, 0
    while day < until:
        day += datetime.timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2028, 12, 31))
calendars = st.builds(
    lambda off, on: WorkCalendar.of(off - on, on),
    st.frozensets(dates, max_size=30),
    st.frozensets(dates, max_size=10),
)


@given(today=dates, deadline=dates, calendar=calendars)
def test_remaining_days_agrees_with_counting_day_by_day(today, deadline, calendar):
    expected = (
        _slow_count(today, deadline, calendar)
        if today <= deadline
        else -_slow_count(deadline, today, calendar)
    )
    assert remaining_working_days(today, deadline, calendar) == expected


@given(start=dates, days=st.integers(min_value=0, max_value=60), calendar=calendars)
def test_the_deadline_of_n_working_days_leaves_n_working_days(start, days, calendar):
    deadline = add_working_days(start, days, calendar)
    assert remaining_working_days(start, deadline, calendar) == days
    assert days == 0 or calendar.is_working_day(deadline)
