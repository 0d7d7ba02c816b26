"""The sheets of a local matter's own fields, a row per city × matter: 事项绑定, 属性配置, 标签."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from catalog.models import Matter
from core.spreadsheets import normalize
from core.spreadsheets.resources import IMPORT_REASON
from core.spreadsheets.widgets import (
    ChoiceLabelWidget,
    CodeListWidget,
    CodeLookupWidget,
    CodeWidget,
    IntegerWidget,
    YesNoWidget,
)
from permissions.resources import ScopedResource

from .. import codes, selectors, services
from ..models import LocalMatter, Tag
from .common import FLOW_WORDS, LEVEL_WORDS, MODE_WORDS, TAG_KIND_LABELS, cities, not_bound_message

FINAL_CHECK_CHUNK = 2_000  # local matters judged per query by the final check


def _is_print_rule(field: str) -> bool:
    return field.startswith("print_")


def local_matter_final_errors(rows: dict[tuple[str, str], int]) -> list[tuple[int, str, str]]:
    """The save rules of each named local matter ({(region code, matter code): spreadsheet row}) on what
    is stored now: rules between sheets (an e-seal on a print slot of 打印配置 needs 启用电子印章 of
    属性配置) hold at the end. Each problem is reported at the row that last wrote the matter."""
    found = []
    keys = sorted(rows)
    for start in range(0, len(keys), FINAL_CHECK_CHUNK):
        chunk = keys[start : start + FINAL_CHECK_CHUNK]
        stored = (
            LocalMatter.objects.filter(
                region__code__in={region for region, _matter in chunk},
                matter__code__in={matter for _region, matter in chunk},
            )
            .select_related("region", "matter")
            .prefetch_related("print_slots__template")
            .order_by("region__code", "matter__code")
        )
        for local in stored:
            row = rows.get((local.region.code, local.matter.code))
            if row is None:
                continue
            errors = services.local_matter_errors(
                matter=local.matter,
                values=selectors.local_matter_values(local),
                prints=selectors.stored_print_choices(local),
            )
            for messages in errors.values():
                for message in messages:
                    where = "" if row else f"{local.region.name} · {local.matter.name}："
                    found.append((row, "", where + message))
    return found


class LocalMatterRows:
    """What every sheet of the local matter's own fields shares: a row per city × matter, in the importing
    user's scope, judged and saved by the one write path (``local_matter_errors`` / ``local_matter_save``).

    A row is judged by the rules of its own fields; the rules about its print slots (打印配置, imported
    later in a workbook) are judged on the final state (``final_errors``)."""

    key_paths = ("region__code", "matter__code")
    _written: dict | None = None  # {(region code, matter code): spreadsheet row} of the rows written
    _rows: dict | None = None  # the same for every row read

    def key_of_instance(self, obj):
        return (obj.region.code, obj.matter.code)

    def key_of_row(self, row):
        return (normalize.code(row.get("地区编码")), normalize.code(row.get("事项编码")))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing") or self._written is None:
            self._written, self._rows = {}, {}

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")), "地区编码")
        self._rows[self.key_of_row(row)] = self.spreadsheet_row(kwargs)

    def instance_queryset(self):
        return LocalMatter.objects.select_related("region", "matter").prefetch_related(
            "print_slots__template"
        )

    def export_queryset(self):
        return self.instance_queryset().order_by("region__code", "matter__code")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The save rules of every local matter (``local_matter_errors``), on the row as it will be saved."""
        errors = dict(import_validation_errors or {})
        if instance.matter_id:
            values = selectors.local_matter_values(instance)
            judged = services.local_matter_errors(
                matter=instance.matter, values=values, prints=selectors.stored_print_choices(instance)
            )
            for field, messages in judged.items():
                if field not in errors and not _is_print_rule(field):
                    # a cell that could not be read is reported once, as unreadable
                    errors[field] = messages
        super().validate_instance(instance, errors, validate_unique)

    def bulk_save(self, instances, *, created):
        services.local_matters_save_batch(
            instances,
            user=self.user,
            reason=IMPORT_REASON,
            created=created,
            fields=self.bulk_fields(),
            print_rules=False,
        )
        for local in instances:
            key = (local.region.code, local.matter.code)
            self._written[key] = self._rows.get(key, 0)

    def final_errors(self):
        return [*super().final_errors(), *local_matter_final_errors(self._written or {})]


