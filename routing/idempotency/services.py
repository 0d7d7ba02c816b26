"""Looking up, recording and purging idempotency keys (``models.IdempotencyKey``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.loading import LoadReport, upsert

from .models import IdempotencyKey

PURGE_TASK = "routing.idempotency.services.idempotency_keys_purge"
PURGE_SCHEDULE_NAME = "幂等键清理"


class KeyReused(Exception):
    """The key was used before with another request."""

    reason_code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__(_("幂等键 %(key)s 已用于另一份请求；请为新的请求使用新的幂等键。") % {"key": key})


def idempotent_result(*, user, operation: str, key: str, fingerprint: str) -> str | None:
    """What an earlier request with this key made (its reference), or ``None``; ``KeyReused`` when that request was
    another one. Keys older than ``IDEMPOTENCY_KEY_DAYS`` are forgotten whether or not purged yet."""
    row = (
        IdempotencyKey.objects.filter(user=user, operation=operation, key=key, created_at__gte=_oldest_kept())
        .only("fingerprint", "reference")
        .first()
    )
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise KeyReused(key)
    return row.reference


def idempotency_key_record(*, user, operation: str, key: str, fingerprint: str, reference: str) -> None:
    """Inside the write's transaction. An expired row of the same key is replaced; a live one raises
    ``IntegrityError`` (another try of the key got there first: the caller answers what that one made)."""
    IdempotencyKey.objects.filter(
        user=user, operation=operation, key=key, created_at__lt=_oldest_kept()
    ).delete()
    IdempotencyKey.objects.create(
        user=user, operation=operation, key=key, fingerprint=fingerprint, reference=reference
    )


def idempotency_keys_purge() -> int:
    """Delete the keys past ``IDEMPOTENCY_KEY_DAYS`` (django-q2 schedule 幂等键清理, daily); how many."""
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=_oldest_kept()).delete()
    return deleted


def _oldest_kept() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.IDEMPOTENCY_KEY_DAYS)


def purge_schedule_ensure(report: LoadReport | None = None) -> LoadReport:
    """Create or update the daily django-q2 schedule of 幂等键清理 (reference data)."""
    from django_q.models import Schedule

    report = report if report is not None else LoadReport()
    upsert(
        Schedule,
        report,
        lookup={"name": PURGE_SCHEDULE_NAME},
        values={"func": PURGE_TASK, "schedule_type": Schedule.CRON, "cron": "40 3 * * *", "repeats": -1},
    )
    return report
