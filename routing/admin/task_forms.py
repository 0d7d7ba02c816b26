"""The forms of 任务列表: 指定获取 by 受理回执号, and the review's outcome with its opinion."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ..models import TaskLevel
from ..services.tasks import PASS, REJECT

OPINION_MAX = 500
RECEIPT_NO = RegexValidator(r"^\d{16}$", _("受理回执号为 16 位数字。"))


class AcquireForm(forms.Form):
    """随机获取 (no receipt number) or 指定获取 (with one) of a task at one level."""

    level = forms.TypedChoiceField(choices=TaskLevel.choices, coerce=int, widget=forms.HiddenInput)
    receipt_no = forms.CharField(
        label=_("受理回执号"), max_length=16, required=False, strip=True, validators=[RECEIPT_NO]
    )

    def __init__(self, *args, assigned: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.assigned = assigned
        self.fields["receipt_no"].widget.attrs.update(
            {"size": 18, "inputmode": "numeric", "autocomplete": "off", "placeholder": _("16 位受理回执号")}
        )

    def clean_receipt_no(self):
        receipt_no = self.cleaned_data["receipt_no"]
        if self.assigned and not receipt_no:
            raise forms.ValidationError(_("请填写要获取的受理回执号。"))
        return receipt_no if self.assigned else ""


class ReviewForm(forms.Form):
    """审核: 通过 / 不通过, with an opinion (required for 不通过)."""

    outcome = forms.ChoiceField(
        label=_("审核结果"), choices=[(PASS, _("通过")), (REJECT, _("不通过"))], widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label=_("审核意见"),
        max_length=OPINION_MAX,
        required=False,
        widget=forms.Textarea({"rows": 4, "cols": 60}),
        help_text=_("审核不通过须填写审核意见；不超过 500 字。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == REJECT and not (data.get("opinion") or "").strip():
            self.add_error("opinion", _("审核不通过须填写审核意见。"))
        return data
