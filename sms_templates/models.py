"""SMS template list of 003 annex 3: categories, templates and the placeholder vocabulary."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import events
from .placeholders import validate as validate_content

MAX_CONTENT_LENGTH = 500


class SmsEvent(models.TextChoices):
    """The nine SMS slots of annex 3, in the screen's order (the outbox's events; config_center's slots)."""

    ACCEPTED = events.ACCEPTED, _("受理短信")
    RECEIVED = events.RECEIVED, _("收件短信")
    COMPLETED = events.COMPLETED, _("办结短信")
    TERMINATED = events.TERMINATED, _("终止短信")
    REMINDER = events.REMINDER, _("催办短信")
    REJECTED_COMPLETED = events.REJECTED_COMPLETED, _("非职业伤害或不予受理办结短信")
    SUSPENDED = events.SUSPENDED, _("中止短信")
    REVIEW_FAILED = events.REVIEW_FAILED, _("审核不通过短信")
    FIRST_REVIEWED = events.FIRST_REVIEWED, _("已初审短信")


class PlaceholderCodeQuerySet(models.QuerySet):
    def entries(self) -> list[dict]:
        """The vocabulary as the screens show it: [{code, meaning, sample_value}] in order (one query)."""
        return list(self.order_by("sort_order", "code").values("code", "meaning", "sample_value"))

    def vocabulary(self) -> dict[str, str]:
        """{code: meaning}: what the placeholder parser recognises (one query)."""
        return {entry["code"]: entry["meaning"] for entry in self.entries()}


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
    objects = PlaceholderCodeQuerySet.as_manager()

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
        _("允许显示完整身份证号"),
        default=False,
        help_text=_("默认身份证号只显示首位和末位，其余以 * 代替（如 4****************4）。"),
    )
    mask_names = models.BooleanField(
        _("姓名脱敏"), default=False, help_text=_("XM、CBR 只显示姓氏加两个星号，如 黄**、欧阳**。")
    )
    history = HistoricalRecords()

    scope_region_path = "category__region"

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板列表")
        ordering = ["category__sort_order", "function_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.function_code}）"

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True) -> None:
        # A form excludes the fields that already failed its own checks; clean() then must not judge
        # the stale content left on the instance (it said "empty" for a 501-character template).
        self._clean_exclude = set(exclude or ())
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        finally:
            del self._clean_exclude

    def clean(self) -> None:
        if "content" in getattr(self, "_clean_exclude", ()):
            return
        vocabulary = PlaceholderCode.objects.vocabulary()
        errors = [
            d.message
            for d in validate_content(self.content or "", vocabulary, MAX_CONTENT_LENGTH)
            if d.severity == "error"
        ]
        if errors:
            raise ValidationError({"content": errors})


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class SmsMessage(models.Model):
    """One SMS in the outbox: written in the transaction of the event that causes it, then delivered.

    The database row is the source of truth (the Redis broker loses tasks in flight): the delivery
    task claims a row by moving it from queued to sending, and the sweeper re-enqueues every row whose
    ``next_attempt_at`` has passed while it is still queued or sending.
    """

    recipient = models.CharField(_("手机号码"), max_length=20)
    text = models.TextField(_("短信内容"))
    template = models.ForeignKey(
        SmsTemplate,
        verbose_name=_("短信模板"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("地级市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    matter = models.CharField(_("事项编码"), max_length=20, blank=True)
    case_reference = models.CharField(_("业务编号"), max_length=64)
    event = models.CharField(_("短信环节"), max_length=24, choices=SmsEvent.choices)
    # Part of the unique key: "" for the one-off events, the day (YYYY-MM-DD) for 催办短信, which may be
    # sent once per day while the case stays open.
    occurrence = models.CharField(_("发送批次"), max_length=16, blank=True, default="")
    status = models.CharField(_("状态"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    gateway_message_id = models.CharField(_("网关消息号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # When the sweeper takes the row over if it has not moved on by then: the retry time of a queued
    # row, the lease expiry of a sending one; empty once sent or failed.
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)

    scope_region_path = "region"

    class Meta:
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_reference", "event", "recipient", "occurrence"],
                name="sms_message_once_per_case_event_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sms_message_due")]

    def __str__(self) -> str:
        return f"{self.case_reference} {self.event} → {self.recipient}"
