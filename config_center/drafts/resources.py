"""The draft tables as spreadsheets (事项绑定, 属性配置, 材料清单, 短信配置), with the Chinese headers documented in README.md."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from catalog.models import Channel, Material, Matter, Region
from core.spreadsheets import normalize
from core.spreadsheets.resources import IMPORT_REASON
from core.spreadsheets.widgets import (
    ChoiceLabelWidget,
    CodeLookupWidget,
    CodeWidget,
    IntegerWidget,
    TextWidget,
    YesNoWidget,
)
from permissions.resources import ScopedResource
from sms_templates.models import SmsEvent, SmsTemplate

from . import codes, rules, selectors, services
from .models import ChecklistItem, ChecklistKind, LocalMatter, SmsSlot

# The short words a spreadsheet uses for these choices (the screens show the long labels).
MODE_WORDS = {codes.LOCAL: "本地模式", codes.PROVINCE: "全省模式"}
LEVEL_WORDS = {str(codes.REVIEW_LEVELS[0]): "一级", str(codes.REVIEW_LEVELS[1]): "二级"}
EVENT_LABELS = {str(key): str(label) for key, label in SmsEvent.choices}
KIND_LABELS = {str(key): str(label) for key, label in ChecklistKind.choices}


def _cities():
    return Region.objects.filter(level=Region.Level.CITY)


def _not_bound_message(region: str, matter: str) -> str:
    return _("%(region)s尚未绑定事项 %(matter)s；请先在“事项绑定”表中绑定。") % {
        "region": region,
        "matter": matter,
    }


def _channels() -> dict[str, str]:
    return dict(Channel.objects.order_by("sort_order").values_list("code", "name"))


class LocalMatterRows:
    """What every sheet of the local matter's own fields shares: a row per city × matter, in the importing
    user's scope, judged and saved by the one write path (``local_matter_errors`` / ``local_matter_save``)."""

    key_paths = ("region__code", "matter__code")

    def key_of_instance(self, obj):
        return (obj.region.code, obj.matter.code)

    def key_of_row(self, row):
        return (normalize.code(row.get("地区编码")), normalize.code(row.get("事项编码")))

    def before_import_row(self, row, **kwargs):
        self.check_region(normalize.code(row.get("地区编码")), "地区编码")

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
                if field not in errors:  # a cell that could not be read is reported once, as unreadable
                    errors[field] = messages
        super().validate_instance(instance, errors, validate_unique)

    def bulk_save(self, instances, *, created):
        services.local_matters_save_batch(
            instances, user=self.user, reason=IMPORT_REASON, created=created, fields=self.bulk_fields()
        )


class LocalMatterResource(LocalMatterRows, ScopedResource):
    """事项绑定: 地区编码, 事项编码, 分发模式, 办理时限, 业务审核级别, 状态."""

    sheet = "事项绑定"
    key_columns = ("地区编码", "事项编码")
    scope_perms = ("config_center.change_localmatter",)

    region = fields.Field("region", "地区编码", CodeLookupWidget(_cities, label="地区编码"))
    matter = fields.Field("matter", "事项编码", CodeLookupWidget(Matter.objects.all, label="事项编码"))
    distribution_mode = fields.Field(
        "distribution_mode", "分发模式", ChoiceLabelWidget(MODE_WORDS, what="分发模式"), default=codes.LOCAL
    )
    time_limit_days = fields.Field("time_limit_days", "办理时限", IntegerWidget(low=1, high=365))
    review_levels = fields.Field(
        "review_levels", "业务审核级别", ChoiceLabelWidget(LEVEL_WORDS, what="业务审核级别", coerce=int)
    )
    is_active = fields.Field("is_active", "状态", YesNoWidget(("有效", "无效"), default=True))

    class Meta(ScopedResource.Meta):
        model = LocalMatter
        fields = ["region", "matter", "distribution_mode", "time_limit_days", "review_levels", "is_active"]
        export_order = fields


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


class LocalMatterPropertiesResource(LocalMatterRows, ScopedResource):
    """属性配置: 地区编码, 事项编码, then one column per property of 本地业务属性定义 (a bound matter's row only)."""

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

    def import_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            region, matter = self.key_of_row(row)
            raise ValidationError({"事项编码": [_not_bound_message(region, matter)]})
        super().import_instance(instance, row, **kwargs)

    def dehydrate_region_code(self, obj):
        return obj.region.code

    def dehydrate_matter_code(self, obj):
        return obj.matter.code


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
            raise ValidationError({"事项编码": [_not_bound_message(region, matter)]})
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
            self._channel_codes = {name: code for code, name in _channels().items()}
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
