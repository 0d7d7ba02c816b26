"""The province's own tables of the configuration centre as sheets: 打印模板 and 查询标签."""

from import_export import fields

from core.spreadsheets import normalize
from core.spreadsheets.widgets import ChoiceLabelWidget, CodeLookupWidget, CodeWidget, TextWidget, YesNoWidget
from permissions.resources import ScopedResource

from ..models import PrintTemplate, Tag
from .common import DOCUMENT_LABELS, TAG_KIND_LABELS, cities


class PrintTemplateResource(ScopedResource):
    """打印模板: 模板编码, 模板名称, 打印事项, 地区编码 (empty: 全省通用), 状态. A city's own template is in its
    administrators' scope; a province-wide one needs province-wide scope."""

    note = "打印模板；地区编码留空为全省通用模板，否则只供该市使用。"
    example = ("PT_ZS_BJD", "中山业务办结单", "业务办结单", "442000", "有效")

    sheet = "打印模板"
    key_columns = ("模板编码",)
    scope_perms = ("config_center.change_printtemplate",)
    key_paths = ("code",)

    code = fields.Field("code", "模板编码", CodeWidget())
    name = fields.Field("name", "模板名称", TextWidget())
    document = fields.Field("document", "打印事项", ChoiceLabelWidget(DOCUMENT_LABELS, what="打印事项"))
    region = fields.Field("region", "地区编码", CodeLookupWidget(cities, label="地区编码", blank_ok=True))
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))

    class Meta(ScopedResource.Meta):
        model = PrintTemplate
        fields = ["code", "name", "document", "region", "is_active"]
        export_order = fields

    def instance_queryset(self):
        return PrintTemplate.objects.select_related("region")

    def export_queryset(self):
        return self.instance_queryset().order_by("document", "code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("模板编码")),)

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")) or None, "地区编码")

    def import_instance(self, instance, row, **kwargs):
        stored_region = instance.region.code if instance.pk and instance.region_id else None
        if instance.pk:
            # Another city's (or the province's) template cannot be taken over by naming it in a row.
            self.check_region(stored_region, "模板编码")
        super().import_instance(instance, row, **kwargs)


class TagResource(ScopedResource):
    """查询标签: 标签编号, 查询标签, 标签类型 (受理标签 / 审核标签); province-wide, so province-wide scope only."""

    note = "业务状态查询可按标签筛选；受理标签在受理时选择，审核标签在审核时选择。"
    example = ("SL_ZS", "中山专窗", "受理标签")

    sheet = "查询标签"
    key_columns = ("标签编号",)
    scope_perms = ("config_center.change_tag",)
    key_paths = ("code",)

    code = fields.Field("code", "标签编号", CodeWidget())
    name = fields.Field("name", "查询标签", TextWidget())
    kind = fields.Field("kind", "标签类型", ChoiceLabelWidget(TAG_KIND_LABELS, what="标签类型"))

    class Meta(ScopedResource.Meta):
        model = Tag
        fields = ["code", "name", "kind"]
        export_order = fields

    def export_queryset(self):
        return Tag.objects.order_by("kind", "code")

    def key_of_instance(self, obj):
        return (obj.code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("标签编号")),)

    def before_import_row(self, row, **kwargs):
        self.check_region(None, "标签编号")
