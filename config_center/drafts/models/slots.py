"""SMS slots (短信配置) and print-template slots (打印事项模板配置) of a local matter."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Region
from catalog.validators import catalog_code_validator
from sms_templates.models import SmsEvent

from .. import codes


class PrintDocument(models.TextChoices):
    """The nine print documents of annex 3."""

    COMPLETION = codes.COMPLETION, _("业务办结单")
    ACCEPTANCE_RECEIPT = "acceptance_receipt", _("受理回执单")
    RECEIPT = "receipt", _("收件回执单")
    CORRECTION = "correction", _("补正材料单")
    RESULT_NOTICE = "result_notice", _("结果通知单")
    REJECTION_RECEIPT = "rejection_receipt", _("不予受理回执单")
    REFUSAL_RECEIPT = "refusal_receipt", _("不予办理通知书回执")
    APPLICATION_REPORT = "application_report", _("打印申请报表")
    SUSPENSION_NOTICE = "suspension_notice", _("中止通知书")


class SmsSlot(models.Model):
    """Which SMS template goes out at one step of one local matter; no row means no SMS."""

    local_matter = models.ForeignKey(
        "config_center.LocalMatter",
        verbose_name=_("本地业务"),
        on_delete=models.CASCADE,
        related_name="sms_slots",
    )
    event = models.CharField(_("短信环节"), max_length=24, choices=SmsEvent.choices)
    template = models.ForeignKey(
        "sms_templates.SmsTemplate", verbose_name=_("短信模板"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    scope_region_path = "local_matter__region"

    class Meta:
        verbose_name = _("短信配置")
        verbose_name_plural = _("短信配置")
        constraints = [
            models.UniqueConstraint(fields=["local_matter", "event"], name="sms_slot_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.template_id}"


class PrintTemplate(models.Model):
    """A print template available for one kind of document; province-wide or one city's own."""

    code = models.CharField(_("模板编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("模板名称"), max_length=100)
    document = models.CharField(_("打印事项"), max_length=24, choices=PrintDocument.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用地级市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全省通用模板。"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()

    scope_region_path = "region"

    class Meta:
        verbose_name = _("打印模板")
        verbose_name_plural = _("打印模板")
        ordering = ["document", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PrintSlot(models.Model):
    """The template used for one print document of one local matter, and whether it carries the e-seal."""

    local_matter = models.ForeignKey(
        "config_center.LocalMatter",
        verbose_name=_("本地业务"),
        on_delete=models.CASCADE,
        related_name="print_slots",
    )
    document = models.CharField(_("打印事项"), max_length=24, choices=PrintDocument.choices)
    template = models.ForeignKey(
        PrintTemplate, verbose_name=_("打印模板"), on_delete=models.PROTECT, related_name="+"
    )
    e_seal = models.BooleanField(_("加盖电子印章"), default=False)
    anti_forgery_code = models.BooleanField(
        _("配置验伪码"), default=False, help_text=_("仅业务办结单可配置验伪码。")
    )
    history = HistoricalRecords()

    scope_region_path = "local_matter__region"

    class Meta:
        verbose_name = _("打印事项模板配置")
        verbose_name_plural = _("打印事项模板配置")
        constraints = [
            models.UniqueConstraint(fields=["local_matter", "document"], name="print_slot_once_per_document")
        ]

    def __str__(self) -> str:
        return f"{self.get_document_display()} → {self.template_id}"
