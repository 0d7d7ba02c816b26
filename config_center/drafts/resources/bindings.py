"""The sheets whose rows hang off a bound matter: 材料清单, 短信配置, 打印配置."""

from django.core.exceptions import ValidationError
from import_export import fields

from catalog.models import Channel, Material
from core.spreadsheets import normalize
from core.spreadsheets.widgets import (
    ChoiceLabelWidget,
    CodeLookupWidget,
    IntegerWidget,
    TextWidget,
    YesNoWidget,
)
from permissions.resources import ScopedResource
from sms_templates.models import SmsTemplate

from .. import rules, selectors, services
from ..models import ChecklistItem, LocalMatter, PrintSlot, PrintTemplate, SmsSlot
from .common import DOCUMENT_LABELS, EVENT_LABELS, KIND_LABELS, channel_codes_by_name, not_bound_message
from .local_matters import local_matter_final_errors


class BindingRows:
    """A sheet whose rows hang off a bound matter (地区编码 + 事项编码): the bindings read once per import."""

    _local_matters: dict | None = None
    export_paths = {"地区编码": "local_matter__region__code", "事项编码": "local_matter__matter__code"}

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing"):
            self._local_matters = None

    def local_matter_of(self, row) -> LocalMatter:
        """The row's bound matter; a ValidationError on 事项编码 when the city has not bound it."""
        if self._local_matters is None:
            self._local_matters = {
                (lm.region.code, lm.matter.code): lm
                for lm in LocalMatter.objects.select_related("region", "matter")
            }
        region, matter = normalize.code(row.get("地区编码")), normalize.code(row.get("事项编码"))
        local = self._local_matters.get((region, matter))
        if local is None:
            raise ValidationError({"事项编码": [not_bound_message(region, matter)]})
        return local

    def loading_queryset(self):
        # Every column a batch import compares is set from the lookups (bound matter, channel, material…).
        return self._meta.model._default_manager.all() if self._meta.skip_diff else self.instance_queryset()

    def dehydrate_region_code(self, obj):
        return obj.local_matter.region.code

    def dehydrate_matter_code(self, obj):
        return obj.local_matter.matter.code


class ChecklistItemResource(BindingRows, ScopedResource):
    """材料清单: 地区编码, 事项编码, 渠道, 材料类型, 排序, 材料编码, 名称, 是否发送部平台."""

    note = "每个渠道的三张材料清单（主材料、辅助材料、申请材料），按排序显示。"
    example = ("442000", "GS0101", "柜台", "主材料", "1", "CL001", "", "是")

    sheet = "材料清单"
    key_columns = ("地区编码", "事项编码", "渠道", "材料类型", "材料编码")
    scope_perms = ("config_center.change_localmatter",)
    _channel_codes: dict | None = None  # {channel name: code}, read once per import

    region_code = fields.Field(column_name="地区编码", readonly=True)
    matter_code = fields.Field(column_name="事项编码", readonly=True)
    channel = fields.Field(
        "channel", "渠道", CodeLookupWidget(Channel.objects.all, label="渠道", shown="name")
    )
    kind = fields.Field("kind", "材料类型", ChoiceLabelWidget(KIND_LABELS, what="材料类型"))
    position = fields.Field("position", "排序", IntegerWidget(low=0, high=999, default=0))
    material = fields.Field("material", "材料编码", CodeLookupWidget(Material.objects.all, label="材料编码"))
    name = fields.Field("name", "名称", TextWidget())
    send_to_ministry = fields.Field("send_to_ministry", "是否发送部平台", YesNoWidget(default=False))

    class Meta(ScopedResource.Meta):
        model = ChecklistItem
        fields = [
            "region_code",
            "matter_code",
            "channel",
            "kind",
            "position",
            "material",
            "name",
            "send_to_ministry",
        ]
        export_order = fields

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # 渠道 may be written as 柜台 or counter: normalise to the code before lookups.
        if not kwargs.get("continuing") or self._channel_codes is None:
            self._channel_codes = channel_codes_by_name()
        if "渠道" in (dataset.headers or []):
            column = dataset.headers.index("渠道")
            names = self._channel_codes
            for index, row in enumerate(dataset):
                value = normalize.text(row[column])
                if value in names:
                    values = list(row)
                    values[column] = names[value]
                    dataset[index] = values

    def instance_queryset(self):
        return ChecklistItem.objects.select_related(
            "local_matter__region", "local_matter__matter", "channel", "material"
        )

    key_paths = (
        "local_matter__region__code",
        "local_matter__matter__code",
        "channel__code",
        "kind",
        "material__code",
    )

    def key_of_instance(self, obj):
        return (
            obj.local_matter.region.code,
            obj.local_matter.matter.code,
            obj.channel.code,
            obj.kind,
            obj.material.code,
        )

    def key_of_row(self, row):
        kind = normalize.choice(row.get("材料类型"), KIND_LABELS, what="材料类型")
        return (
            normalize.code(row.get("地区编码")),
            normalize.code(row.get("事项编码")),
            normalize.code(row.get("渠道")),
            kind,
            normalize.code(row.get("材料编码")),
        )

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")), "地区编码")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            instance.local_matter = self.local_matter_of(row)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.kind and instance.material_id and "name" not in errors:
            for finding in rules.list_findings(
                instance.kind,
                [rules.ListItem(instance.material.code, instance.name)],
                list_label=KIND_LABELS[instance.kind],
            ):
                errors.setdefault("name", []).append(finding.message.replace("第 1 行", ""))
        super().validate_instance(instance, errors, validate_unique)

    def export_queryset(self):
        return self.instance_queryset().order_by(
            "local_matter__region__code",
            "local_matter__matter__code",
            "channel__sort_order",
            "kind",
            "position",
        )


