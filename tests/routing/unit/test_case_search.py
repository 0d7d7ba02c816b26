"""业务状态查询's 预置状态 as two dates (``search.WarningBounds``) says what ``deadlines.warning`` says, on every
day around 国庆 and a 调休 weekend, for every deadline of the weeks around it."""

import datetime

from catalog.workdays import WorkCalendar
from routing import deadlines
from routing.search import CaseFilters, WarningBounds

HOLIDAYS = [datetime.date(2024, 10, day) for day in range(1, 8)]
EXTRA = [datetime.date(2024, 9, 29), datetime.date(2024, 10, 12)]


def test_the_bounds_agree_with_the_warning_of_every_deadline():
    calendar = WorkCalendar.of(HOLIDAYS, EXTRA)
    start = datetime.date(2024, 9, 20)
    for offset in range(30):
        today = start + datetime.timedelta(days=offset)
        bounds = WarningBounds.on(today, calendar)
        for ahead in range(-5, 30):
            deadline = today + datetime.timedelta(days=ahead)
            assert bounds.of(deadline) == deadlines.warning(deadline, today, calendar), (today, deadline)


def test_empty_filters_say_so():
    assert CaseFilters().is_empty()
    assert not CaseFilters(status="scanned").is_empty()
    assert not CaseFilters(matter_ids=(1,)).is_empty()
