"""Spreadsheets of scoped tables: the resource base that checks each row against the importing user's
scope, and the 岗位分配 sheet."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from catalog.codes import city_agency_code, city_of
from catalog.models import Agency
from core.spreadsheets import normalize
from core.spreadsheets.resources import ConsoleResource
from core.spreadsheets.widgets import CodeLookupWidget, TextWidget

from .models import Assignment, Role
from .selectors import allowed_city_codes
from .services import assignment_save, assignment_scope, self_grant_refusal


class ScopedResource(ConsoleResource):
    """A resource whose rows belong to a region: every row is checked against the importing user's scope."""

    scope_perms: tuple[str, ...] = ()

    def allowed_cities(self) -> frozenset[str] | None:
        if self.user is None:
            return None  # the command line without --user: a trusted operator
        return allowed_city_codes(self.user, list(self.scope_perms))

    def check_region(self, region_code: str | None, column: str) -> None:
        """Refuse a row outside the importing user's scope; ``None`` is a province-wide row, "" an empty cell."""
        if region_code == "":
            raise ValidationError({column: _("%(column)s不能为空。") % {"column": column}})
        allowed = self.allowed_cities()
        if allowed is None:
            return
        if region_code is None or city_of(region_code) not in allowed:
            where = region_code or _("全省")
            raise ValidationError(
                {column: _("您无权导入%(where)s的数据（只能导入本人管辖范围内的城市）。") % {"where": where}}
            )


class AssignmentResource(ScopedResource):
    """岗位分配: 用户名, 岗位, 机构编码 (the agency decides the scope: 440099 → 全省, a city agency → 地级市)."""

    note = "把岗位分配给用户；机构编码决定范围：440099 为全省，市级机构为该市。"
    example = ("zs_admin", "市级系统管理员", "442099")

    sheet = "岗位分配"
    key_columns = ("用户名", "岗位", "机构编码")
    scope_perms = ("permissions.change_assignment",)

    user = fields.Field(
        "user",
        "用户名",
        CodeLookupWidget(lambda: get_user_model().objects.all(), label="用户名", key="username"),
    )
    role = fields.Field("role", "岗位", TextWidget())
    agency_code = fields.Field(column_name="机构编码", readonly=True)

    class Meta(ScopedResource.Meta):
        model = Assignment
        use_bulk = False  # each row through its service (few rows; a category may be created on the way)
        fields = ["user", "role", "agency_code"]
        export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._roles = {}
        for role in Role.objects.all():
            self._roles[role.code] = role
            self._roles[role.name] = role
        self._agencies = {agency.code: agency for agency in Agency.objects.select_related("region")}

    def instance_queryset(self):
        return Assignment.objects.select_related("user", "role", "agency", "region")

    def export_queryset(self):
        return self.instance_queryset().order_by("user__username", "role__code", "region__code", "pk")

    def key_of_instance(self, obj):
        return (
            obj.user.username,
            obj.role.code,
            obj.agency.code if obj.agency_id else city_agency_code(obj.region.code),
        )

    def key_of_row(self, row):
        role = self._roles.get(normalize.text(row.get("岗位")))
        return (
            normalize.text(row.get("用户名")),
            role.code if role else "",
            normalize.code(row.get("机构编码")),
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "role":
            role = self._roles.get(normalize.text(row.get("岗位")))
            if role is None:
                raise ValueError(f"岗位“{normalize.text(row.get('岗位'))}”不存在")
            instance.role = role
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        agency = self._agencies.get(normalize.code(row.get("机构编码")))
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if agency is None:
            errors["机构编码"] = [
                _("机构编码 %(code)s 不存在") % {"code": normalize.code(row.get("机构编码"))}
            ]
        elif instance.role_id:
            try:
                instance.kind, instance.region, instance.agency = assignment_scope(
                    role=instance.role, agency=agency
                )
            except ValidationError as error:
                errors["岗位"] = error.message_dict["role"]
        refusal = self_grant_refusal(assignment=instance, actor=self.user) if instance.user_id else None
        if refusal:
            errors["用户名"] = [refusal]
        if agency is not None:
            try:
                self.check_region(agency.region.code, "机构编码")
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        assignment_save(assignment=instance, actor=self.user)

    def dehydrate_role(self, obj):
        return obj.role.name

    def dehydrate_agency_code(self, obj):
        return obj.agency.code if obj.agency_id else city_agency_code(obj.region.code)
