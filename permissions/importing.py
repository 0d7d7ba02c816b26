"""Spreadsheets of scoped tables: the base resource (natural keys, the importing user's scope, history,
formula-safe export), the admin mixin, and the 岗位分配 sheet."""

import copy

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from catalog.importing import normalize
from catalog.importing.widgets import CodeLookupWidget, TextWidget
from catalog.models import Agency, Region

from .models import Assignment, Role
from .scope import AGENCY, CITY, PROVINCE, city_of
from .selectors import allowed_city_codes

IMPORT_REASON = "导入"


class ConsoleResource(resources.ModelResource):
    """Rows are found by their natural key (codes, not ids), checked against the importing user's scope,
    saved with the user and reason in history, and skipped when unchanged (so no history is written)."""

    sheet = ""  # the Chinese sheet name
    key_columns: tuple[str, ...] = ()
    scope_perms: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, *, user=None, preview: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._instances: dict | None = None
        if preview:
            # The admin's dry-run page shows each row's values as an HTML diff; batch imports skip
            # building it (it is most of the per-row cost).
            self._meta = copy.copy(self._meta)
            self._meta.skip_html_diff = False

    # ---- identity ---------------------------------------------------------------------------
    def instance_queryset(self):
        return self._meta.model._default_manager.all()

    def export_queryset(self):
        """The rows ``export_config`` writes, in the order a reader expects."""
        return self.instance_queryset()

    def key_of_instance(self, obj) -> tuple:
        raise NotImplementedError

    def key_of_row(self, row) -> tuple:
        raise NotImplementedError

    def get_import_id_fields(self):
        return []

    def _check_import_id_fields(self, headers):
        missing = [column for column in self.key_columns if column not in headers]
        if missing:
            raise ValidationError(
                _("%(sheet)s缺少列：%(columns)s") % {"sheet": self.sheet, "columns": "、".join(missing)}
            )

    def get_instance(self, instance_loader, row):
        if self._instances is None:
            self._instances = {self.key_of_instance(obj): obj for obj in self.instance_queryset()}
        try:
            key = self.key_of_row(row)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        return self._instances.get(key)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own validation, without the per-row queries that would only repeat the import:
        related objects came from lookups of existing rows, and the natural key is the unique constraint."""
        errors = dict(import_validation_errors or {})
        related = [f.name for f in instance._meta.concrete_fields if f.is_relation]
        try:
            instance.full_clean(
                exclude=[*errors, *related], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        if self._instances is not None:
            self._instances[self.key_of_instance(instance)] = instance

    # ---- the file ---------------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        for field in self.fields.values():
            if isinstance(field.widget, CodeLookupWidget):
                field.widget.reset()
        self._instances = None
        dataset.headers = [normalize.text(header) for header in dataset.headers or []]
        blank = [index for index, row in enumerate(dataset) if normalize.is_blank(row)]
        for index in reversed(blank):
            # Trailing (and stray) blank rows are what spreadsheets leave behind, not data.
            del dataset[index]

    # ---- scope and history ------------------------------------------------------------------
    def allowed_cities(self) -> frozenset[str] | None:
        if self.user is None:
            return None  # the command line without --user: a trusted operator
        return allowed_city_codes(self.user, list(self.scope_perms))

    def check_region(self, region_code: str | None, column: str) -> None:
        allowed = self.allowed_cities()
        if allowed is None:
            return
        if region_code is None or city_of(region_code) not in allowed:
            where = region_code or _("全省")
            raise ValidationError(
                {column: _("您无权导入%(where)s的数据（只能导入本人管辖范围内的城市）。") % {"where": where}}
            )

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        instance._change_reason = IMPORT_REASON

    # ---- export -----------------------------------------------------------------------------
    def export_field(self, field, instance, **kwargs):
        return normalize.escape_formula(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [normalize.escape_formula(header) for header in super().get_export_headers(selected_fields)]

    def column_of(self, attribute: str) -> str:
        """The Chinese column of a model attribute (to place an error)."""
        for field in self.fields.values():
            if field.attribute == attribute or field.column_name == attribute:
                return field.column_name
        return attribute


class SpreadsheetMixin(ImportExportMixin):
    """导入导出 on an admin screen: xlsx and csv, the library's dry-run preview, the user's scope."""

    formats = [XLSX, CSV]
    import_formats = [XLSX, CSV]
    export_formats = [XLSX, CSV]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "user": request.user,
            "preview": True,
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}


class AssignmentResource(ConsoleResource):
    """岗位分配: 用户名, 岗位, 机构编码 (the agency decides the scope: 440099 → 全省, a city agency → 地级市)."""

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

    class Meta(ConsoleResource.Meta):
        model = Assignment
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

    def key_of_instance(self, obj):
        return (
            obj.user.username,
            obj.role.code,
            obj.agency.code if obj.agency_id else obj.region.code[:4] + "99",
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
            role = instance.role
            if role.allow_agency:
                instance.kind, instance.region, instance.agency = AGENCY, agency.region, agency
            elif agency.region.level == Region.Level.PROVINCE and role.allow_province:
                instance.kind, instance.region, instance.agency = PROVINCE, agency.region, None
            elif role.allow_city:
                instance.kind, instance.region, instance.agency = CITY, agency.region, None
            else:
                errors["岗位"] = [_("岗位“%(role)s”不能按该机构分配。") % {"role": role.name}]
        if agency is not None:
            try:
                self.check_region(agency.region.code, "机构编码")
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        from .services import user_grant_console_access

        user_grant_console_access(instance.user)

    def dehydrate_role(self, obj):
        return obj.role.name

    def dehydrate_agency_code(self, obj):
        return obj.agency.code if obj.agency_id else obj.region.code[:4] + "99"
