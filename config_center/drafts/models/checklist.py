"""The per-channel material lists of a local matter (业务所需材料配置)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Channel, Material

from .. import codes


class ChecklistKind(models.TextChoices):
    MAIN = codes.MAIN, _("主材料")
    AUXILIARY = codes.AUXILIARY, _("辅助材料")
    APPLICATION = codes.APPLICATION, _("申请事项材料")


class ChecklistItemQuerySet(models.QuerySet):
    def in_regions(self, region_ids):
        return self.filter(local_matter__region_id__in=region_ids)


class ChecklistItem(models.Model):
    """One row of one of the three ordered lists (主材料 / 辅助材料 / 申请事项材料) of one channel."""

    local_matter = models.ForeignKey(
        "config_center.LocalMatter",
        verbose_name=_("本地业务"),
        on_delete=models.CASCADE,
        related_name="checklist_items",
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("办理渠道"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("材料类型"), max_length=16, choices=ChecklistKind.choices)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    material = models.ForeignKey(Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(
        _("名称"), max_length=100, blank=True, help_text=_("辅助项名称或申请事项名称；主材料不填。")
    )
    send_to_ministry = models.BooleanField(_("是否发送部平台"), default=False)

    history = HistoricalRecords()
    objects = ChecklistItemQuerySet.as_manager()

    scope_region_path = "local_matter__region"

    class Meta:
        verbose_name = _("材料清单条目")
        verbose_name_plural = _("材料清单")
        ordering = ["local_matter", "channel__sort_order", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_matter", "channel", "kind", "material"],
                name="checklist_material_once_per_list",
            )
        ]
        indexes = [
            models.Index(fields=["local_matter", "channel", "kind", "position"], name="checklist_list_order")
        ]

    def __str__(self) -> str:
        # The admin lists select_related("material"), so this costs no query there.
        return f"{self.get_kind_display()}：{self.material.name}"
