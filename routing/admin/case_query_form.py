"""The conditions of 业务状态查询 (003 附件 4), each checked: lengths, formats, codes that exist. An agency or
region a user may not query is not refused here: the search stays inside the user's scope, so it selects
only the cases of that scope (a city's clerk may look for the remote cases another city accepted for it)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Agency, Channel, Region

from .. import deadlines
from ..models import STATUS_CHOICES, ArchiveStatus, Evaluation, ScanStatus
from ..search import MATTERS_PER_NAME, CaseFilters, matters_named

EVERYTHING = ("", gettext_lazy("（全部）"))
# 预置状态: the 预警 of annex 4's result list (正常 / 临期 / 超期), offered as a preset over the open cases.
WARNING_CHOICES = [(code, gettext_lazy(name)) for code, name in deadlines.WARNING_NAMES.items()]

_digits16 = RegexValidator(r"^[0-9]{16}$", gettext_lazy("应为 16 位数字。"))
_code = RegexValidator(r"^[0-9A-Za-z-]+$", gettext_lazy("只能包含字母、数字和“-”。"))
_id_number = RegexValidator(r"^[0-9A-Za-z()（）-]+$", gettext_lazy("只能包含字母、数字、括号和“-”。"))
_date = {"widget": forms.DateInput({"type": "date"}, "%Y-%m-%d"), "required": False}


def _text(label, max_length: int, *validators, size: int = 14) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        validators=list(validators),
        widget=forms.TextInput({"size": size, "placeholder": _placeholder(label)}),
    )


def _placeholder(label):
    return format_lazy("{}{}", gettext_lazy("请输入"), label)


class QuickSelect(forms.Select):
    """A select written in Python: the screen has about 150 options, and Django's per-option templates cost
    tens of milliseconds a page (more than the query)."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (code, mark_safe(" selected") if str(code) in chosen else "", label)
                for code, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def _choice(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[EVERYTHING, *choices], widget=QuickSelect)


class CaseQueryForm(forms.Form):
    """GET parameters of the query screen and its export; ``filters()`` once valid."""

    receipt_no = _text(gettext_lazy("受理回执号"), 16, _digits16, size=18)
    serial_no = _text(gettext_lazy("业务流水号"), 24, _code, size=22)
    person_code = _text(gettext_lazy("个人管理码"), 30, _code)
    matter = _text(gettext_lazy("业务名称"), 100)
    id_number = _text(gettext_lazy("证件号"), 30, _id_number, size=20)
    name = _text(gettext_lazy("姓名"), 50, size=10)
    employer_code = _text(gettext_lazy("单位管理码"), 30, _code)
    accepting_agency = _choice(gettext_lazy("受理机构"), [])
    channel = _choice(gettext_lazy("数据来源"), [])
    accepted_from = forms.DateField(label=gettext_lazy("受理开始"), **_date)
    accepted_to = forms.DateField(label=gettext_lazy("受理结束"), **_date)
    archive_status = _choice(gettext_lazy("建档状态"), ArchiveStatus.choices)
    status = _choice(gettext_lazy("流程状态"), STATUS_CHOICES)
    accepting_region = _choice(gettext_lazy("受理区域"), [])
    handling_region = _choice(gettext_lazy("分管区域"), [])
    scan_status = _choice(gettext_lazy("影像状态"), ScanStatus.choices)
    handling_agency = _choice(gettext_lazy("分管机构"), [])
    evaluation = _choice(gettext_lazy("终端设备评价"), Evaluation.choices)
    warning = _choice(gettext_lazy("预置状态"), WARNING_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The reference lists, one query each: agencies and regions by code (a county agency's region is
        # its city for cases, so only the province and the cities are regions a case is counted in).
        agencies = [
            (a.code, f"{a.name}（{a.code}）") for a in Agency.objects.order_by("code").only("code", "name")
        ]
        regions = [
            (r.code, f"{r.name}（{r.code}）")
            for r in Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.CITY])
            .order_by("code")
            .only("code", "name")
        ]
        channels = [(c.code, c.name) for c in Channel.objects.only("code", "name")]
        for name, choices in (
            ("accepting_agency", agencies),
            ("handling_agency", agencies),
            ("accepting_region", regions),
            ("handling_region", regions),
            ("channel", channels),
        ):
            self.fields[name].choices = [EVERYTHING, *choices]

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].strip().upper()

    def clean_matter(self) -> tuple[int, ...]:
        text = self.cleaned_data["matter"].strip()
        if not text:
            return ()
        found = matters_named(text)
        if not found:
            raise forms.ValidationError(_("没有名称或编码为“%(text)s”的业务事项。") % {"text": text})
        if len(found) > MATTERS_PER_NAME:
            raise forms.ValidationError(
                _("“%(text)s”对应的业务事项超过 %(limit)s 个，请输入更完整的业务名称或事项编码。")
                % {"text": text, "limit": MATTERS_PER_NAME}
            )
        return tuple(found)

    def clean(self):
        data = super().clean()
        start, end = data.get("accepted_from"), data.get("accepted_to")
        if start and end and end < start:
            self.add_error("accepted_to", _("不能早于受理开始日期。"))
        return data

    def filters(self) -> CaseFilters:
        data = dict(self.cleaned_data)
        data["matter_ids"] = data.pop("matter")
        for key in ("receipt_no", "serial_no", "person_code", "employer_code"):
            data[key] = data[key].strip()
        return CaseFilters(**data)
