"""django-q2 and outbox settings that must hold together, and the schedules the console installs."""

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from core.loading import LoadReport
from routing.services import REMINDER_SCHEDULE_NAME, reminder_schedule_ensure
from sms_templates.services import SWEEP_SCHEDULE_NAME, sms_sweep_schedule_ensure


def test_q_cluster_retry_exceeds_timeout_so_a_running_task_is_not_handed_out_again():
    assert settings.Q_CLUSTER["retry"] > settings.Q_CLUSTER["timeout"]


def test_max_attempts_and_ack_failures_are_set_deliberately():
    assert settings.Q_CLUSTER["max_attempts"] >= 1  # 0 would mean infinite re-deliveries
    # A failed task is acknowledged, not re-delivered forever.
    assert settings.Q_CLUSTER["ack_failures"] is True


def test_one_delivery_fits_in_the_task_timeout():
    gateway = settings.SMS_HTTP_GATEWAY
    assert gateway["CONNECT_TIMEOUT"] + gateway["READ_TIMEOUT"] < settings.Q_CLUSTER["timeout"] / 2


def test_the_sweeper_never_takes_over_a_send_that_may_still_be_running():
    # A row stays "sending" at most as long as its task can run; the lease must outlast it.
    assert settings.SMS_STALE_SECONDS > settings.Q_CLUSTER["timeout"]
    assert settings.SMS_MAX_ATTEMPTS >= 2


@pytest.mark.django_db
def test_schedules_are_created_once_and_the_reminder_waits_for_its_cron_time():
    def ensure() -> LoadReport:
        report = sms_sweep_schedule_ensure()
        return reminder_schedule_ensure(report)

    assert sum(ensure().created.values()) == 2
    assert not ensure().changed
    sweep = Schedule.objects.get(name=SWEEP_SCHEDULE_NAME)
    assert (sweep.func, sweep.schedule_type, sweep.minutes, sweep.repeats) == (
        "sms_templates.tasks.sweep",
        Schedule.MINUTES,
        1,
        -1,
    )
    reminder = Schedule.objects.get(name=REMINDER_SCHEDULE_NAME)
    assert (reminder.func, reminder.schedule_type, reminder.cron) == (
        "routing.reminders.reminders_send_due",
        Schedule.CRON,
        settings.SMS_REMINDER_CRON,
    )
    assert reminder.next_run > timezone.now()
    assert timezone.localtime(reminder.next_run).hour == 9
