"""催办短信: a daily django-q2 schedule reminds open cases that are close to their 办理时限.

Cases come from a ``ReminderSource`` named by ``settings.SMS_REMINDER_SOURCE``: by default
``CaseReminderSource``, the open cases of the case table (in review, not suspended); tests plug in
``InMemoryReminderSource``. A case gets at most one 催办 per day: the outbox key carries the day as its
``occurrence``, so a schedule that runs twice (or a re-run after a crash) sends nothing more.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.selectors import work_calendar
from catalog.workdays import add_working_days, remaining_working_days
from sms_templates.models import SmsEvent

from .services import SmsNotifyRefused, sms_notify

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenCase:
    """What 催办 needs to know of an open case."""

    case_reference: str
    matter: str
    region: str  # the city whose published configuration holds the 催办 slot
    recipient: str
    accepted_on: datetime.date
    time_limit_days: int  # 办理时限, in working days
    facts: Mapping[str, str] = field(default_factory=dict)  # placeholder values (XM, YWMC, SLHZH, …)
    deadline: datetime.date | None = (
        None  # the case's own (moved by 中止); else accepted_on + time_limit_days
    )


@runtime_checkable
class ReminderSource(Protocol):
    """Anything that lists the cases still open (not completed, terminated or suspended)."""

    def open_cases(self) -> Iterable[OpenCase]: ...


class InMemoryReminderSource:
    """A fixed list of open cases: the tests' source."""

    def __init__(self, cases: Iterable[OpenCase] = ()):
        self.cases = list(cases)

    def open_cases(self) -> Iterable[OpenCase]:
        return iter(self.cases)


class CaseReminderSource:
    """The cases being handled (受理 to 复审; not 待补正, which waits for the applicant, nor 中止), read in
    chunks; the 催办 slot is the handling city's. Each goes to the applicant and to the reviewer holding its task
    when they left a mobile number (``StaffContact``); the due day is the case's own deadline (moved by 中止)."""

    def open_cases(self) -> Iterable[OpenCase]:
        from .models import Case, Task, TaskStatus
        from .services.cases import case_facts
        from .states import ACCEPTED, FIRST_ASSIGNED, FIRST_REVIEWED, SCANNED, SECOND_ASSIGNED

        handled = (ACCEPTED, SCANNED, FIRST_ASSIGNED, FIRST_REVIEWED, SECOND_ASSIGNED)
        cases = (
            Case.objects.filter(status__in=handled)
            .exclude(phone="")
            .select_related("matter", "handling_agency", "handling_region")
            .order_by("pk")
        )
        for case in cases.iterator(chunk_size=2_000):
            yield OpenCase(
                case_reference=case.receipt_no,
                matter=case.matter.code,
                region=case.handling_region.code,
                recipient=case.phone,
                accepted_on=timezone.localtime(case.accepted_at).date(),
                time_limit_days=case.time_limit_days,
                facts=case_facts(case),
                deadline=case.deadline,
            )
        # The reviewers holding a task of a case in review, when they left a mobile number (联系方式).
        tasks = (
            Task.objects.filter(status=TaskStatus.TAKEN, case__status__in=handled)
            .exclude(assignee__staff_contact__mobile="")
            .exclude(assignee__staff_contact__isnull=True)
            .select_related("case__matter", "case__handling_region", "assignee__staff_contact")
            .order_by("pk")
        )
        for task in tasks.iterator(chunk_size=2_000):
            case = task.case
            yield OpenCase(
                case_reference=case.receipt_no,
                matter=case.matter.code,
                region=case.handling_region.code,
                recipient=task.assignee.staff_contact.mobile,
                accepted_on=timezone.localtime(case.accepted_at).date(),
                time_limit_days=case.time_limit_days,
                facts=case_facts(case),
                deadline=case.deadline,
            )


@dataclass
class ReminderReport:
    checked: int = 0
    written: int = 0  # outbox rows written (or found already written today)
    not_due: int = 0
    no_template: int = 0
    refused: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def configured_source() -> ReminderSource:
    return import_string(settings.SMS_REMINDER_SOURCE)()


def reminders_send_due(
    *,
    today: datetime.date | None = None,
    source: ReminderSource | None = None,
    threshold: int | None = None,
) -> dict[str, int]:
    """Write the 催办 SMS of every open case with at most ``threshold`` working days left; once per day.

    Nothing is sent on a day off (the count does not move and nobody acts on it). Each case is its
    own transaction, so one bad case does not stop the others.
    """
    today = today or timezone.localdate()
    threshold = settings.SMS_REMINDER_THRESHOLD_DAYS if threshold is None else threshold
    source = source or configured_source()
    calendar = work_calendar()
    report = ReminderReport()
    if not calendar.is_working_day(today):
        return report.as_dict()
    for case in source.open_cases():
        report.checked += 1
        deadline = case.deadline or add_working_days(case.accepted_on, case.time_limit_days, calendar)
        remaining = remaining_working_days(today, deadline, calendar)
        if remaining > threshold:
            report.not_due += 1
            continue
        facts = {**case.facts, "DAY": str(max(remaining, 0))}
        try:
            with transaction.atomic():
                message = sms_notify(
                    event=SmsEvent.REMINDER.value,
                    matter=case.matter,
                    region=case.region,
                    recipient=case.recipient,
                    case_reference=case.case_reference,
                    facts=facts,
                    occurrence=today.isoformat(),
                )
        except SmsNotifyRefused as exc:
            report.refused += 1
            logger.warning("催办 %s refused: %s", case.case_reference, exc.message)
            continue
        except Exception:
            report.errors += 1
            logger.exception("催办 %s failed", case.case_reference)
            continue
        if message is None:
            report.no_template += 1
        else:
            report.written += 1
    logger.info("催办短信 %s: %s", today, report.as_dict())
    return report.as_dict()