class LocalMatterResource(LocalMatterRows, ScopedResource):
    """事项绑定: 地区编码, 事项编码, 分发模式, 主流程方式, 办理时限, 业务审核级别, 状态."""

    note = "把业务事项绑定到地级市（定制绑定）；状态为无效即取消绑定，配置保留。"
    example = ("442000", "GS0101", "全省模式", "承诺件", "20", "二级", "有效")

    sheet = "事项绑定"
    key_columns = ("地区编码", "事项编码")
    scope_perms = ("config_center.change_localmatter",)

    region = fields.Field("region", "地区编码", CodeLookupWidget(cities, label="地区编码"))
    matter = fields.Field("matter", "事项编码", CodeLookupWidget(Matter.objects.all, label="事项编码"))
    distribution_mode = fields.Field(
        "distribution_mode", "分发模式", ChoiceLabelWidget(MODE_WORDS, what="分发模式"), default=codes.LOCAL
    )
    flow_mode = fields.Field(
        "flow_mode",
        "主流程方式",
        ChoiceLabelWidget(FLOW_WORDS, what="主流程方式", blank_ok=True),
    )
    time_limit_days = fields.Field("time_limit_days", "办理时限", IntegerWidget(low=1, high=365))
    review_levels = fields.Field(
        "review_levels", "业务审核级别", ChoiceLabelWidget(LEVEL_WORDS, what="业务审核级别", coerce=int)
    )
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))

    class Meta(ScopedResource.Meta):
        model = LocalMatter
        fields = [
            "region",
            "matter",
            "distribution_mode",
            "flow_mode",
            "time_limit_days",
            "review_levels",
            "is_active",
        ]
        export_order = fields

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A workbook written before 主流程方式 had a column (or a cell left empty) keeps what is stored.
        if field.attribute == "flow_mode" and normalize.text(row.get("主流程方式")) == "":
            return  # a new binding takes the model's default (承诺件)
        super().import_field(field, instance, row, is_m2m, **kwargs)


def _property_field(name: str, model_field) -> fields.Field:
    """A column of 属性配置, headed by the field's own label, read as the field's type."""
    label = str(model_field.verbose_name)
    if model_field.get_internal_type() == "BooleanField":
        widget = YesNoWidget(default=model_field.default)
    elif model_field.choices:
        options = {str(key): str(text) for key, text in model_field.choices if key != ""}
        widget = ChoiceLabelWidget(options, what=label, blank_ok=model_field.blank)
    else:
        widget = CodeWidget()
    return fields.Field(name, label, widget)


class BoundOnly:
    """A sheet that configures bound matters only: a row for a matter the city has not bound is refused."""

    def import_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            region, matter = self.key_of_row(row)
            raise ValidationError({"事项编码": [not_bound_message(region, matter)]})
        super().import_instance(instance, row, **kwargs)

    def dehydrate_region_code(self, obj):
        return obj.region.code

    def dehydrate_matter_code(self, obj):
        return obj.matter.code


class LocalMatterPropertiesResource(BoundOnly, LocalMatterRows, ScopedResource):
    """属性配置: 地区编码, 事项编码, then one column per property of 本地业务属性定义 (a bound matter's row only)."""

    note = "已绑定事项的本地业务属性（柜台、邮政寄送、政务大厅、自助终端、电子印章）。"
    example = ("442000", "GS0101", "是", "是", "是", "否", "", "否", "", "", "否", "是", "是", "否", "")

    sheet = "属性配置"
    key_columns = ("地区编码", "事项编码")
    scope_perms = ("config_center.change_localmatter",)

    region_code = fields.Field(column_name="地区编码", readonly=True)
    matter_code = fields.Field(column_name="事项编码", readonly=True)
    export_paths = {"地区编码": "region__code", "事项编码": "matter__code"}

    class Meta(ScopedResource.Meta):
        model = LocalMatter
        fields = ["region_code", "matter_code", *selectors.PROPERTY_FIELDS]
        export_order = fields

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        return _property_field(field_name, django_field)


