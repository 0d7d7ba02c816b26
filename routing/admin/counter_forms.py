"""The forms of the 业务受理 counter: the acceptance form (its 受理机构 choices scoped to the clerk), the
ticked materials, 补正, 不予受理 and the upload of scanned files."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Agency, Channel, Matter

from .. import identity
from ..services import AcceptRequest, Applicant, Employer
from ..services.cases import MAX_MATERIALS

DEFAULT_CHANNEL = "counter"  # 柜台
REASON_MAX = 300  # Case.refusal_reason
CHECKLIST_MAX = MAX_MATERIALS * 33  # the codes of the checklist shown, comma-separated (hidden field)

# CaseRefused.field → the form field it is about.
SERVICE_FIELDS = {"reason": "refuse_reason", "files": "files"}


def agency_label(agency: Agency) -> str:
    return f"{agency.code} {agency.name}"


class AcceptForm(forms.Form):
    """受理: where, what, for whom. Choices come from the catalog; 受理机构 only where the clerk holds 受理."""

    accepting_agency = forms.ChoiceField(
        label=gettext_lazy("受理机构"),
        error_messages={"invalid_choice": gettext_lazy("您没有在机构 %(value)s 受理业务的权限。")},
    )
    channel = forms.ChoiceField(label=gettext_lazy("渠道"), initial=DEFAULT_CHANNEL)
    matter = forms.ChoiceField(label=gettext_lazy("业务事项"))
    insured_agency = forms.ChoiceField(
        label=gettext_lazy("参保地经办机构"),
        help_text=gettext_lazy("申请人参保关系所在的经办机构：输入机构编码或名称查找。"),
        # A text box with the agencies as suggestions (a datalist): found by code or by name.
        widget=forms.TextInput(
            {"list": "insured-agencies", "maxlength": 12, "size": 14, "autocomplete": "off"}
        ),
        error_messages={"invalid_choice": gettext_lazy("没有编码为 %(value)s 的经办机构。")},
    )
    injury_date = forms.DateField(
        label=gettext_lazy("工伤发生日期"),
        required=False,
        widget=forms.DateInput({"type": "date"}, "%Y-%m-%d"),
        help_text=gettext_lazy("异地受理只适用于 2019 年 7 月 1 日（含）以后发生的工伤；不填按今天计。"),
    )
    advance_payment = forms.BooleanField(label=gettext_lazy("涉及先行支付"), required=False)
    applicant_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    id_type = forms.ChoiceField(
        label=gettext_lazy("证件类型"), choices=list(identity.ID_TYPES.items()), initial=identity.ID_CARD
    )
    id_number = forms.CharField(label=gettext_lazy("证件号码"), max_length=30)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    contact = forms.CharField(label=gettext_lazy("联系人"), max_length=50, required=False)
    employer_code = forms.CharField(label=gettext_lazy("单位管理码"), max_length=30, required=False)
    employer_name = forms.CharField(label=gettext_lazy("单位名称"), max_length=100, required=False)
    refuse_reason = forms.CharField(
        label=gettext_lazy("不予受理原因"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea({"rows": 2, "cols": 60}),
    )
    checklist = forms.CharField(max_length=CHECKLIST_MAX, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, accepting: frozenset[str] | None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(Agency.objects.filter(is_active=True).order_by("code").only("code", "name"))
        own = [a for a in agencies if accepting is None or a.code in accepting]
        self.fields["accepting_agency"].choices = [(a.code, agency_label(a)) for a in own]
        if len(own) == 1:
            self.fields["accepting_agency"].initial = own[0].code
        self.fields["insured_agency"].choices = [(a.code, a.name) for a in agencies]
        self.insured_options = self.fields["insured_agency"].choices
        self.fields["channel"].choices = list(
            Channel.objects.filter(is_active=True).order_by("sort_order", "code").values_list("code", "name")
        )
        self.fields["matter"].choices = [("", "---------")] + [
            (code, f"{code} {name}")
            for code, name in Matter.objects.filter(is_active=True)
            .order_by("code")
            .values_list("code", "name")
        ]
        for name in ("applicant_name", "id_number", "phone", "contact", "employer_code"):
            self.fields[name].widget.attrs["size"] = 20
        self.fields["employer_name"].widget.attrs["size"] = 36

    def clean(self):
        data = super().clean()
        # The same GB 11643 rule the service applies, said on the field before anything is routed.
        if data.get("id_type") and data.get("id_number"):
            problem = identity.id_number_problem(data["id_type"], data["id_number"])
            if problem:
                self.add_error("id_number", problem)
        return data

    def accept_request(self, received) -> AcceptRequest:
        data = self.cleaned_data
        return AcceptRequest(
            matter=data["matter"],
            channel=data["channel"],
            accepting_agency=data["accepting_agency"],
            insured_agency=data["insured_agency"],
            applicant=Applicant(
                name=data["applicant_name"].strip(),
                id_type=data["id_type"],
                id_number=data["id_number"].strip(),
                phone=data["phone"].strip(),
                contact=data["contact"].strip(),
            ),
            employer=Employer(code=data["employer_code"].strip(), name=data["employer_name"].strip()),
            injury_date=data["injury_date"],
            advance_payment=data["advance_payment"],
            received=tuple(received),
        )

    def add_refusal(self, refused) -> bool:
        """Put a service refusal on the field it names; False when it names none of this form's fields."""
        name = SERVICE_FIELDS.get(refused.field, refused.field)
        if name in self.fields:
            self.add_error(name, refused.message)
            return True
        return False


def ticked_codes(data, allowed: set[str]) -> tuple[list[str], list[str]]:
    """The material codes ticked in a POST (``materials``), in the order given: (known, foreign)."""
    codes = list(dict.fromkeys(code[:32] for code in data.getlist("materials")[:MAX_MATERIALS]))
    return [c for c in codes if c in allowed], [c for c in codes if c not in allowed]


class ReasonForm(forms.Form):
    """不予受理 of a case waiting for 补正: the reason is required (it is printed on the notice)."""

    refuse_reason = forms.CharField(
        label=gettext_lazy("不予受理原因"),
        max_length=REASON_MAX,
        widget=forms.Textarea({"rows": 2, "cols": 60}),
        error_messages={"required": gettext_lazy("请填写不予受理的原因。")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); the content is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput({"accept": ".jpg,.jpeg,.png,.tif,.tiff,.pdf", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("影像文件"),
        required=False,
        help_text=gettext_lazy("JPG、PNG、TIFF 图片或 PDF，可一次选择多个文件。"),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if any(upload is None for upload in files):
            raise forms.ValidationError(_("请重新选择文件。"))
        return files
