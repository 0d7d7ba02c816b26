"""Writes of SMS templates and the outbox: reference data, outbox rows, 重新发送, the sweeper's schedule."""

import datetime
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Region
from core.loading import LoadReport, upsert

from .models import PlaceholderCode, SmsMessage, SmsStatus, SmsTemplate, SmsTemplateCategory
from .outbox import invalid_mobile_reason, normalize_mobile

logger = logging.getLogger(__name__)

DELIVER_TASK = "sms_templates.tasks.deliver"
SWEEP_TASK = "sms_templates.tasks.sweep"
SWEEP_SCHEDULE_NAME = "短信发件箱巡检"

REFERENCE_FILE = Path(__file__).resolve().parent / "reference_data" / "guangdong.json"


@transaction.atomic
def sms_reference_data_load(report: LoadReport) -> None:
    """The 13 placeholder codes of annex 3 and example templates; idempotent."""
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    for order, row in enumerate(data["placeholders"], start=1):
        upsert(
            PlaceholderCode,
            report,
            lookup={"code": row["code"]},
            values={"meaning": row["meaning"], "sample_value": row["sample"], "sort_order": order * 10},
        )
    categories = {
        row["name"]: upsert(
            SmsTemplateCategory,
            report,
            lookup={"name": row["name"], "region": None},
            values={"sort_order": row["sort_order"]},
        )
        for row in data["categories"]
    }
    for row in data["templates"]:
        upsert(
            SmsTemplate,
            report,
            lookup={"function_code": row["function_code"]},
            values={"category": categories[row["category"]], "name": row["name"], "content": row["content"]},
        )


@transaction.atomic
def sms_category_save(*, category: SmsTemplateCategory, user, reason: str = "") -> SmsTemplateCategory:
    """Save a 短信模板大类 (the admin's and the importer's), validated here whoever calls."""
    return _validated_save(category, user, reason)


@transaction.atomic
def sms_template_save(*, template: SmsTemplate, user, reason: str = "") -> SmsTemplate:
    """Save a template (the admin's and the importer's): length and placeholders checked here whoever calls."""
    return _validated_save(template, user, reason)


def _validated_save(obj, user, reason: str):
    obj.full_clean()
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


def _now() -> datetime.datetime:
    """The clock; a seam so tests can pin it (the delivery task reads it through this module too)."""
    return timezone.now()


def stale_after(now: datetime.datetime) -> datetime.datetime:
    """When a row that is queued or sending now counts as stuck and the sweeper takes it over."""
    return now + datetime.timedelta(seconds=settings.SMS_STALE_SECONDS)


def sms_delivery_enqueue(message_id: int) -> None:
    """Hand one outbox row to django-q2; a lost task is harmless, the sweeper re-enqueues the row."""
    from django_q.tasks import async_task

    # save=False: the outbox row is the record of a delivery; storing (and pruning) a django-q2 result
    # per message would double the database writes. Tasks that raise are still saved as failures.
    async_task(DELIVER_TASK, message_id, task_name=f"sms-{message_id}", save=False)


def _enqueue_after_commit(message_id: int) -> Callable[[], None]:
    """The on-commit callback enqueueing one row. A named function rather than a ``functools.partial``: Django
    logs a failing robust callback by its ``__qualname__``, which a partial lacks, so with the broker down at
    commit the log line itself raised out of the commit and the caller's committed event answered as an error."""

    def enqueue_sms_delivery() -> None:
        sms_delivery_enqueue(message_id)

    return enqueue_sms_delivery


def sms_outbox_write(
    *,
    recipient: str,
    text: str,
    case_reference: str,
    event: str,
    template: SmsTemplate | None = None,
    region: Region | None = None,
    matter: str = "",
    occurrence: str = "",
) -> SmsMessage:
    """Write one outbox row in the caller's transaction and deliver it after commit; once per unique key.

    The key (case, event, recipient, occurrence) makes this idempotent: writing the same message again
    returns the existing row and sends nothing more. A number that is not a mainland mobile number
    gives a ``failed`` row with the reason and no delivery attempt.
    """
    number = normalize_mobile(recipient)
    key = {"case_reference": case_reference, "event": event, "recipient": number, "occurrence": occurrence}
    reason = invalid_mobile_reason(number)
    now = _now()
    with transaction.atomic():
        existing = SmsMessage.objects.filter(**key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():  # a savepoint: a concurrent writer of the same key wins cleanly
                message = SmsMessage.objects.create(
                    **key,
                    text=text,
                    template=template,
                    region=region,
                    matter=matter,
                    status=SmsStatus.FAILED if reason else SmsStatus.QUEUED,
                    last_error=reason or "",
                    next_attempt_at=None if reason else stale_after(now),
                )
        except IntegrityError:
            return SmsMessage.objects.get(**key)
        if reason:
            logger.warning("SMS %s not sent: %s", message.pk, reason)
        else:
            # Only once the event's transaction commits: a rolled-back event sends nothing. robust: a
            # broker outage must not turn a committed event into an error; the sweeper covers it.
            transaction.on_commit(_enqueue_after_commit(message.pk), robust=True)
    return message


@dataclass(frozen=True)
class ResendReport:
    resent: int
    invalid_number: int
    not_failed: int


def sms_messages_resend(*, messages: Iterable[SmsMessage]) -> ResendReport:
    """重新发送: put failed messages with a valid number back in the queue, with a fresh attempt budget."""
    resent = invalid = not_failed = 0
    now = _now()
    with transaction.atomic():
        for message in messages:
            if message.status != SmsStatus.FAILED:
                not_failed += 1
                continue
            if invalid_mobile_reason(message.recipient):
                invalid += 1
                continue
            updated = SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.FAILED).update(
                status=SmsStatus.QUEUED, attempts=0, next_attempt_at=stale_after(now), updated_at=now
            )
            if updated:
                resent += 1
                transaction.on_commit(_enqueue_after_commit(message.pk), robust=True)
    return ResendReport(resent, invalid, not_failed)


def sms_sweep_schedule_ensure(report: LoadReport | None = None) -> LoadReport:
    """Create or update the django-q2 schedule of the outbox sweeper (every minute)."""
    from django_q.models import Schedule

    report = report if report is not None else LoadReport()
    upsert(
        Schedule,
        report,
        lookup={"name": SWEEP_SCHEDULE_NAME},
        values={"func": SWEEP_TASK, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
    )
    return report
