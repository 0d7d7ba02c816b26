"""预警 of a case's deadline (pure): 正常, 临期 (at most ``NEAR_DAYS`` working days left) or 超期."""

import datetime

from catalog.workdays import WorkCalendar, remaining_working_days

NORMAL, NEAR, OVERDUE = "normal", "near", "overdue"
WARNING_NAMES = {NORMAL: "正常", NEAR: "临期", OVERDUE: "超期"}
NEAR_DAYS = 3


def warning(
    deadline: datetime.date, today: datetime.date, calendar: WorkCalendar, *, near_days: int = NEAR_DAYS
) -> str:
    """The warning of an open case due on ``deadline``, seen on ``today``."""
    if today > deadline:
        return OVERDUE
    return NEAR if remaining_working_days(today, deadline, calendar) <= near_days else NORMAL
