"""Catalog models: the vocabulary every other app refers to by code."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import agency_code_validator, catalog_code_validator, region_code_validator


class Region(models.Model):
    """An administrative division (GB/T 2260): the province, a prefecture-level city or a county."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("地级市")
        COUNTY = "county", _("区县")

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True, validators=[region_code_validator])
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    history = HistoricalRecords()

    scope_region_path = "self"

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Agency(models.Model):
    """A social insurance agency (经办机构); the parent tree decides the 共同上级 of two agencies."""

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("省级经办机构")
        MUNICIPAL = "municipal", _("市级经办机构")
        COUNTY = "county", _("区县经办机构")
        SERVICE_POINT = "service_point", _("经办服务网点")

    code = models.CharField(_("机构编码"), max_length=12, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("机构名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("机构类型"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    scope_region_path = "region"

    class Meta:
        verbose_name = _("经办机构")
        verbose_name_plural = _("经办机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Channel(models.Model):
    """An intake channel (办理渠道); each has its own material lists in the configuration centre."""

    code = models.CharField(_("渠道编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("渠道名称"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办理渠道")
        verbose_name_plural = _("办理渠道")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class MatterCategory(models.Model):
    """A business category (业务大类), e.g. 工伤待遇（柜台）."""

    code = models.CharField(_("大类编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("大类名称"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("业务大类")
        verbose_name_plural = _("业务大类")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    """A business matter (业务事项) that cities bind and configure."""

    code = models.CharField(_("事项编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("事项名称"), max_length=100)
    aliases = models.CharField(
        _("别名"),
        max_length=300,
        blank=True,
        help_text=_("其他文件中的叫法，用顿号分隔；搜索时一并匹配。"),
    )
    category = models.ForeignKey(
        MatterCategory, verbose_name=_("业务大类"), on_delete=models.PROTECT, related_name="matters"
    )
    province_wide = models.BooleanField(
        _("可全省通办"), default=False, help_text=_("只有可全省通办的事项才能在本地业务属性中设为全省模式。")
    )
    joint_handling = models.BooleanField(_("属于“一件事”联办事项"), default=False)
    default_time_limit_days = models.PositiveSmallIntegerField(_("默认办理时限（工作日）"), default=20)
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("前置事项"),
        symmetrical=False,
        blank=True,
        related_name="successors",
        help_text=_("联办时须先完成（或一并申请）的事项。"),
    )
    conflicts = models.ManyToManyField(
        "self",
        verbose_name=_("冲突事项"),
        symmetrical=False,
        blank=True,
        related_name="conflicted_by",
        help_text=_("不能与本事项在同一次联办申请中同时申请的事项（双向生效）。"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords(m2m_fields=[prerequisites, conflicts])

    class Meta:
        verbose_name = _("业务事项")
        verbose_name_plural = _("业务事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Material(models.Model):
    """A document an applicant may be asked for (材料)."""

    code = models.CharField(_("材料编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("材料名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Holiday(models.Model):
    """A day of the holiday calendar: a public holiday off work, or a 调休 weekend that is a working day."""

    date = models.DateField(_("日期"), unique=True, error_messages={"unique": _("该日期已在节假日日历中。")})
    name = models.CharField(_("名称"), max_length=40, help_text=_("如 国庆节、春节调休上班。"))
    is_workday_override = models.BooleanField(
        _("调休上班"),
        default=False,
        help_text=_("勾选表示该日（通常是周末）调休上班，按工作日计算；不勾选表示该日放假。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日日历")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
