"""The 短信模板 sheet: 模板分类, 模板名称, 功能代码, 状态, 模板内容."""

from import_export import fields

from core.spreadsheets import normalize
from core.spreadsheets.resources import IMPORT_REASON
from core.spreadsheets.widgets import TextWidget, YesNoWidget
from permissions.resources import ScopedResource

from .models import SmsTemplate, SmsTemplateCategory
from .services import sms_category_save, sms_template_save


class SmsTemplateResource(ScopedResource):
    """短信模板: 模板分类, 模板名称, 功能代码, 状态, 模板内容 (content checked by the model's own clean())."""

    sheet = "短信模板"
    key_columns = ("功能代码",)
    scope_perms = ("sms_templates.change_smstemplate",)

    category = fields.Field("category", "模板分类", TextWidget())
    name = fields.Field("name", "模板名称", TextWidget())
    function_code = fields.Field("function_code", "功能代码", TextWidget())
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))
    content = fields.Field("content", "模板内容", TextWidget())
    export_paths = {"模板分类": "category__name"}

    class Meta(ScopedResource.Meta):
        model = SmsTemplate
        use_bulk = False  # each row through its service (few rows; a category may be created on the way)
        fields = ["category", "name", "function_code", "is_active", "content"]
        export_order = fields

    def instance_queryset(self):
        return SmsTemplate.objects.select_related("category")

    key_paths = ("function_code",)

    def key_of_instance(self, obj):
        return (obj.function_code,)

    def key_of_row(self, row):
        return (normalize.code(row.get("功能代码")),)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._categories = {c.name: c for c in SmsTemplateCategory.objects.filter(region__isnull=True)}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "category":
            name = normalize.text(row.get("模板分类"))
            if not name:
                raise ValueError("模板分类不能为空")
            category = self._categories.get(name)
            if category is None:
                # An unknown category name is unambiguous: it is a new province-wide category.
                self.check_region(None, "模板分类")
                category = sms_category_save(
                    category=SmsTemplateCategory(name=name), user=self.user, reason=IMPORT_REASON
                )
                self._categories[name] = category
            instance.category = category
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def do_instance_save(self, instance, is_create):
        sms_template_save(template=instance, user=self.user, reason=IMPORT_REASON)

    def dehydrate_category(self, obj):
        return obj.category.name

    def before_import_row(self, row, **kwargs):
        self.check_region(None, "功能代码")  # province-wide templates: province scope only
