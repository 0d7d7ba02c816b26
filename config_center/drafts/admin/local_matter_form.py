"""The 本地业务属性定义 form: the binding's own fields plus the nine SMS and nine print slots."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sms_templates.models import SmsEvent, SmsTemplate

from .. import rules
from ..models import LocalMatter, PrintDocument, PrintTemplate


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

    def _print_slot_facts(self, data) -> list[rules.PrintSlotFacts]:
        facts = []
        for document in PrintDocument:
            template = data.get(print_field(document.value))
            if template is None:
                continue
            facts.append(
                rules.PrintSlotFacts(
                    document=document.value,
                    document_label=str(document.label),
                    template_code=template.code,
                    template_document=template.document,
                    template_active=template.is_active,
                    e_seal=bool(data.get(print_field(document.value, "e_seal"))),
                    anti_forgery_code=document == PrintDocument.COMPLETION
                    and bool(data.get(print_field(document.value, "anti_forgery"))),
                )
            )
        return facts

    def clean(self):
        data = super().clean()
        matter = data.get("matter") or getattr(self.instance, "matter", None)
        if matter is None:
            return data
        facts = rules.LocalMatterFacts(
            matter_code=matter.code,
            matter_name=matter.name,
            matter_active=matter.is_active,
            province_wide_eligible=matter.province_wide,
            distribution_mode=data.get("distribution_mode", ""),
            flow_mode=data.get("flow_mode", ""),
            review_levels=data.get("review_levels") or 0,
            time_limit_days=data.get("time_limit_days") or 0,
            post_enabled=data.get("post_enabled", False),
            post_fee_payer=data.get("post_fee_payer", ""),
            hall_listed=data.get("hall_listed", False),
            hall_item_code=data.get("hall_item_code", ""),
            e_seal_enabled=data.get("e_seal_enabled", False),
            e_seal_code=data.get("e_seal_code", ""),
            print_slots=self._print_slot_facts(data),
        )
        findings = [
            *rules.distribution_mode_findings(
                facts.distribution_mode,
                province_wide_eligible=facts.province_wide_eligible,
                matter_name=matter.name,
            ),
            *(
                rules.flow_findings(
                    flow_mode=facts.flow_mode,
                    review_levels=facts.review_levels,
                    time_limit_days=facts.time_limit_days,
                )
                if "time_limit_days" in data
                else []
            ),
            *rules.property_findings(facts),
            *rules.print_slot_findings(facts),
        ]
        for finding in findings:
            if finding.severity != rules.ERROR:
                continue
            field = finding.field if finding.field in self.fields else None
            if field and field in self.errors:
                continue
            self.add_error(field, finding.message)
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
