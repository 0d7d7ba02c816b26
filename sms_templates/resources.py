"""The 短信模板大类 and 短信模板 sheets."""

from import_export import fields

from catalog.models import Region
from core.spreadsheets import normalize
from core.spreadsheets.resources import IMPORT_REASON
from core.spreadsheets.widgets import CodeLookupWidget, IntegerWidget, TextWidget, YesNoWidget
from permissions.resources import ScopedResource

from .models import SmsTemplate, SmsTemplateCategory
from .services import sms_category_save, sms_template_save


def _cities():
    return Region.objects.filter(level=Region.Level.CITY)


class SmsTemplateCategoryResource(ScopedResource):
    """短信模板大类: 分类名称, 地区编码 (empty: 全省通用), 排序. A city's own category is in its administrators'
    scope; a province-wide one needs province-wide scope."""

    note = "短信模板的分类；地区编码留空为全省通用分类。"
    example = ("中山本地短信", "442000", "100")

    sheet = "短信模板大类"
    key_columns = ("分类名称",)
    key_paths = ("region__code", "name")
    scope_perms = ("sms_templates.change_smstemplatecategory",)

    name = fields.Field("name", "分类名称", TextWidget())
    region = fields.Field("region", "地区编码", CodeLookupWidget(_cities, label="地区编码", blank_ok=True))
    sort_order = fields.Field("sort_order", "排序", IntegerWidget(low=0, high=32767, default=100))

    class Meta(ScopedResource.Meta):
        model = SmsTemplateCategory
        use_bulk = False  # each row through its service (few rows)
        fields = ["name", "region", "sort_order"]
        export_order = fields

    def instance_queryset(self):
        return SmsTemplateCategory.objects.select_related("region")

    def export_queryset(self):
        return self.instance_queryset().order_by("region__code", "sort_order", "name")

    def key_of_instance(self, obj):
        return (obj.region.code if obj.region_id else None, obj.name)

    def key_of_row(self, row):
        return (normalize.code(row.get("地区编码")) or None, normalize.free_text(row.get("分类名称")))

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")) or None, "地区编码")

    def do_instance_save(self, instance, is_create):
        sms_category_save(category=instance, user=self.user, reason=IMPORT_REASON)


class SmsTemplateResource(ScopedResource):
    """短信模板: 模板分类, 地区编码 (the category's city; empty: a province-wide category), 模板名称, 功能代码,
    状态, 模板内容 (content checked by the model's own clean())."""

    note = "短信模板；内容中的占位符用 {代码}，如 {XM}（姓名）。"
    example = (
        "工伤待遇保险",
        "",
        "工伤待遇受理通知",
        "GS_SL_01",
        "有效",
        "{XM}您好，您申请的{YWMC}已受理，受理回执号{SLHZH}。",
    )

    sheet = "短信模板"
    key_columns = ("功能代码",)
    scope_perms = ("sms_templates.change_smstemplate",)

    category = fields.Field("category", "模板分类", TextWidget())
    category_region = fields.Field(column_name="地区编码", readonly=True)
    name = fields.Field("name", "模板名称", TextWidget())
    function_code = fields.Field("function_code", "功能代码", TextWidget())
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))
    content = fields.Field("content", "模板内容", TextWidget())
    export_paths = {"模板分类": "category__name", "地区编码": "category__region__code"}

    class Meta(ScopedResource.Meta):
        model = SmsTemplate
        use_bulk = False  # each row through its service (few rows; a category may be created on the way)
        fields = ["category", "category_region", "name", "function_code", "is_active", "content"]
        export_order = fields

    def instance_queryset(self):
        return SmsTemplate.objects.select_related("category__region")

    def export_queryset(self):
        return self.instance_queryset().order_by(
            "category__region__code", "category__sort_order", "function_code"
        )

    key_paths = ("function_code",)

    def key_of_instance(self, obj):
        return (obj.function_code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("功能代码")),)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._categories = {
            (c.region.code if c.region_id else None, c.name): c
            for c in SmsTemplateCategory.objects.select_related("region")
        }
        self._regions = {r.code: r for r in _cities()}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "category":
            name = normalize.text(row.get("模板分类"))
            if not name:
                raise ValueError("模板分类不能为空")
            region_code = normalize.code(row.get("地区编码")) or None
            category = self._categories.get((region_code, name))
            if category is None:
                region = self._regions.get(region_code) if region_code else None
                if region_code and region is None:
                    raise ValueError(f"地区编码 {region_code} 不是地级市")
                # An unknown category name is unambiguous: it is a new category of that city (or the province).
                self.check_region(region_code, "模板分类")
                category = sms_category_save(
                    category=SmsTemplateCategory(name=name, region=region),
                    user=self.user,
                    reason=IMPORT_REASON,
                )
                self._categories[(region_code, name)] = category
            instance.category = category
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            # A stored template stays with its owner: naming its 功能代码 does not hand it to another city.
            stored = instance.category.region.code if instance.category.region_id else None
            self.check_region(stored, "功能代码")
        super().import_instance(instance, row, **kwargs)

    def do_instance_save(self, instance, is_create):
        sms_template_save(template=instance, user=self.user, reason=IMPORT_REASON)

    def dehydrate_category(self, obj):
        return obj.category.name

    def dehydrate_category_region(self, obj):
        return obj.category.region.code if obj.category.region_id else ""

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")) or None, "地区编码")
