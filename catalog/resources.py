"""The province's catalog tables as sheets: 节假日, 经办机构, 材料, 业务事项 — for province-wide staff only.

Who may import is asked through Django's permission check on the province itself
(``user.has_perm(perm, <the province>)``): the role backend answers it from the user's scoped
assignments, so a city administrator's grants never reach a province table.
"""

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _
from import_export import fields

from core.spreadsheets import normalize
from core.spreadsheets.resources import IMPORT_REASON, ConsoleResource
from core.spreadsheets.widgets import (
    ChoiceLabelWidget,
    CodeListWidget,
    CodeLookupWidget,
    CodeWidget,
    DateWidget,
    IntegerWidget,
    TextWidget,
    YesNoWidget,
)

from .dependencies import dependency_problems
from .models import Agency, Holiday, Material, Matter, MatterCategory, Region
from .tree import AgencyTreeError, ancestors, parent_kind_problem

AGENCY_KINDS = {str(key): str(label) for key, label in Agency.Kind.choices}
KIND_ORDER = [key for key, _label in Agency.Kind.choices]  # a parent's kind comes before its children's


class ProvinceTableResource(ConsoleResource):
    """A province-wide table: every row needs ``change_perm`` over the province."""

    change_perm = ""
    _allowed: bool | None = None

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing"):
            self._allowed = None

    def before_import_row(self, row, **kwargs):
        if self.user is None:
            return  # the command line without --user: a trusted operator
        if self._allowed is None:
            province = Region.objects.filter(level=Region.Level.PROVINCE).first()
            self._allowed = province is not None and self.user.has_perm(self.change_perm, province)
        if not self._allowed:
            raise ValidationError(
                _("您无权导入“%(sheet)s”：这是全省统一的数据，只有省级管理人员可以修改。")
                % {"sheet": self.sheet}
            )


REGION_LEVELS = {str(key): str(label) for key, label in Region.Level.choices}


