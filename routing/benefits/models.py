"""The benefit standards: a benefit (一次性伤残补助金 …) and its months of wage per disability grade over time.

Province data, kept with history (变更记录); changed by province-wide staff only (the reference role
省级业务督导), read by every console role. ``routing/models.py`` imports these so Django finds them.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.validators import catalog_code_validator

from . import rules

GRADE_CHOICES = [(grade, _(name)) for grade, name in rules.GRADE_NAMES.items()]


class Benefit(models.Model):
    """A one-off benefit paid as months of the worker's own monthly wage (本人工资)."""

    class Scope(models.TextChoices):
        NATIONAL = rules.NATIONAL, _("国家")
        GUANGDONG = rules.GUANGDONG, _("广东省")

    code = models.CharField(_("待遇编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("待遇名称"), max_length=50, unique=True)
    scope = models.CharField(_("适用范围"), max_length=16, choices=Scope.choices)
    basis = models.CharField(
        _("依据"),
        max_length=200,
        help_text=_("法规或文件及条款，计算结果中引用，如《工伤保险条例》第三十七条。"),
    )
    source_text = models.TextField(_("依据原文"), blank=True, help_text=_("法规或文件中规定标准的原文。"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("待遇项目")
        verbose_name_plural = _("待遇项目")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BenefitStandard(models.Model):
    """月数 of the monthly wage for one disability grade, from 生效日期 to 失效日期 (both included; empty: open)."""

    benefit = models.ForeignKey(
        Benefit, verbose_name=_("待遇项目"), on_delete=models.PROTECT, related_name="standards"
    )
    grade = models.PositiveSmallIntegerField(_("伤残等级"), choices=GRADE_CHOICES)
    months = models.DecimalField(
        _("月数"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(rules.FEN), MaxValueValidator(999)],
        help_text=_("本人工资的月数，如 7 或 7.5。"),
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("含当日；留空为长期有效。"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("待遇标准")
        verbose_name_plural = _("待遇标准")
        ordering = ["benefit__code", "grade", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "grade", "valid_from"],
                name="benefit_standard_unique_start",
                violation_error_message=_("该待遇该等级在同一生效日期已有标准。"),
            ),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=10), name="benefit_standard_grade_1_10"
            ),
            models.CheckConstraint(condition=models.Q(months__gt=0), name="benefit_standard_months_positive"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="benefit_standard_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benefit} · {rules.GRADE_NAMES.get(self.grade, self.grade)}"

    def as_rule(self) -> rules.Standard:
        return rules.Standard(self.benefit.code, self.grade, self.months, self.valid_from, self.valid_to)

    def clean(self) -> None:
        """The period is in order; that it shares no day with another period of the same benefit and grade is
        the write path's rule (``services.benefit_standard_save``, the importer on its final state)."""
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("失效日期不能早于生效日期。")})
