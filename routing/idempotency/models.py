"""A key a client sent with a write, and what the write made."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.idempotency import MAX_LENGTH


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one caller (a console user or an API client's service user) for one operation.

    Recorded in the write's own transaction: a write rolled back leaves no key, and two tries of one key at the same
    moment meet at the unique constraint — the second waits for the first and answers what it made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("调用者")
    )
    operation = models.CharField(_("操作"), max_length=32)
    key = models.CharField(_("幂等键"), max_length=MAX_LENGTH)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    reference = models.CharField(_("结果编号"), max_length=32, help_text=_("如受理回执号"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "operation", "key"], name="idempotency_key_once_per_caller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key} → {self.reference}"