class RegionResource(ProvinceTableResource):
    """行政区划: 行政区划代码, 名称, 级别, 上级区划 — counties under their city (the export writes parents first)."""

    note = "全省行政区划；区县的上级区划是其地级市。上级须已存在或在本表中先出现。"
    example = ("440104", "越秀区", "区县", "440100")

    sheet = "行政区划"
    key_columns = ("行政区划代码",)
    key_paths = ("code",)
    change_perm = "catalog.change_region"

    code = fields.Field("code", "行政区划代码", CodeWidget())
    name = fields.Field("name", "名称", TextWidget())
    level = fields.Field("level", "级别", ChoiceLabelWidget(REGION_LEVELS, what="级别"))
    parent = fields.Field(
        "parent", "上级区划", CodeLookupWidget(Region.objects.all, label="上级区划", blank_ok=True)
    )

    class Meta(ConsoleResource.Meta):
        model = Region
        use_bulk = False  # a row may be the parent of the next one
        fields = ["code", "name", "level", "parent"]
        export_order = fields

    def export_queryset(self):
        depth = Case(
            *(When(level=level, then=Value(index)) for index, level in enumerate(REGION_LEVELS)),
            output_field=IntegerField(),
        )
        return Region.objects.order_by(depth, "code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("行政区划代码")),)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self.fields["parent"].widget.objects()[instance.code] = instance  # a parent of later rows

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        expected = {
            Region.Level.PROVINCE: None,
            Region.Level.CITY: Region.Level.PROVINCE,
            Region.Level.COUNTY: Region.Level.CITY,
        }.get(instance.level)
        parent_level = instance.parent.level if instance.parent_id else None
        if instance.level and "parent" not in errors and parent_level != expected:
            errors["parent"] = [
                _("%(level)s的上级区划须是%(parent)s")
                % {"level": REGION_LEVELS[instance.level], "parent": REGION_LEVELS.get(expected, _("空"))}
                if expected
                else _("省级区划没有上级区划")
            ]
        super().validate_instance(instance, errors, validate_unique)


class HolidayResource(ProvinceTableResource):
    """节假日: 日期, 名称, 调休上班 (是: a 调休 weekend worked; 否: a day off)."""

    note = "法定节假日与调休上班日，用于按工作日计算办理时限。"
    example = ("2026-10-01", "国庆节", "否")

    sheet = "节假日"
    key_columns = ("日期",)
    key_paths = ("date",)
    change_perm = "catalog.change_holiday"

    date = fields.Field("date", "日期", DateWidget())
    name = fields.Field("name", "名称", TextWidget())
    is_workday_override = fields.Field("is_workday_override", "调休上班", YesNoWidget(default=False))

    class Meta(ConsoleResource.Meta):
        model = Holiday
        fields = ["date", "name", "is_workday_override"]
        export_order = fields

    def export_queryset(self):
        return Holiday.objects.order_by("date")

    def key_of_instance(self, obj):
        return (obj.date,)

    def key_of_row(self, row):
        return (normalize.day(row.get("日期")),)


class MaterialResource(ProvinceTableResource):
    """材料: 材料编码, 材料名称, 说明, 状态."""

    note = "全省统一的材料目录；材料清单按材料编码引用。"
    example = ("CL901", "工伤职工本人身份证复印件", "首次申领时提供", "有效")

    sheet = "材料"
    key_columns = ("材料编码",)
    key_paths = ("code",)
    change_perm = "catalog.change_material"

    code = fields.Field("code", "材料编码", CodeWidget())
    name = fields.Field("name", "材料名称", TextWidget())
    description = fields.Field("description", "说明", TextWidget())
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))

    class Meta(ConsoleResource.Meta):
        model = Material
        fields = ["code", "name", "description", "is_active"]
        export_order = fields

    def export_queryset(self):
        return Material.objects.order_by("code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("材料编码")),)


class AgencyResource(ProvinceTableResource):
    """经办机构: 机构编码, 机构名称, 所在区划, 上级机构, 机构类型, 状态 — the agency tree, 网点 included. A row's
    上级机构 is stored already or comes earlier in the sheet (the export writes parents first)."""

    note = "经办机构树：省级 → 市级 → 区县 → 经办服务网点。上级机构须已存在或在本表中先出现。"
    example = ("44200001", "中山市石岐社保服务网点", "442000", "442099", "经办服务网点", "有效")

    sheet = "经办机构"
    key_columns = ("机构编码",)
    key_paths = ("code",)
    change_perm = "catalog.change_agency"

    code = fields.Field("code", "机构编码", CodeWidget())
    name = fields.Field("name", "机构名称", TextWidget())
    region = fields.Field("region", "所在区划", CodeLookupWidget(Region.objects.all, label="所在区划"))
    parent_code = fields.Field(column_name="上级机构", readonly=True)
    kind = fields.Field("kind", "机构类型", ChoiceLabelWidget(AGENCY_KINDS, what="机构类型"))
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))
    export_paths = {"上级机构": "parent__code"}

    class Meta(ConsoleResource.Meta):
        model = Agency
        use_bulk = False  # a row may be the parent of the next one: each is saved before the next is read
        fields = ["code", "name", "region", "parent_code", "kind", "is_active"]
        export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing"):
            self._tree = {
                code: (parent, kind)
                for code, parent, kind in Agency.objects.values_list("code", "parent__code", "kind")
            }

    def export_queryset(self):
        depth = Case(
            *(When(kind=kind, then=Value(index)) for index, kind in enumerate(KIND_ORDER)),
            output_field=IntegerField(),
        )
        return Agency.objects.order_by(depth, "code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("机构编码")),)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        code, parent_code = normalize.code(row.get("机构编码")), normalize.code(row.get("上级机构"))
        parent = None
        if parent_code:
            found = self.stored_keys().get((parent_code,))
            if found is None or isinstance(found, Agency):
                errors["上级机构"] = [
                    _("上级机构 %(code)s 不存在（须已存在或在本表中先出现）") % {"code": parent_code}
                ]
            else:
                parent = found
        instance.parent_id = parent
        parent_kind = self._tree.get(parent_code, (None, None))[1] if parent_code else None
        problem = parent_kind_problem(instance.kind, parent_kind) if instance.kind else None
        if problem and "上级机构" not in errors:
            errors["上级机构"] = [problem]
        if code and parent_code and "上级机构" not in errors:
            tree = {key: value[0] for key, value in self._tree.items()}
            tree[code] = parent_code
            try:
                ancestors(code, tree)
            except AgencyTreeError:
                errors["上级机构"] = [_("上级机构 %(code)s 会使机构树形成循环") % {"code": parent_code}]
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self._tree[instance.code] = (normalize.code(row.get("上级机构")) or None, instance.kind)

    def dehydrate_parent_code(self, obj):
        return obj.parent.code if obj.parent_id else ""


class MatterResource(ProvinceTableResource):
    """业务事项: 事项编码, 事项名称, 别名, 业务大类, 可全省通办, 联办事项, 默认办理时限, 前置事项, 冲突事项, 状态.
    前置事项 / 冲突事项 list codes (GS0301、GS0302) of matters stored or anywhere in the sheet; they are set
    once the sheet's rows are saved, and the relations as a whole are checked (no self-reference, no pair
    both prerequisite and conflict, no cycle)."""

    note = "全省统一的业务事项目录；前置事项、冲突事项可引用本表任一行的事项编码。"
    example = (
        "GS0901",
        "工伤待遇补充申领",
        "",
        "GSDY_GT",
        "否",
        "是",
        "20",
        "GS0301、GS0302",
        "GS0305",
        "有效",
    )

    sheet = "业务事项"
    key_columns = ("事项编码",)
    key_paths = ("code",)
    change_perm = "catalog.change_matter"
    RELATIONS = {"prerequisites": "前置事项", "conflicts": "冲突事项"}

    code = fields.Field("code", "事项编码", CodeWidget())
    name = fields.Field("name", "事项名称", TextWidget())
    aliases = fields.Field("aliases", "别名", TextWidget())
    category = fields.Field(
        "category", "业务大类", CodeLookupWidget(MatterCategory.objects.all, label="业务大类编码")
    )
    province_wide = fields.Field("province_wide", "可全省通办", YesNoWidget(default=False))
    joint_handling = fields.Field("joint_handling", "联办事项", YesNoWidget(default=False))
    default_time_limit_days = fields.Field(
        "default_time_limit_days", "默认办理时限", IntegerWidget(low=1, high=365, default=20)
    )
    prerequisites = fields.Field("prerequisites", "前置事项", CodeListWidget())
    conflicts = fields.Field("conflicts", "冲突事项", CodeListWidget())
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))

    class Meta(ConsoleResource.Meta):
        model = Matter
        use_bulk = False  # few rows, with relations between them
        fields = [
            "code",
            "name",
            "aliases",
            "category",
            "province_wide",
            "joint_handling",
            "default_time_limit_days",
            "prerequisites",
            "conflicts",
            "is_active",
        ]
        export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing"):
            self._sheet_codes: set[str] = set()
            self._written = False
        headers = dataset.headers or []
        if "事项编码" in headers:
            column = headers.index("事项编码")
            self._sheet_codes.update(normalize.code(row[column]) for row in dataset)
        self._wanted: dict[int, dict[str, list[str]]] = {}
        self._pending: list[tuple[Matter, dict[str, list[str]]]] = []

    def instance_queryset(self):
        return Matter.objects.select_related("category").prefetch_related("prerequisites", "conflicts")

    def loading_queryset(self):
        return self.instance_queryset()

    def export_queryset(self):
        return self.instance_queryset().order_by("code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("事项编码")),)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute not in self.RELATIONS:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        if is_m2m or field.column_name not in row:
            return None  # a missing column keeps the stored relations
        codes = field.clean(row, **kwargs)
        unknown = [
            code for code in codes if (code,) not in self.stored_keys() and code not in self._sheet_codes
        ]
        if unknown:
            raise ValueError(_("事项 %(codes)s 不存在") % {"codes": "、".join(unknown)})
        self._wanted.setdefault(id(instance), {})[field.attribute] = codes
        return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        wanted = self._wanted.get(id(instance), {})
        stored = self._relations_of(instance)
        relations = {name: wanted.get(name, stored[name]) for name in self.RELATIONS}
        for problem in dependency_problems(
            {instance.code: relations["prerequisites"]}, {instance.code: relations["conflicts"]}
        ):
            errors.setdefault("prerequisites", []).append(problem)
        super().validate_instance(instance, errors, validate_unique)

    @staticmethod
    def _relations_of(instance) -> dict[str, list[str]]:
        if instance.pk is None:
            return {"prerequisites": [], "conflicts": []}
        return {
            "prerequisites": sorted(m.code for m in instance.prerequisites.all()),
            "conflicts": sorted(m.code for m in instance.conflicts.all()),
        }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        stored = self._relations_of(instance)
        wanted = self._wanted.get(id(instance), {})
        return all(sorted(codes) == stored[name] for name, codes in wanted.items())

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self._pending.append((instance, self._wanted.pop(id(instance), {})))

    def after_import(self, dataset, result, **kwargs):
        # The relations once the batch's matters exist (a row may name a matter of a later row).
        if not result.has_errors() and not result.has_validation_errors():
            self._set_relations()
        super().after_import(dataset, result, **kwargs)

    def _set_relations(self) -> None:
        wanted_codes = {code for _m, wanted in self._pending for codes in wanted.values() for code in codes}
        by_code = {m.code: m for m in Matter.objects.filter(code__in=wanted_codes)}
        for matter, wanted in self._pending:
            matter._history_user = self.user
            matter._change_reason = IMPORT_REASON
            for name, codes in wanted.items():
                missing = [code for code in codes if code not in by_code]
                if missing:
                    raise ValidationError(
                        _("%(matter)s 的%(column)s %(codes)s 不存在")
                        % {"matter": matter.code, "column": self.RELATIONS[name], "codes": "、".join(missing)}
                    )
                manager = getattr(matter, name)
                targets = [by_code[code] for code in codes]
                if {m.pk for m in manager.all()} != {m.pk for m in targets}:
                    manager.set(targets)
                    self._written = True
        self._pending.clear()

    def final_errors(self):
        if not getattr(self, "_written", False):
            return []
        prerequisites: dict[str, set[str]] = {}
        conflicts: dict[str, set[str]] = {}
        for code, other in Matter.prerequisites.through.objects.values_list(
            "from_matter__code", "to_matter__code"
        ):
            prerequisites.setdefault(code, set()).add(other)
        for code, other in Matter.conflicts.through.objects.values_list(
            "from_matter__code", "to_matter__code"
        ):
            conflicts.setdefault(code, set()).add(other)
        return [(0, "前置事项", problem) for problem in dependency_problems(prerequisites, conflicts)]

    def dehydrate_prerequisites(self, obj):
        return "、".join(sorted(m.code for m in obj.prerequisites.all()))

    def dehydrate_conflicts(self, obj):
        return "、".join(sorted(m.code for m in obj.conflicts.all()))

    def dehydrate_category(self, obj):
        return obj.category.code
