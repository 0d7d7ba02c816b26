"""Published configuration: immutable numbered releases per city, the publish policy, the global version."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Region


class PublishPolicy(models.Model):
    """Per-city publishing rules; 发布审核 (four eyes) is off unless a row says otherwise."""

    region = models.OneToOneField(
        Region, verbose_name=_("地级市"), on_delete=models.CASCADE, related_name="publish_policy"
    )
    review_required = models.BooleanField(
        _("发布审核"),
        default=False,
        help_text=_("开启后，发布人不能是草稿的最后修改人（紧急发布权限除外，且会记录）。"),
    )
    # Switching four eyes off is itself reviewed: who did it and when stays on 变更记录.
    history = HistoricalRecords()

    scope_region_path = "region"

    class Meta:
        verbose_name = _("发布策略")
        verbose_name_plural = _("发布策略")

    def __str__(self) -> str:
        return f"{self.region.name}：{'发布审核' if self.review_required else '直接发布'}"


class ReleaseKind(models.TextChoices):
    PUBLISH = "publish", _("发布")
    ROLLBACK = "rollback", _("回滚")


class Release(models.Model):
    """An immutable, numbered snapshot of one city's configuration; the runtime reads only these."""

    region = models.ForeignKey(
        Region, verbose_name=_("地级市"), on_delete=models.PROTECT, related_name="releases"
    )
    number = models.PositiveIntegerField(_("版本号"))
    kind = models.CharField(
        _("类型"), max_length=10, choices=ReleaseKind.choices, default=ReleaseKind.PUBLISH
    )
    rolled_back_to = models.PositiveIntegerField(_("回滚到版本"), null=True, blank=True)
    comment = models.CharField(_("发布说明"), max_length=300)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    emergency = models.BooleanField(_("紧急发布（跳过发布审核）"), default=False)
    snapshot = models.JSONField(_("配置快照"), help_text=_("{事项编码: 本地业务配置}，仅含已绑定的事项。"))
    matter_count = models.PositiveIntegerField(_("已绑定事项数"), default=0)

    scope_region_path = "region"

    class Meta:
        verbose_name = _("配置发布")
        verbose_name_plural = _("配置发布")
        ordering = ["region__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="release_number_unique_per_region")
        ]
        get_latest_by = "number"

    def __str__(self) -> str:
        return f"{self.region.name} 第 {self.number} 版"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("已发布的版本不可修改；如需恢复旧配置，请回滚（会生成新版本）。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已发布的版本不可删除。"))


class ConfigVersion(models.Model):
    """One row: bumped by every publish and rollback, so every process can see cheaply that it must reload."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("配置版本")
        verbose_name_plural = _("配置版本")

    def __str__(self) -> str:
        return f"配置版本 {self.version}"
