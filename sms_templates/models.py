"""SMS template list of 003 annex 3: categories, templates and the placeholder vocabulary."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .placeholders import validate as validate_content

MAX_CONTENT_LENGTH = 500


class PlaceholderCode(models.Model):
    """One code of the placeholder vocabulary (XM 姓名, …); a province may add codes."""

    code = models.CharField(
        _("代码"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9_]{0,19}$", _("代码须以大写字母开头，只含大写字母、数字和下划线。"))
        ],
    )
    meaning = models.CharField(_("含义"), max_length=40)
    sample_value = models.CharField(_("预览示例值"), max_length=60, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("短信占位符")
        verbose_name_plural = _("短信占位符")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code}（{self.meaning}）"


class SmsTemplateCategory(models.Model):
    """短信模板大类, e.g. 工伤待遇保险."""

    name = models.CharField(_("分类名称"), max_length=40)
    region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("地级市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "city"},
        help_text=_("留空为全省通用分类；地级市可建本市的短信分类。"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("短信模板大类")
        verbose_name_plural = _("短信模板大类")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="sms_category_name_unique_per_region"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(region__isnull=True),
                name="sms_category_name_unique_province",
            ),
        ]

    scope_region_path = "region"

    def __str__(self) -> str:
        return self.name


class SmsTemplate(models.Model):
    """A template (模板分类, 模板名称, 功能代码, 状态, 模板内容) that SMS slots point to."""

    category = models.ForeignKey(
        SmsTemplateCategory, verbose_name=_("模板分类"), on_delete=models.PROTECT, related_name="templates"
    )
    name = models.CharField(_("模板名称"), max_length=60)
    function_code = models.CharField(
        _("功能代码"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]{1,40}$", _("功能代码只能由字母、数字、下划线、点或短横线组成。"))
        ],
        error_messages={"unique": _("功能代码已被其他短信模板使用，请换一个。")},
    )
    is_active = models.BooleanField(_("状态"), default=True, help_text=_("勾选为有效；无效模板不会发送。"))
    content = models.TextField(_("模板内容"), max_length=MAX_CONTENT_LENGTH)
    allow_full_id_number = models.BooleanField(
        _("允许显示完整身份证号"), default=False, help_text=_("默认身份证号只显示前 3 位和后 4 位。")
    )
    mask_names = models.BooleanField(
        _("姓名脱敏"), default=False, help_text=_("XM、CBR 只显示姓氏，如 黄**。")
    )
    history = HistoricalRecords()

    scope_region_path = "category__region"

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板列表")
        ordering = ["category__sort_order", "function_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.function_code}）"

    def clean(self) -> None:
        vocabulary = dict(PlaceholderCode.objects.values_list("code", "meaning"))
        errors = [
            d.message
            for d in validate_content(self.content or "", vocabulary, MAX_CONTENT_LENGTH)
            if d.severity == "error"
        ]
        if errors:
            raise ValidationError({"content": errors})
