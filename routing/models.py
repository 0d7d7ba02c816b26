"""Cases (业务), their 追踪 record, their files and their review tasks.

A case is accepted at one agency (受理机构) for a person insured at another (参保地), handled by the agency
the engine routed it to (分管机构), under the release published when it was accepted. Its 流程状态 moves
only through ``routing.states`` (services ask it, record the answer in ``CaseEvent``). Case data is not
in simple-history: ``CaseEvent`` is the case's history (追踪), the 变更记录 timeline is for configuration.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, Channel, Material, Matter, Region
from permissions.selectors import acting_client_id

from . import identity, states

STATUS_CHOICES = [(code, _(name)) for code, name in states.STATUS_NAMES.items()]


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("未扫描")
    SCANNED = "scanned", _("已扫描")
    DEFERRED = "deferred", _("后续扫描")
    ELECTRONIC = "electronic", _("电子材料")


class ArchiveStatus(models.TextChoices):
    NOT_ARCHIVED = "not_archived", _("未归档")
    PAPER = "paper", _("纸质已归档")
    ELECTRONIC = "electronic", _("电子已归档")
    ARCHIVED = "archived", _("已归档")


class SmsStatus(models.TextChoices):
    NONE = "none", _("未发送")
    SENT = "sent", _("已发送")


class PostStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("无需寄送")
    PENDING = "pending", _("待寄送")
    SENT = "sent", _("已寄送")


class DistributionStatus(models.TextChoices):
    UNASSIGNED = "unassigned", _("未分配")
    RANDOM = "random", _("主动获取")
    ASSIGNED = "assigned", _("指定获取")


class Evaluation(models.TextChoices):
    NONE = "none", _("未评价")
    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    VERY_UNSATISFIED = "very_unsatisfied", _("非常不满意")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=states.OPEN)


class Case(models.Model):
    """One case (业务) from 受理 to 办结 and 归档."""

    receipt_no = models.CharField(_("受理回执号"), max_length=16, unique=True)
    serial_no = models.CharField(_("业务流水号"), max_length=24, unique=True)
    matter = models.ForeignKey(Matter, verbose_name=_("业务名称"), on_delete=models.PROTECT, related_name="+")
    # 申请人
    applicant_name = models.CharField(_("姓名"), max_length=50)
    applicant_sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=list(identity.ID_TYPES.items()), default=identity.ID_CARD
    )
    id_number = models.CharField(_("证件号码"), max_length=30, db_index=True)
    person_code = models.CharField(_("个人管理码"), max_length=30, blank=True, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    # 单位
    employer_code = models.CharField(_("单位管理码"), max_length=30, blank=True, db_index=True)
    employer_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    # 机构
    insured_agency = models.ForeignKey(
        Agency, verbose_name=_("参保地经办机构"), on_delete=models.PROTECT, related_name="+"
    )
    insured_region = models.ForeignKey(
        Region, verbose_name=_("统筹区"), on_delete=models.PROTECT, related_name="+"
    )
    accepting_agency = models.ForeignKey(
        Agency, verbose_name=_("受理机构"), on_delete=models.PROTECT, related_name="+"
    )
    accepting_region = models.ForeignKey(
        Region, verbose_name=_("受理区域"), on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_agency = models.ForeignKey(
        Agency, verbose_name=_("分管机构"), on_delete=models.PROTECT, related_name="+"
    )
    handling_region = models.ForeignKey(
        Region, verbose_name=_("分管区域"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("数据来源"), on_delete=models.PROTECT, related_name="+"
    )
    remote = models.BooleanField(_("异地受理"), default=False)
    injury_date = models.DateField(_("工伤发生日期"), null=True, blank=True)
    advance_payment = models.BooleanField(_("涉及先行支付"), default=False)
    # 时限
    accepted_at = models.DateTimeField(_("受理时间"), db_index=True)
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    deadline = models.DateField(_("办结期限"))
    review_levels = models.PositiveSmallIntegerField(_("业务审核级别"))
    release_region = models.CharField(_("配置地区"), max_length=6)
    release_number = models.PositiveIntegerField(_("受理时的配置版本"))
    # 材料: what the published checklist asked for ([{code, name, kind}]) and the codes received
    required_materials = models.JSONField(_("应交材料"), default=list)
    received_materials = models.JSONField(_("已收材料"), default=list)
    # 状态
    status = models.CharField(_("流程状态"), max_length=24, choices=STATUS_CHOICES, db_index=True)
    scan_status = models.CharField(
        _("影像状态"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED
    )
    archive_status = models.CharField(
        _("建档状态"), max_length=16, choices=ArchiveStatus.choices, default=ArchiveStatus.NOT_ARCHIVED
    )
    sms_status = models.CharField(
        _("发送短信"), max_length=8, choices=SmsStatus.choices, default=SmsStatus.NONE
    )
    post_status = models.CharField(
        _("邮寄寄送状态"), max_length=12, choices=PostStatus.choices, default=PostStatus.NOT_NEEDED
    )
    distribution_status = models.CharField(
        _("分配状态"),
        max_length=12,
        choices=DistributionStatus.choices,
        default=DistributionStatus.UNASSIGNED,
    )
    evaluation = models.CharField(
        _("终端设备评价"), max_length=20, choices=Evaluation.choices, default=Evaluation.NONE
    )
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # A transfer (全省通办业务移交) is a case too: it names the case it moves and where to.
    target_case = models.ForeignKey(
        "self",
        verbose_name=_("移交的业务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    target_agency = models.ForeignKey(
        Agency,
        verbose_name=_("移交至审核机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 疑难案件 (003 附件 2 三(五)): pushed once to the competent agency; the receiving agency can only escalate
    # to the common superior agency, whose decision is final.
    pushed_from = models.ForeignKey(
        Agency, verbose_name=_("移送机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pushed_late = models.BooleanField(_("超过 1 个工作日移送"), default=False)
    escalated_to = models.ForeignKey(
        Agency,
        verbose_name=_("报请指导的共同上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jurisdiction_final = models.BooleanField(_("管辖已由上级决定"), default=False)
    suspended_at = models.DateTimeField(_("中止时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("业务")
        verbose_name_plural = _("业务状态查询")
        ordering = ["-accepted_at", "-id"]
        indexes = [
            models.Index(fields=["handling_agency", "status", "accepted_at"], name="case_handling_status"),
            models.Index(fields=["accepting_agency", "accepted_at"], name="case_accepting"),
            models.Index(fields=["handling_region", "accepted_at"], name="case_handling_region"),
            models.Index(fields=["accepting_region", "accepted_at"], name="case_accepting_region"),
            # 业务状态查询 by 姓名: the page in 受理时间 order straight from the index.
            models.Index(fields=["applicant_name", "accepted_at"], name="case_applicant_name"),
            # The home page's counts (routing.figures), index-only on PostgreSQL: the open cases by status and
            # deadline (临期 / 超期), and 受理时间 with what the figures read; each with the columns of the scope
            # (cases_for), since a condition on a column outside the index would read the table again.
            models.Index(
                fields=["status", "deadline"],
                include=["handling_region", "accepting_region", "escalated_to", "target_case"],
                condition=Q(status__in=sorted(states.OPEN)),
                name="case_open_deadline",
            ),
            models.Index(
                fields=["accepted_at"],
                include=[
                    "handling_region",
                    "accepting_region",
                    "escalated_to",
                    "remote",
                    "status",
                    "finished_at",
                    "deadline",
                ],
                name="case_accepted_figures",
            ),
        ]
        permissions = [
            ("query_case", _("业务状态查询")),
            ("view_full_case_data", _("查看完整个人信息（不脱敏）")),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.matter_id}"

    @property
    def missing_materials(self) -> list[dict]:
        received = set(self.received_materials)
        return [item for item in self.required_materials if item["code"] not in received]


class CaseEventQuerySet(models.QuerySet):
    """Every event records the API client its user acts for (``permissions.selectors.bind_client``), wherever a
    service writes it: the one place, so no write path can leave the client out."""

    def create(self, **fields):
        if "api_client" not in fields and "api_client_id" not in fields:
            fields["api_client_id"] = acting_client_id(fields.get("user"))
        return super().create(**fields)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for event in objs:
            if event.api_client_id is None and CaseEvent.user.is_cached(event):
                event.api_client_id = acting_client_id(event.user)
        return super().bulk_create(objs, *args, **kwargs)


class CaseEvent(models.Model):
    """One transition of a case (追踪): who, when, from which status to which, with what opinion — and, when
    the user is an API client's service user, which client."""

    case = models.ForeignKey(Case, verbose_name=_("业务"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("操作机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    opinion = models.CharField(_("意见"), max_length=500, blank=True)
    api_client = models.ForeignKey(
        "permissions.ApiClient",
        verbose_name=_("接口调用方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("通过接口令牌办理时的调用方（其服务账号即操作人）。"),
    )
    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("追踪")
        verbose_name_plural = _("追踪")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class CaseFile(models.Model):
    """A scanned or uploaded material of a case (影像), stored through Django's storage."""

    case = models.ForeignKey(Case, verbose_name=_("业务"), on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(
        Material, verbose_name=_("材料"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    supplementary = models.BooleanField(_("补扫"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("影像")
        verbose_name_plural = _("影像")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TaskLevel(models.IntegerChoices):
    FIRST = 1, _("初审")
    SECOND = 2, _("复审")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待获取")
    TAKEN = "taken", _("已获取")
    DONE = "done", _("已完成")
    WITHDRAWN = "withdrawn", _("已撤回")


class Task(models.Model):
    """A review task (初审 / 复审) of a case in its 分管机构's pool; taken by exactly one user at a time."""

    case = models.ForeignKey(Case, verbose_name=_("业务"), on_delete=models.CASCADE, related_name="tasks")
    level = models.PositiveSmallIntegerField(_("审核级别"), choices=TaskLevel.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("分管机构"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("任务状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("获取方式"), max_length=12, choices=DistributionStatus.choices, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    taken_at = models.DateTimeField(_("获取时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    outcome = models.CharField(_("审核结果"), max_length=8, blank=True)
    opinion = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("审核任务")
        verbose_name_plural = _("任务列表")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["agency", "level", "status"], name="task_pool")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "level"],
                condition=Q(status__in=["open", "taken"]),
                name="task_one_live_per_case_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.case.receipt_no}"


class Counter(models.Model):
    """Sequences that must be unique under concurrent acceptance (受理回执号 per second, 业务流水号 per day)."""

    key = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("序号")
        verbose_name_plural = _("序号")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


from .benefits.models import Benefit, BenefitStandard  # noqa: E402, F401  (Django finds the models here)
from .idempotency.models import IdempotencyKey  # noqa: E402, F401  (幂等键 of the API's writes)
from .joint.models import JointApplication, JointCase, JointMaterial  # noqa: E402, F401  (联办申请)
