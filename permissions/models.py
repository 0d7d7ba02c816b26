"""岗位 (roles) built on Django groups, and assignments of roles to staff within a scope."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Agency, Region
from catalog.validators import catalog_code_validator

from . import api_rules, scope

# The capabilities of 岗位权限管理 (seed 003 三(二)); model permissions (view/change of each table) come
# from Django and are added to roles alongside these.
CAPABILITIES = [
    ("accept_case", _("受理")),
    ("scan", _("扫描")),
    ("advanced_scan", _("高级扫描")),
    ("first_review", _("初审")),
    ("second_review", _("复审")),
    ("transfer_case", _("业务移交")),
    ("configure_local", _("本地业务配置")),
    ("publish_config", _("发布配置")),
    ("emergency_publish", _("紧急发布（跳过发布审核）")),
    ("manage_sms", _("短信模板管理")),
    ("view_audit", _("审计查看")),
    ("revert_history", _("恢复历史版本")),
    ("manage_roles", _("岗位权限管理")),
]


class ScopeKind(models.TextChoices):
    PROVINCE = scope.PROVINCE, _("全省")
    CITY = scope.CITY, _("地级市")
    AGENCY = scope.AGENCY, _("经办机构")


class Role(Group):
    """A 岗位: a Django group (its permissions) plus a code and the scope levels it may be given at."""

    code = models.CharField(_("岗位编码"), max_length=32, unique=True, validators=[catalog_code_validator])
    description = models.TextField(_("岗位说明"), blank=True)
    allow_province = models.BooleanField(_("可按全省分配"), default=False)
    allow_city = models.BooleanField(_("可按地级市分配"), default=True)
    allow_agency = models.BooleanField(_("可按经办机构分配"), default=True)
    history = HistoricalRecords(excluded_fields=["group_ptr"])

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["code"]
        permissions = CAPABILITIES

    def __str__(self) -> str:
        return self.name

    def allows_kind(self, kind: str) -> bool:
        return {
            scope.PROVINCE: self.allow_province,
            scope.CITY: self.allow_city,
            scope.AGENCY: self.allow_agency,
        }[kind]


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Assignment(models.Model):
    """岗位分配: a user holds a role within a scope — the province, a city, or an agency (and its city)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(_("范围"), max_length=10, choices=ScopeKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("全省范围填省，地级市范围填市；按经办机构分配时取机构所在区划。"),
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("经办机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("有效"), default=True)
    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    scope_region_path = "region"

    class Meta:
        verbose_name = _("岗位分配")
        verbose_name_plural = _("岗位分配")
        ordering = ["user__username", "role__code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "agency"], name="assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=models.Q(agency__isnull=True),
                name="assignment_unique_no_agency",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.name if self.agency_id else self.region.name
        return f"{self.user} · {self.role} · {where}"

    def clean(self) -> None:
        errors = {}
        if self.kind == scope.AGENCY:
            if not self.agency_id:
                errors["agency"] = _("按经办机构分配时须选择经办机构。")
            else:
                self.region = self.agency.region
        elif self.agency_id:
            errors["agency"] = _("只有按经办机构分配时才填写经办机构。")
        if self.region_id and self.kind == scope.PROVINCE and self.region.level != Region.Level.PROVINCE:
            errors["region"] = _("全省范围的分配须选择省级区划。")
        if self.region_id and self.kind == scope.CITY and self.region.level != Region.Level.CITY:
            errors["region"] = _("地级市范围的分配须选择地级市。")
        if self.role_id and self.kind and not self.role.allows_kind(self.kind):
            errors["kind"] = _("岗位“%(role)s”不能按“%(kind)s”分配。") % {
                "role": self.role.name,
                "kind": ScopeKind(self.kind).label,
            }
        if errors:
            raise ValidationError(errors)

    def grant(self, perms: frozenset[str]) -> scope.Grant:
        return scope.Grant(perms, self.kind, self.region.code, self.agency.code if self.agency_id else None)


def default_rate_limit() -> int:
    """A new client's requests per minute: ``API_CLIENT_RATE_LIMIT`` (read when the client is created)."""
    return settings.API_CLIENT_RATE_LIMIT


def validate_scopes(value: str) -> None:
    unknown = api_rules.unknown_scopes(value)
    if unknown:
        raise ValidationError(_("未知的接口权限：%(names)s。") % {"names": "、".join(unknown)})


class ApiClient(models.Model):
    """接口调用方: another system (粤省事, 网厅, 自助机 …) calling the API with a bearer token.

    Only the token's hash is kept (``api_rules``) and a short visible prefix to recognise it. A client acts
    through its own service user (``user``), which holds exactly its scopes' capabilities at its agencies
    (``ApiClient.access``) and nothing from role assignments; every case write records the client."""

    name = models.CharField(
        _("名称"),
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(r"^[\w.@+-]+\Z", _("名称只能包含文字、数字和 . @ + - _（不含空格）。")),
        ],
        help_text=_("例如 粤省事、网上办事大厅、自助机；其服务账号名为 api.名称。"),
    )
    description = models.TextField(_("说明"), blank=True, max_length=500)
    token_prefix = models.CharField(_("令牌前缀"), max_length=16, editable=False)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    scopes = models.CharField(
        _("接口权限"), max_length=200, blank=True, validators=[validate_scopes], help_text=_("可调用的接口。")
    )
    cities = models.ManyToManyField(
        Region,
        verbose_name=_("可提交业务的地市"),
        blank=True,
        related_name="+",
        limit_choices_to={"level__in": [Region.Level.PROVINCE, Region.Level.CITY]},
        help_text=_("选地市即可为该市所有经办机构提交业务；选广东省即全省。"),
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("可提交业务的经办机构"), blank=True, related_name="+"
    )
    rate_limit = models.PositiveIntegerField(
        _("每分钟请求上限"),
        default=default_rate_limit,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    is_active = models.BooleanField(
        _("有效"), default=True, help_text=_("停用即吊销令牌，调用方立即无法访问。")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务账号"),
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近调用"), null=True, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[cities, agencies], excluded_fields=["token_hash", "last_used_at"])

    class Meta:
        verbose_name = _("接口调用方")
        verbose_name_plural = _("接口调用方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_names(self) -> tuple[str, ...]:
        return api_rules.scopes_parse(self.scopes)

    def access(self) -> api_rules.ClientAccess:
        """The client as a request needs it: its scopes, every agency it acts for (its agencies and each agency
        of its cities; the province: all of them) with the agency's region, and its rate limit. Two queries."""
        places = list(self.cities.values_list("code", "level"))
        everywhere = any(level == Region.Level.PROVINCE for _code, level in places)
        cities = [code for code, _level in places]
        agencies = Agency.objects.filter(is_active=True)
        if not everywhere:
            agencies = agencies.filter(
                models.Q(pk__in=self.agencies.values("pk"))
                | models.Q(region__code__in=cities)
                | models.Q(region__parent__code__in=cities)
            )
        return api_rules.ClientAccess(
            client_id=self.pk,
            name=self.name,
            user_id=self.user_id,
            scopes=frozenset(self.scope_names),
            agencies=dict(agencies.values_list("code", "region__code")),
            rate_limit=self.rate_limit,
        )


class StaffContact(models.Model):
    """How to reach a staff member outside the console: the mobile number 催办短信 for their review tasks goes to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="staff_contact",
    )
    mobile = models.CharField(
        _("手机号码"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^1\d{10}$", _("手机号码应为以 1 开头的 11 位数字。"))],
        help_text=_("接收审核任务临期、超期的催办短信；留空则只在工作台提示。"),
    )

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")

    def __str__(self) -> str:
        return self.mobile
