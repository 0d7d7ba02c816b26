"""The forms of the 联办申请 screen: the counter's acceptance form with the joint matters ticked instead of one
matter, and the materials ticked (with a file each, optional) on the union checklist."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from catalog.models import Matter

from ..admin.counter_forms import AcceptForm
from ..services.cases import MAX_MATERIALS
from .services import MAX_MATTERS, JointRequest


class JointForm(AcceptForm):
    """Where, for whom, and which of the joint-handling matters (一件事: 000's 15)."""

    matters = forms.MultipleChoiceField(
        label=gettext_lazy("联办事项"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("勾选本次一并申请的事项；前置事项须一并勾选或已经办结。"),
        error_messages={
            "required": gettext_lazy("请至少选择一个联办事项。"),
            "invalid_choice": gettext_lazy("%(value)s 不是联办事项。"),
        },
    )

    def __init__(self, *args, accepting: frozenset[str] | None, **kwargs):
        super().__init__(*args, accepting=accepting, **kwargs)
        for name in ("matter", "advance_payment", "refuse_reason"):
            del self.fields[name]
        self.fields["matters"].choices = [
            (code, f"{code} {name}")
            for code, name in Matter.objects.filter(is_active=True, joint_handling=True)
            .order_by("code")
            .values_list("code", "name")
        ]

    def clean_matters(self):
        matters = self.cleaned_data["matters"]
        if len(matters) > MAX_MATTERS:
            raise forms.ValidationError(gettext_lazy("一次最多申请 %(n)d 个事项。") % {"n": MAX_MATTERS})
        return matters

    def joint_request(self, materials=(), uploads=None) -> JointRequest:
        accept = self.accept_request(())
        return JointRequest(
            matters=list(self.cleaned_data["matters"]),
            channel=accept.channel,
            accepting_agency=accept.accepting_agency,
            insured_agency=accept.insured_agency,
            applicant=accept.applicant,
            employer=accept.employer,
            injury_date=accept.injury_date,
            materials=list(materials),
            uploads=dict(uploads or {}),
        )

    def accept_request(self, received):
        # The counter's request needs a matter; a joint form has several: any stands in for the shared fields.
        self.cleaned_data.setdefault("matter", "")
        self.cleaned_data.setdefault("advance_payment", False)
        return super().accept_request(received)


def ticked(data, files, allowed: set[str]) -> tuple[list[str], dict, list[str]]:
    """The material codes ticked (``materials``) or given a file (``file-<code>``): (codes, uploads, foreign)."""
    codes = list(dict.fromkeys(code[:32] for code in data.getlist("materials")[:MAX_MATERIALS]))
    uploads = {}
    for key in list(files)[:MAX_MATERIALS]:
        if key.startswith("file-"):
            code = key[5:37]
            uploads[code] = files[key]
            if code not in codes:
                codes.append(code)
    foreign = [code for code in codes if code not in allowed]
    return [c for c in codes if c in allowed], {c: f for c, f in uploads.items() if c in allowed}, foreign
