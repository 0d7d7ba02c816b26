"""The 本地业务属性定义 form: the binding's own fields plus the nine SMS and nine print slots."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sms_templates.models import SmsEvent, SmsTemplate

from .. import services
from ..models import LocalMatter, PrintDocument, PrintTemplate
from ..selectors import SAVE_FIELDS


def sms_field(event: str) -> str:
    return f"sms_{event}"


def print_field(document: str, suffix: str = "") -> str:
    return f"print_{document}{'_' + suffix if suffix else ''}"


class LocalMatterFormBase(forms.ModelForm):
    class Meta:
        model = LocalMatter
        exclude = ["updated_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        for name in ("post_fee_payer", "hall_online_depth"):
            field = self.fields.get(name)
            if field is not None:
                field.choices = [
                    ("", _("（未设置）")),
                    *[choice for choice in field.choices if choice[0] != ""],
                ]
        mode = self.fields.get("distribution_mode")
        if mode is not None and instance.pk and not instance.matter.province_wide:
            mode.help_text = _("该事项在事项目录中未标记为可全省通办，只能选择本地模式。")
        if instance.pk:
            self.initial.setdefault("loaded_version", instance.version)
            sms = {slot.event: slot.template_id for slot in instance.sms_slots.all()}
            prints = {slot.document: slot for slot in instance.print_slots.all()}
            for event in SmsEvent.values:
                self.initial.setdefault(sms_field(event), sms.get(event))
            for document in PrintDocument.values:
                slot = prints.get(document)
                self.initial.setdefault(print_field(document), slot.template_id if slot else None)
                self.initial.setdefault(print_field(document, "e_seal"), slot.e_seal if slot else False)
            self.initial.setdefault(
                print_field(PrintDocument.COMPLETION, "anti_forgery"),
                bool(
                    prints.get(PrintDocument.COMPLETION)
                    and prints[PrintDocument.COMPLETION].anti_forgery_code
                ),
            )
            region_filter = Q(region__isnull=True) | Q(region_id=instance.region_id)
            for document in PrintDocument.values:
                field = self.fields.get(print_field(document))
                if field is not None:
                    field.queryset = field.queryset.filter(region_filter)
            # A city sends province-wide SMS templates and its own only (another city's is not offered).
            category_filter = Q(category__region__isnull=True) | Q(category__region_id=instance.region_id)
            for event in SmsEvent.values:
                field = self.fields.get(sms_field(event))
                if field is not None:
                    field.queryset = field.queryset.filter(category_filter)

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        matter = data.get("matter") or getattr(self.instance, "matter", None)
        if matter is None:
            return data
        values = {name: data.get(name, getattr(self.instance, name)) for name in SAVE_FIELDS}
        if self.instance.pk and data.get("loaded_version") is not None:
            changes = services.local_matter_stale_changes(
                local_matter=self.instance, loaded_version=data["loaded_version"], values=values
            )
            if changes is not None:
                self.add_error(
                    None,
                    _(
                        "在您打开本页之后，其他人保存了这项配置，您的修改没有保存。请刷新页面，在最新配置上重新修改。"
                    )
                    + ("" if not changes else _("不同之处：") + "；".join(changes)),
                )
                return data
        _sms, prints = self.slot_choices()
        errors = services.local_matter_errors(matter=matter, values=values, prints=prints)
        for field, messages in errors.items():
            field = field if field in self.fields else None
            if field and field in self.errors:
                continue  # the field's own validation already said what is wrong with it
            for message in messages:
                self.add_error(field, message)
        return data

    def slot_choices(self):
        """(sms, prints) as the slot service takes them."""
        data = self.cleaned_data
        sms = {event: data.get(sms_field(event)) for event in SmsEvent.values}
        prints = {
            document: (
                data.get(print_field(document)),
                bool(data.get(print_field(document, "e_seal"))),
                document == PrintDocument.COMPLETION
                and bool(data.get(print_field(document, "anti_forgery"))),
            )
            for document in PrintDocument.values
        }
        return sms, prints


def _slot_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for event in SmsEvent:
        fields[sms_field(event.value)] = forms.ModelChoiceField(
            queryset=SmsTemplate.objects.select_related("category").order_by("function_code"),
            required=False,
            label=event.label,
            empty_label=_("（不发送短信）"),
        )
    for document in PrintDocument:
        fields[print_field(document.value)] = forms.ModelChoiceField(
            queryset=PrintTemplate.objects.filter(document=document.value, is_active=True),
            required=False,
            label=document.label,
            empty_label=_("（不配置）"),
        )
        fields[print_field(document.value, "e_seal")] = forms.BooleanField(
            required=False, label=_("加盖电子印章")
        )
    fields[print_field(PrintDocument.COMPLETION, "anti_forgery")] = forms.BooleanField(
        required=False, label=_("配置验伪码")
    )
    return fields


LocalMatterForm = type("LocalMatterForm", (LocalMatterFormBase,), _slot_fields())
