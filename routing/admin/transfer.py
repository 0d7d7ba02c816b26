"""业务受理 → 全省通办业务移交 (003 附件 4): the supervisor queries unfinished cases, picks one, chooses the
target 审核机构 from the agency tree, gives a reason and submits; the transfer is accepted as a case of its
own and the 受理回执单 opens (then 影像扫描, 初审 and 复审 as for any case)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Agency
from core.admin import AdminScreen
from core.masking import mask_id_number, mask_name

from .. import states
from ..models import Case
from ..selectors import cases_for, may_see_full_data
from ..services import CaseRefused
from ..services.transfers import TRANSFER_PERMISSION, transfer_submit

RESULTS = 50  # cases listed per query (the supervisor narrows the query rather than pages through)


class TransferQueryForm(forms.Form):
    receipt_no = forms.RegexField(label=gettext_lazy("受理回执号"), regex=r"^\d{1,16}$", required=False)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=gettext_lazy("证件号"), max_length=30, required=False)
    handling_agency = forms.CharField(label=gettext_lazy("分管机构编码"), max_length=12, required=False)


def agency_choices() -> list[tuple[str, str]]:
    """The agency tree as indented choices (parents first), for choosing the target 审核机构."""
    agencies = list(Agency.objects.filter(is_active=True).values_list("code", "name", "parent__code"))
    children: dict[str | None, list] = {}
    for code, name, parent in agencies:
        children.setdefault(parent, []).append((code, name))
    known = {code for code, _name, _parent in agencies}
    roots = [
        item for parent, items in children.items() if parent is None or parent not in known for item in items
    ]
    choices: list[tuple[str, str]] = []

    def walk(items, depth):
        for code, name in sorted(items):
            choices.append((code, f"{'　' * depth}{name}（{code}）"))
            walk(children.get(code, []), depth + 1)

    walk(roots, 0)
    return choices


class TransferForm(forms.Form):
    receipt_no = forms.RegexField(label=gettext_lazy("移交的业务"), regex=r"^\d{16}$")
    target_agency = forms.ChoiceField(label=gettext_lazy("移交至审核机构"))
    reason = forms.CharField(
        label=gettext_lazy("移交原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_agency"].choices = [("", "---------"), *agency_choices()]


class TransferScreen(AdminScreen):
    name = gettext_lazy("全省通办业务移交")
    object_name = "Transfer"
    url_prefix = "routing/transfer/"
    url_name = "routing_transfer"
    menu_group = "intake"
    menu_order = 50

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(TRANSFER_PERMISSION)

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.transfer_view), name=self.url_name)]

    def _candidates(self, user, query: TransferQueryForm):
        cases = (
            cases_for(user, TRANSFER_PERMISSION)
            .filter(status__in=states.OPEN - states.NOT_STARTED, target_case__isnull=True)
            .select_related("matter", "handling_agency", "accepting_agency")
            .order_by("-accepted_at")
        )
        data = query.cleaned_data
        if data.get("receipt_no"):
            cases = cases.filter(receipt_no__startswith=data["receipt_no"])
        if data.get("name"):
            cases = cases.filter(applicant_name=data["name"])
        if data.get("id_number"):
            cases = cases.filter(id_number=data["id_number"].upper())
        if data.get("handling_agency"):
            cases = cases.filter(handling_agency__code=data["handling_agency"])
        return list(cases[:RESULTS])

    def transfer_view(self, request):
        if not self.has_permission(request):
            raise PermissionDenied
        query = TransferQueryForm(request.GET or None)
        form = TransferForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                transfer = transfer_submit(
                    user=request.user,
                    receipt_no=form.cleaned_data["receipt_no"],
                    target_agency=form.cleaned_data["target_agency"],
                    reason=form.cleaned_data["reason"],
                )
            except CaseRefused as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            else:
                messages.success(
                    request,
                    _("已受理全省通办业务移交，受理回执号 %(no)s；请打印受理回执单，然后影像扫描。")
                    % {"no": transfer.receipt_no},
                )
                return HttpResponseRedirect(_receipt_url(transfer.receipt_no))
        rows = []
        if query.is_bound and query.is_valid() and any(query.cleaned_data.values()):
            full = may_see_full_data(request.user)
            candidates = self._candidates(request.user, query)
            under_way = set(
                Case.objects.filter(target_case__in=candidates, status__in=states.OPEN).values_list(
                    "target_case_id", flat=True
                )
            )
            for case in candidates:
                rows.append(
                    {
                        "case": case,
                        "name": case.applicant_name if full else mask_name(case.applicant_name),
                        "id_number": case.id_number if full else mask_id_number(case.id_number),
                        "status": states.STATUS_NAMES.get(case.status, case.status),
                        "transfer_open": case.pk in under_way,
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("全省通办业务移交"),
            "query": query,
            "form": form,
            "rows": rows,
            "limit": RESULTS,
        }
        return TemplateResponse(request, "admin/routing/transfer/transfer.html", context)


def _receipt_url(receipt_no: str) -> str:
    return reverse("admin:routing_case_receipt", args=[receipt_no])


SCREENS = [TransferScreen]