TAG_COLUMNS = {codes.ACCEPTANCE_TAGS: "受理标签", codes.REVIEW_TAGS: "审核标签"}


class LocalMatterTagsResource(BoundOnly, LocalMatterRows, ScopedResource):
    """标签: 地区编码, 事项编码, 受理标签, 审核标签 — each a list of 标签编号 (SL_QSTB、SL_YDSL); an empty cell
    clears that kind. Written through ``local_matter_set_tags`` (history, version)."""

    note = "已绑定事项的受理标签与审核标签；多个标签编号用 、 分隔，留空即清除。"
    example = ("442000", "GS0101", "SL_QSTB、SL_YDSL", "SH_YNAJ")

    sheet = "标签"
    key_columns = ("地区编码", "事项编码")
    scope_perms = ("config_center.change_localmatter",)

    region_code = fields.Field(column_name="地区编码", readonly=True)
    matter_code = fields.Field(column_name="事项编码", readonly=True)
    acceptance_tags = fields.Field("acceptance_tags", TAG_COLUMNS[codes.ACCEPTANCE_TAGS], CodeListWidget())
    review_tags = fields.Field("review_tags", TAG_COLUMNS[codes.REVIEW_TAGS], CodeListWidget())

    class Meta(ScopedResource.Meta):
        model = LocalMatter
        use_bulk = False  # through the tag service, row by row (tags are few)
        fields = ["region_code", "matter_code", "acceptance_tags", "review_tags"]
        export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing") or not hasattr(self, "_tags"):
            self._tags = {tag.code: tag for tag in Tag.objects.all()}
        self._wanted = {}

    def instance_queryset(self):
        return LocalMatter.objects.select_related("region", "matter").prefetch_related(
            "acceptance_tags", "review_tags"
        )

    def loading_queryset(self):
        return self.instance_queryset()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute not in ("acceptance_tags", "review_tags"):
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        if is_m2m or field.column_name not in row:
            return None  # written by the service in ``do_instance_save``; a missing column keeps the kind
        kind = codes.ACCEPTANCE_TAGS if field.attribute == "acceptance_tags" else codes.REVIEW_TAGS
        column = TAG_COLUMNS[kind]
        chosen = []
        for code in field.clean(row, **kwargs):
            tag = self._tags.get(code)
            if tag is None:
                raise ValueError(_("标签编号 %(code)s 不存在") % {"code": code})
            if tag.kind != kind:
                raise ValueError(
                    _("%(code)s 是%(kind)s，不能填在“%(column)s”中")
                    % {"code": code, "kind": TAG_KIND_LABELS[tag.kind], "column": column}
                )
            chosen.append(tag)
        self._wanted.setdefault(id(instance), {})[kind] = chosen
        return None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        wanted = self._wanted.get(id(instance), {})
        stored = {
            codes.ACCEPTANCE_TAGS: {tag.pk for tag in instance.acceptance_tags.all()},
            codes.REVIEW_TAGS: {tag.pk for tag in instance.review_tags.all()},
        }
        return all({tag.pk for tag in chosen} == stored[kind] for kind, chosen in wanted.items())

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if errors:
            raise ValidationError(self.by_column(errors))

    def do_instance_save(self, instance, is_create):
        services.local_matter_set_tags(
            local_matter=instance,
            tags=self._wanted.pop(id(instance), {}),
            user=self.user,
            reason=IMPORT_REASON,
        )

    def final_errors(self):
        return []  # tags change no rule of the local matter's

    def dehydrate_acceptance_tags(self, obj):
        return "、".join(sorted(tag.code for tag in obj.acceptance_tags.all()))

    def dehydrate_review_tags(self, obj):
        return "、".join(sorted(tag.code for tag in obj.review_tags.all()))


__all__ = [
    "LocalMatterPropertiesResource",
    "LocalMatterResource",
    "LocalMatterTagsResource",
]
