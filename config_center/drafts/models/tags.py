"""Tags (受理标签 / 审核标签) that the business-status query can filter on."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.validators import catalog_code_validator

from .. import codes


class TagKind(models.TextChoices):
    ACCEPTANCE = codes.ACCEPTANCE_TAGS, _("受理标签")
    REVIEW = codes.REVIEW_TAGS, _("审核标签")


class Tag(models.Model):
    code = models.CharField(_("标签编号"), max_length=32, unique=True, validators=[catalog_code_validator])
    name = models.CharField(_("查询标签"), max_length=40)
    kind = models.CharField(_("标签类型"), max_length=16, choices=TagKind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("查询标签")
        verbose_name_plural = _("查询标签")
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="tag_name_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
