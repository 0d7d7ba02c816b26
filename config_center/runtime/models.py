"""What each web or django-q2 process serves, as its watcher last reported it (for operators)."""

import datetime
import os
import socket

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STALE_AFTER_DAYS = 7  # a process not heard of for this long is forgotten


class ServingProcess(models.Model):
    """One process: the configuration version and releases it answers from, since when, and its last failure."""

    process = models.CharField(_("进程"), max_length=200, unique=True)  # host:pid
    version = models.PositiveBigIntegerField(_("配置版本"), default=0)
    releases = models.JSONField(_("各市版本"), default=dict)
    since = models.DateTimeField(_("生效时间"), null=True)
    reloaded = models.CharField(_("上次重载的城市"), max_length=500, blank=True)
    reload_ms = models.FloatField(_("上次重载耗时（毫秒）"), default=0)
    error = models.TextField(_("最近的错误"), blank=True)
    error_at = models.DateTimeField(_("出错时间"), null=True)
    heard_at = models.DateTimeField(_("最后报告"), default=timezone.now)

    class Meta:
        verbose_name = _("运行进程")
        verbose_name_plural = _("运行进程")
        ordering = ["process"]

    def __str__(self) -> str:
        return self.process

    @classmethod
    def report(cls, serving) -> None:
        """Record what this process serves (called by its watcher, never on a request)."""
        now = timezone.now()
        cls.objects.update_or_create(
            process=f"{socket.gethostname()}:{os.getpid()}",
            defaults={
                "version": serving.version,
                "releases": serving.releases,
                "since": serving.since,
                "reloaded": ",".join(serving.reloaded)[:500],
                "reload_ms": serving.reload_ms,
                "error": serving.error,
                "error_at": serving.error_at,
                "heard_at": now,
            },
        )
        cls.objects.filter(heard_at__lt=now - datetime.timedelta(days=STALE_AFTER_DAYS)).delete()
