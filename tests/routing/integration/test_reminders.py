"""催办短信: sent when few working days remain, at most once per case per day, never on a day off."""

import datetime

import pytest

from catalog.models import Holiday
from routing.reminders import InMemoryReminderSource, OpenCase, ReminderSource, reminders_send_due
from sms_templates.models import SmsMessage
from tests.routing.fixtures import CASE_FACTS

pytestmark = pytest.mark.django_db

D = datetime.date
# Accepted Monday 16 Nov 2026 with 10 working days: the deadline is Monday 30 Nov.
CASE = OpenCase(
    case_reference="GS2026111600001",
    matter="GS0101",
    region="442000",
    recipient="13800138000",
    accepted_on=D(2026, 11, 16),
    time_limit_days=10,
    facts=CASE_FACTS,
)


def _run(today, *cases, threshold=3):
    return reminders_send_due(
        today=today, source=InMemoryReminderSource(cases or [CASE]), threshold=threshold
    )


def test_the_in_memory_source_is_a_reminder_source():
    assert isinstance(InMemoryReminderSource(), ReminderSource)


def test_no_reminder_while_more_working_days_remain_than_the_threshold(published_sms, memory_gateway):
    report = _run(D(2026, 11, 24))  # 4 working days left
    assert (report["checked"], report["not_due"], report["written"]) == (1, 1, 0)
    assert not SmsMessage.objects.exists()


def test_a_reminder_with_the_remaining_days_when_the_threshold_is_reached(published_sms, memory_gateway):
    report = _run(D(2026, 11, 25))  # 3 left: 26, 27, 30
    assert report["written"] == 1
    message = SmsMessage.objects.get()
    assert message.event == "reminder" and message.occurrence == "2026-11-25"
    assert message.case_reference == CASE.case_reference
    assert (
        message.text
        == "中山市社会保险基金管理局提醒：受理回执号2201091444546597的工伤医疗费剩余3个工作日办理时限，请及时处理。"
    )


def test_at_most_one_reminder_per_case_per_day(
    published_sms, memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _run(D(2026, 11, 25))
        _run(D(2026, 11, 25))  # the schedule ran twice
    assert SmsMessage.objects.count() == 1 and len(memory_gateway.sent) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _run(D(2026, 11, 26))
    assert list(SmsMessage.objects.order_by("occurrence").values_list("occurrence", flat=True)) == [
        "2026-11-25",
        "2026-11-26",
    ]
    assert [sms.text.split("剩余")[1][:1] for sms in memory_gateway.sent] == ["3", "2"]


def test_nothing_is_sent_on_a_weekend_or_a_holiday(published_sms, memory_gateway):
    assert _run(D(2026, 11, 28))["checked"] == 0  # Saturday
    Holiday.objects.create(date=D(2026, 11, 27), name="测试假日")
    assert _run(D(2026, 11, 27))["checked"] == 0
    assert not SmsMessage.objects.exists()


def test_an_adjusted_working_saturday_sends_reminders(published_sms, memory_gateway):
    Holiday.objects.create(date=D(2026, 11, 28), name="调休上班", is_workday_override=True)
    # The worked Saturday is the 10th working day, so it is also the deadline.
    assert _run(D(2026, 11, 28))["written"] == 1
    assert "剩余0个工作日" in SmsMessage.objects.get().text


def test_a_holiday_before_today_moves_the_deadline(published_sms, memory_gateway):
    Holiday.objects.create(date=D(2026, 11, 18), name="测试假日")
    assert _run(D(2026, 11, 25))["not_due"] == 1  # deadline 1 Dec: 4 working days left


def test_an_overdue_case_is_reminded_with_zero_days(published_sms, memory_gateway):
    _run(D(2026, 12, 3))
    assert "剩余0个工作日" in SmsMessage.objects.get().text


def test_one_case_that_cannot_be_reminded_does_not_stop_the_others(published_sms, memory_gateway):
    elsewhere = OpenCase(**{**CASE.__dict__, "case_reference": "SZ1", "region": "440300"})  # not bound there
    bad_number = OpenCase(**{**CASE.__dict__, "case_reference": "ZS2", "recipient": "12345"})
    report = _run(D(2026, 11, 25), elsewhere, bad_number, CASE)
    assert (report["refused"], report["written"]) == (1, 2)
    assert SmsMessage.objects.filter(status="failed").get().case_reference == "ZS2"


def test_without_a_reminder_template_in_the_slot_nothing_is_sent(reference_data, superuser, memory_gateway):
    from tests.routing.fixtures import publish_sms_slots

    publish_sms_slots(superuser, {"accepted": "GS_SL_01"})
    assert _run(D(2026, 11, 25))["no_template"] == 1


class TwoCases:
    def open_cases(self):
        return [CASE, OpenCase(**{**CASE.__dict__, "case_reference": "GS2"})]


def test_the_source_is_taken_from_settings(published_sms, memory_gateway, settings):
    settings.SMS_REMINDER_SOURCE = f"{__name__}.TwoCases"
    assert reminders_send_due(today=D(2026, 11, 25))["written"] == 2


def test_the_installed_schedule_runs_the_reminder_function(reference_data, settings):
    from django.utils import timezone
    from django_q.models import Schedule, Success
    from django_q.scheduler import scheduler

    from routing.services import REMINDER_SCHEDULE_NAME, reminder_schedule_ensure

    reminder_schedule_ensure()
    Schedule.objects.filter(name=REMINDER_SCHEDULE_NAME).update(
        next_run=timezone.now() - datetime.timedelta(minutes=1)
    )
    scheduler()
    result = Success.objects.get(func="routing.reminders.reminders_send_due").result
    assert set(result) >= {"checked", "written"}  # the default (empty) source: nothing to remind