class SmsSlotResource(BindingRows, ScopedResource):
    """短信配置: 地区编码, 事项编码, 短信环节, 功能代码 (empty 功能代码: no SMS at that step)."""

    note = "各短信环节发送哪个短信模板；功能代码留空即该环节不发短信（删除该行配置）。"
    example = ("442000", "GS0101", "受理短信", "GS_SL_01")

    sheet = "短信配置"
    key_columns = ("地区编码", "事项编码", "短信环节")
    scope_perms = ("config_center.change_localmatter",)

    region_code = fields.Field(column_name="地区编码", readonly=True)
    matter_code = fields.Field(column_name="事项编码", readonly=True)
    event = fields.Field("event", "短信环节", ChoiceLabelWidget(EVENT_LABELS, what="短信环节"))
    template = fields.Field(
        "template",
        "功能代码",
        CodeLookupWidget(
            lambda: SmsTemplate.objects.select_related("category__region"),
            label="短信模板功能代码",
            key="function_code",
            blank_ok=True,
        ),
    )

    class Meta(ScopedResource.Meta):
        model = SmsSlot
        fields = ["region_code", "matter_code", "event", "template"]
        export_order = fields

    def instance_queryset(self):
        return SmsSlot.objects.select_related("local_matter__region", "local_matter__matter", "template")

    def export_queryset(self):
        # A fixed order, so the same configuration exports the same file on every database.
        return self.instance_queryset().order_by(
            "local_matter__region__code", "local_matter__matter__code", "event"
        )

    key_paths = ("local_matter__region__code", "local_matter__matter__code", "event")

    def key_of_instance(self, obj):
        return (obj.local_matter.region.code, obj.local_matter.matter.code, obj.event)

    def key_of_row(self, row):
        return (
            normalize.code(row.get("地区编码")),
            normalize.code(row.get("事项编码")),
            normalize.choice(row.get("短信环节"), EVENT_LABELS, what="短信环节"),
        )

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")), "地区编码")

    def for_delete(self, row, instance):
        return normalize.code(row.get("功能代码")) == ""

    def import_instance(self, instance, row, **kwargs):
        local = instance.local_matter = self.local_matter_of(row)
        super().import_instance(instance, row, **kwargs)
        if instance.template_id and instance.event:
            errors = services.sms_template_errors(local_matter=local, sms={instance.event: instance.template})
            if errors:
                raise ValidationError(
                    {"功能代码": [message for messages in errors.values() for message in messages]}
                )


