"""岗位 (roles) built on Django groups, and assignments of roles to staff within a scope."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Agency, Region
from catalog.validators import catalog_code_validator

from . import scope

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
