"""django-q2 tasks of the outbox: ``deliver`` one message, ``sweep`` for due retries and stuck rows.

Retries go through the outbox row, not through django-q2: a transient failure puts the row back to
``queued`` with ``next_attempt_at`` = now + backoff, and the sweeper (a schedule, every minute)
enqueues rows whose time has come. One mechanism therefore covers both retries and tasks the Redis
broker lost (it has no delivery receipts), and nothing but the outbox holds pending work: no
per-retry ``Schedule`` rows to leak, and a retry survives a broker flush. The cost is that a retry
waits for the next sweep (up to a minute beyond its backoff), which is fine for SMS.

Both tasks are safe to run any number of times, at once, in any worker: ``deliver`` claims its row
with one conditional UPDATE (queued → sending) and sends only if it won; the gateway gets the row id
as its idempotency key, so even a resend after a worker died between sending and marking ``sent``
is delivered once.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import F

from . import services
from .gateways import GatewayError, TransientGatewayError, get_gateway
from .models import SmsMessage, SmsStatus
from .outbox import invalid_mobile_reason, retry_delay

logger = logging.getLogger(__name__)

# Outcomes returned to django-q2 (kept in its task results) and asserted by tests.
SENT = "sent"
RETRY = "retry"
FAILED = "failed"
SKIPPED = "skipped"


def _random() -> float:
    import random

    return random.random()


def deliver(message_id: int) -> str:
    """Send one outbox message unless another run already has it; returns what happened."""
    now = services._now()
    claimed = SmsMessage.objects.filter(pk=message_id, status=SmsStatus.QUEUED).update(
        status=SmsStatus.SENDING,
        attempts=F("attempts") + 1,
        # The lease: if this worker dies, the sweeper takes the row over after this time.
        next_attempt_at=services.stale_after(now),
        updated_at=now,
    )
    if not claimed:
        return SKIPPED  # sent, failed, or being sent by another run
    message = SmsMessage.objects.get(pk=message_id)
    reason = invalid_mobile_reason(message.recipient)
    if reason:
        _fail(message, reason)
        return FAILED
    try:
        gateway_id = get_gateway().send(
            recipient=message.recipient, text=message.text, idempotency_key=str(message.pk)
        )
    except GatewayError as exc:
        return _after_error(message, exc)
    except Exception as exc:  # a bug or a misconfigured backend: retried and, in the end, failed visibly
        logger.exception("SMS %s: unexpected gateway error", message.pk)
        return _after_error(message, TransientGatewayError(f"发送时出现意外错误：{exc!r}"))
    done = services._now()
    # Also from queued: the sweeper may have reclaimed an overlong send; the message did go out.
    SmsMessage.objects.filter(pk=message.pk, status__in=[SmsStatus.SENDING, SmsStatus.QUEUED]).update(
        status=SmsStatus.SENT,
        gateway_message_id=gateway_id[:100],
        sent_at=done,
        next_attempt_at=None,
        last_error="",
        updated_at=done,
    )
    return SENT


def _after_error(message: SmsMessage, error: GatewayError) -> str:
    if not error.transient:
        _fail(message, error.message)
        return FAILED
    if message.attempts >= settings.SMS_MAX_ATTEMPTS:
        _fail(message, f"已尝试发送 {message.attempts} 次仍未成功，不再重试。最后一次错误：{error.message}")
        return FAILED
    delay = retry_delay(
        message.attempts,
        base=settings.SMS_RETRY_BACKOFF_SECONDS,
        cap=settings.SMS_RETRY_BACKOFF_MAX_SECONDS,
        random=_random,
    )
    if error.retry_after:
        delay = max(delay, min(error.retry_after, settings.SMS_RETRY_BACKOFF_MAX_SECONDS))
    now = services._now()
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=SmsStatus.QUEUED,
        last_error=error.message,
        next_attempt_at=now + datetime.timedelta(seconds=delay),
        updated_at=now,
    )
    logger.info("SMS %s: attempt %s failed (%s); retry in %.0fs", message.pk, message.attempts, error, delay)
    return RETRY


def _fail(message: SmsMessage, reason: str) -> None:
    now = services._now()
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        status=SmsStatus.FAILED, last_error=reason, next_attempt_at=None, updated_at=now
    )
    logger.warning("SMS %s failed: %s", message.pk, reason)


def sweep(batch: int | None = None) -> dict[str, int]:
    """Re-enqueue due retries and rows stuck in queued/sending past ``SMS_STALE_SECONDS``; returns counts."""
    now = services._now()
    batch = batch or settings.SMS_SWEEP_BATCH
    expired = SmsMessage.objects.filter(status=SmsStatus.SENDING, next_attempt_at__lte=now)
    # A send whose worker died: it may or may not have reached the gateway, which dedupes the resend.
    given_up = expired.filter(attempts__gte=settings.SMS_MAX_ATTEMPTS).update(
        status=SmsStatus.FAILED,
        last_error="多次发送均未确认完成（发送进程中断），不再重试；请核实后重新发送。",
        next_attempt_at=None,
        updated_at=now,
    )
    reclaimed = expired.filter(attempts__lt=settings.SMS_MAX_ATTEMPTS).update(
        status=SmsStatus.QUEUED, next_attempt_at=now, updated_at=now
    )
    due = list(
        SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    # Push the deadline forward before enqueueing, so the next sweep does not enqueue them again; a task
    # lost on the way makes the row due again after the stale timeout.
    SmsMessage.objects.filter(pk__in=due, status=SmsStatus.QUEUED).update(
        next_attempt_at=services.stale_after(now), updated_at=now
    )
    for message_id in due:
        services.sms_delivery_enqueue(message_id)
    if due or given_up or reclaimed:
        logger.info("SMS sweep: %s enqueued, %s reclaimed, %s given up", len(due), reclaimed, given_up)
    return {"enqueued": len(due), "reclaimed": reclaimed, "given_up": given_up}