class PrintSlotResource(BindingRows, ScopedResource):
    """打印配置: 地区编码, 事项编码, 打印事项, 模板编码, 电子印章, 验伪码 (empty 模板编码: that document is not
    printed from a template of its own)."""

    note = "各打印事项使用的模板、是否加盖电子印章、是否配置验伪码（仅业务办结单）；模板编码留空即删除。"
    example = ("442000", "GS0101", "业务办结单", "PT_BJD_01", "否", "是")

    sheet = "打印配置"
    key_columns = ("地区编码", "事项编码", "打印事项")
    scope_perms = ("config_center.change_localmatter",)
    _written: dict | None = None  # {(region code, matter code): spreadsheet row} of the slots written
    _rows: dict | None = None

    region_code = fields.Field(column_name="地区编码", readonly=True)
    matter_code = fields.Field(column_name="事项编码", readonly=True)
    document = fields.Field("document", "打印事项", ChoiceLabelWidget(DOCUMENT_LABELS, what="打印事项"))
    template = fields.Field(
        "template",
        "模板编码",
        CodeLookupWidget(
            lambda: PrintTemplate.objects.select_related("region"), label="打印模板编码", blank_ok=True
        ),
    )
    e_seal = fields.Field("e_seal", "电子印章", YesNoWidget(default=False))
    anti_forgery_code = fields.Field("anti_forgery_code", "验伪码", YesNoWidget(default=False))

    class Meta(ScopedResource.Meta):
        model = PrintSlot
        fields = ["region_code", "matter_code", "document", "template", "e_seal", "anti_forgery_code"]
        export_order = fields

    key_paths = ("local_matter__region__code", "local_matter__matter__code", "document")

    def instance_queryset(self):
        return PrintSlot.objects.select_related("local_matter__region", "local_matter__matter", "template")

    def export_queryset(self):
        return self.instance_queryset().order_by(
            "local_matter__region__code", "local_matter__matter__code", "document"
        )

    def key_of_instance(self, obj):
        return (obj.local_matter.region.code, obj.local_matter.matter.code, obj.document)

    def key_of_row(self, row):
        return (
            normalize.code(row.get("地区编码")),
            normalize.code(row.get("事项编码")),
            normalize.choice(row.get("打印事项"), DOCUMENT_LABELS, what="打印事项"),
        )

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not kwargs.get("continuing") or self._written is None:
            self._written, self._rows = {}, {}

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")), "地区编码")
        key = (normalize.code(row.get("地区编码")), normalize.code(row.get("事项编码")))
        self._rows[key] = self.spreadsheet_row(kwargs)

    def for_delete(self, row, instance):
        return normalize.code(row.get("模板编码")) == ""

    def import_instance(self, instance, row, **kwargs):
        local = instance.local_matter = self.local_matter_of(row)
        super().import_instance(instance, row, **kwargs)
        if instance.template_id is None:
            if normalize.code(row.get("模板编码")) == "":
                return  # nothing stored to remove: an empty row says "no template", as it already is
            raise ValidationError({"模板编码": ["模板编码不能为空"]})
        errors: dict[str, list[str]] = {}
        template = instance.template
        scope = rules.print_template_scope_finding(
            document=instance.document,
            document_label=DOCUMENT_LABELS.get(instance.document, instance.document),
            template_code=template.code,
            template_region=template.region.code if template.region_id else None,
            region=local.region.code,
        )
        findings = [scope] if scope else []
        facts = selectors.save_facts(
            matter=local.matter,
            values=selectors.local_matter_values(local),
            prints={instance.document: (template, instance.e_seal, instance.anti_forgery_code)},
        )
        findings += rules.print_slot_findings(facts)
        for finding in findings:
            column = "模板编码"
            if finding.field.endswith("_e_seal"):
                column = "电子印章"
            elif finding.field.endswith("_anti_forgery_code"):
                column = "验伪码"
            errors.setdefault(column, []).append(finding.message)
        if errors:
            raise ValidationError(errors)

    def bulk_save(self, instances, *, created):
        super().bulk_save(instances, created=created)
        for slot in instances:
            self._wrote(slot)

    def after_delete_instance(self, instance, row, **kwargs):
        super().after_delete_instance(instance, row, **kwargs)
        self._wrote(instance)

    def _wrote(self, slot) -> None:
        key = (slot.local_matter.region.code, slot.local_matter.matter.code)
        self._written[key] = self._rows.get(key, 0)

    def final_errors(self):
        return [*super().final_errors(), *local_matter_final_errors(self._written or {})]
