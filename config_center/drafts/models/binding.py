"""LocalMatter: one row per (city, matter) — 定制本地业务 — with the matter's local properties (本地业务属性定义)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Matter, Region

from .. import codes


class DistributionMode(models.TextChoices):
    LOCAL = codes.LOCAL, _("本地模式")
    PROVINCE = codes.PROVINCE, _("全省模式：全省受理，分发到参保人参保机构")


class FlowMode(models.TextChoices):
    PROMISED = codes.PROMISED, _("承诺件（受理—审核—办结）")
    INSTANT = codes.INSTANT, _("即办件（受理即审核办结）")


class ReviewLevel(models.IntegerChoices):
    ONE = codes.REVIEW_LEVELS[0], _("一级审核（初审）")
    TWO = codes.REVIEW_LEVELS[1], _("二级审核（初审 + 复审）")


class PostFeePayer(models.TextChoices):
    APPLICANT = "applicant", _("申请人付费（到付）")
    AGENCY = "agency", _("经办机构付费")


class OnlineDepth(models.TextChoices):
    LEVEL_1 = "1", _("一级：网上发布办事指南")
    LEVEL_2 = "2", _("二级：网上下载申请表格")
    LEVEL_3 = "3", _("三级：网上申请、窗口核验")
    LEVEL_4 = "4", _("四级：全程网办")


class LocalMatterQuerySet(models.QuerySet):
    def in_regions(self, region_ids):
        """Bindings of the given cities — the one place a user's region scope is applied."""
        return self.filter(region_id__in=region_ids)

    def active(self):
        return self.filter(is_active=True)


hall_item_code_validator = RegexValidator(
    r"^[0-9A-Za-z-]{8,40}$",
    _("政务服务事项编码为 8 至 40 位字母、数字或短横线。"),
    code="invalid_hall_item_code",
)


class LocalMatter(models.Model):
    """A matter bound to a city (定制绑定), with its local properties; unbinding sets it inactive."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("地级市"),
        on_delete=models.PROTECT,
        related_name="local_matters",
        limit_choices_to={"level": Region.Level.CITY},
    )
    matter = models.ForeignKey(
        Matter, verbose_name=_("业务事项"), on_delete=models.PROTECT, related_name="local_matters"
    )
    is_active = models.BooleanField(
        _("已绑定"), default=True, help_text=_("取消绑定后配置保留，重新绑定即恢复。")
    )

    # 设定流转方式
    flow_mode = models.CharField(
        _("主流程方式"), max_length=16, choices=FlowMode.choices, default=FlowMode.PROMISED
    )
    review_levels = models.PositiveSmallIntegerField(
        _("业务审核级别"),
        choices=ReviewLevel.choices,
        default=ReviewLevel.TWO,
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(365)], default=20
    )
    # 分发模式
    distribution_mode = models.CharField(
        _("分发模式"), max_length=16, choices=DistributionMode.choices, default=DistributionMode.LOCAL
    )

    # 属性配置 · 柜台系统配置
    counter_enabled = models.BooleanField(_("柜台可受理"), default=True)
    counter_verify_originals = models.BooleanField(_("受理时核验原件"), default=True)
    counter_scan_required = models.BooleanField(
        _("受理后须扫描影像"), default=True, help_text=_("纸质材料同步影像化，由业务办理地根据电子材料审核。")
    )
    # 属性配置 · 邮政寄送配置
    post_enabled = models.BooleanField(_("支持邮政寄送结果"), default=False)
    post_fee_payer = models.CharField(
        _("寄送费用承担"), max_length=16, choices=PostFeePayer.choices, blank=True
    )
    # 属性配置 · 政务大厅配置
    hall_listed = models.BooleanField(_("进驻政务服务大厅"), default=False)
    hall_item_code = models.CharField(
        _("政务服务事项编码"), max_length=40, blank=True, validators=[hall_item_code_validator]
    )
    hall_online_depth = models.CharField(
        _("网上办理深度"), max_length=1, choices=OnlineDepth.choices, blank=True
    )
    # 属性配置 · 智慧交互终端配置
    kiosk_accept = models.BooleanField(_("自助机可受理"), default=False)
    kiosk_face_verification = models.BooleanField(_("自助机受理须人脸核验"), default=True)
    kiosk_print_receipt = models.BooleanField(_("自助机打印受理回执"), default=True)
    # 属性配置 · 电子印章配置
    e_seal_enabled = models.BooleanField(_("启用电子印章"), default=False)
    e_seal_code = models.CharField(
        _("电子印章编码"),
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-Za-z]{6,40}$", _("电子印章编码为 6 至 40 位字母或数字。"))],
    )

    acceptance_tags = models.ManyToManyField(
        "config_center.Tag",
        verbose_name=_("受理标签"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": codes.ACCEPTANCE_TAGS},
    )
    review_tags = models.ManyToManyField(
        "config_center.Tag",
        verbose_name=_("审核标签"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": codes.REVIEW_TAGS},
    )

    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Bumped by every save (local_matter_save): a form opened at version n that is saved after someone
    # else's save is stale, and is refused instead of silently undoing that save.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    history = HistoricalRecords(
        m2m_fields=[acceptance_tags, review_tags], excluded_fields=["updated_at", "version"]
    )
    objects = LocalMatterQuerySet.as_manager()

    scope_region_path = "region"

    class Meta:
        verbose_name = _("本地业务")
        verbose_name_plural = _("本地业务属性定义")
        ordering = ["region__code", "matter__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "matter"], name="local_matter_unique_per_city")
        ]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.matter.name}"
