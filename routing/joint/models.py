"""A joint application (联办申请) and what it holds: one case per chosen matter with the cases it waits for, and
the materials handed in — each stored once, whatever the number of its cases that need it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, Channel, Material, Region

from .. import identity


class JointApplication(models.Model):
    """One 联办申请 (一件事一次办): who applied, where, for which matters (its cases), by when (its own deadline)."""

    number = models.CharField(_("联办申请编号"), max_length=20, unique=True)
    # 申请人
    applicant_name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=list(identity.ID_TYPES.items()), default=identity.ID_CARD
    )
    id_number = models.CharField(_("证件号码"), max_length=30, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    employer_code = models.CharField(_("单位管理码"), max_length=30, blank=True)
    employer_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    # 受理
    channel = models.ForeignKey(
        Channel, verbose_name=_("办理渠道"), on_delete=models.PROTECT, related_name="+"
    )
    accepting_agency = models.ForeignKey(
        Agency, verbose_name=_("受理机构"), on_delete=models.PROTECT, related_name="+"
    )
    accepting_region = models.ForeignKey(
        Region, verbose_name=_("受理区域"), on_delete=models.PROTECT, related_name="+"
    )
    insured_agency = models.ForeignKey(
        Agency, verbose_name=_("参保地经办机构"), on_delete=models.PROTECT, related_name="+"
    )
    injury_date = models.DateField(_("工伤发生日期"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("申请时间"), db_index=True)
    # 时限: the whole application's own (自然日), beside each case's own (工作日)
    time_limit_days = models.PositiveSmallIntegerField(_("联办时限（自然日）"))
    deadline = models.DateField(_("联办办结期限"))
    # 一次性告知: what was missing at submission, in one notice (kept for printing and the page)
    notice = models.TextField(_("一次性告知"), blank=True)
    materials_completed_at = models.DateTimeField(_("材料补齐时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联办申请")
        verbose_name_plural = _("联办申请")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.number


class JointCase(models.Model):
    """A case of a joint application, its place in the plan and the cases it waits for (前置事项)."""

    application = models.ForeignKey(
        JointApplication, verbose_name=_("联办申请"), on_delete=models.CASCADE, related_name="links"
    )
    case = models.OneToOneField(
        "routing.Case", verbose_name=_("业务"), on_delete=models.CASCADE, related_name="joint_link"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    waits_for = models.ManyToManyField(
        "self", verbose_name=_("等待的前置业务"), symmetrical=False, blank=True, related_name="successors"
    )
    # Material codes its prerequisites' decisions provide (内部流转): never owed by the applicant.
    internal_materials = models.JSONField(_("内部流转材料"), default=list, blank=True)
    # The decision this case's 办结 produced (工伤认定决定书 …), stored once, attached to every successor.
    document = models.FileField(_("办结文书"), upload_to="joint/%Y/%m/", blank=True)
    document_title = models.CharField(_("文书名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("联办业务")
        verbose_name_plural = _("联办业务")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="joint_case_position"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.position}"


class JointMaterial(models.Model):
    """A material handed in for a joint application: once, serving every case of it that needs it. The file
    (optional: a code alone means the material was seen or sent electronically) is stored once and each case
    that needs it gets a ``CaseFile`` naming the same stored file."""

    application = models.ForeignKey(
        JointApplication, verbose_name=_("联办申请"), on_delete=models.CASCADE, related_name="materials"
    )
    material = models.ForeignKey(Material, verbose_name=_("材料"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("文件"), upload_to="joint/%Y/%m/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("收件时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联办材料")
        verbose_name_plural = _("联办材料")
        ordering = ["application", "received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "material"], name="joint_material_once"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.material_id}"
