"""业务状态查询 (003 附件 4): the query screen with the annex's conditions and result columns, its xlsx export,
a case's 详情 and its 追踪. Everything is read through ``search.case_search`` / ``selectors.case_for``, i.e. in
the user's scope: a case outside it is "not found"."""

from __future__ import annotations

import re
import tempfile
from math import ceil

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AdminScreen
from core.replica import replica_reads

from ..search import COUNT_CAP, RELATED, CaseFilters, WarningBounds, case_count, case_search
from ..selectors import QUERY_PERMISSION, case_for
from .case_detail import detail_context, trace_context
from .case_export import EXPORT_LIMIT, write_cases
from .case_query_form import CaseQueryForm
from .case_rows import CasePresenter

PER_PAGE = 50
MAX_PAGES = ceil(COUNT_CAP / PER_PAGE)  # offset pagination, bounded: narrow the conditions to go further
RECEIPT_PATTERN = "<str:receipt_no>"
RECEIPT = re.compile(r"[0-9]{16}")


class CaseQueryScreen(AdminScreen):
    name = gettext_lazy("业务状态查询")
    object_name = "CaseQuery"
    url_prefix = "routing/cases/"
    url_name = "routing_cases"
    menu_group = "status"
    menu_order = 100

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or user.has_perm(QUERY_PERMISSION))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.list_view), name=self.url_name),
            path("export/", view(self.export_view), name="routing_cases_export"),
            path(f"{RECEIPT_PATTERN}/", view(self.detail_view), name="routing_case_detail"),
            path(f"{RECEIPT_PATTERN}/trace/", view(self.trace_view), name="routing_case_trace"),
        ]

    # ---- helpers ------------------------------------------------------------------------------------------
    def _require(self, request) -> None:
        if not self.has_permission(request):
            raise PermissionDenied

    def _form(self, request) -> CaseQueryForm:
        data = {key: request.GET[key] for key in CaseQueryForm.base_fields if key in request.GET}
        return CaseQueryForm(data)

    def _presenter(self, request) -> CasePresenter:
        return CasePresenter(request, self.admin_site.name)

    def _search(self, request, filters: CaseFilters, presenter: CasePresenter):
        bounds = WarningBounds.on(presenter.today, presenter.calendar) if filters.warning else None
        return case_search(request.user, filters, bounds=bounds)

    def _render(self, request, template: str, title: str, context: dict):
        request.current_app = self.admin_site.name
        context = {**self.admin_site.each_context(request), "title": title, **context}
        return TemplateResponse(request, f"admin/routing/cases/{template}", context)

    @staticmethod
    def _page_number(request) -> int:
        try:
            return max(1, int(request.GET.get("p", "1")))
        except ValueError:
            return 1

    # ---- views --------------------------------------------------------------------------------------------
    def list_view(self, request):
        """The conditions, then one page of the cases they select (count capped, pages bounded); read from the
        replica when there is one (rendered there too: the page's reads end with it)."""
        self._require(request)
        with replica_reads():
            return self._list(request).render()

    def _list(self, request):
        form = self._form(request)
        presenter = self._presenter(request)
        context = {"form": form, "export_limit": EXPORT_LIMIT, "full_data": presenter.full_data}
        if form.is_valid():
            filters = form.filters()
            cases = self._search(request, filters, presenter)
            count = case_count(cases, filters)
            pages = max(1, min(ceil(count.value / PER_PAGE), MAX_PAGES))
            wanted = self._page_number(request)
            number = min(wanted, pages)
            start = (number - 1) * PER_PAGE
            rows = [presenter.row(case) for case in cases.select_related(*RELATED)[start : start + PER_PAGE]]
            query = request.GET.copy()
            query.pop("p", None)
            context.update(
                rows=rows,
                count=count,
                page=number,
                pages=pages,
                clamped=wanted > number and pages == MAX_PAGES,  # the bound, not the end of the list
                page_links=_page_links(number, pages),
                query=query.urlencode(),
            )
        return self._render(request, "list.html", _("业务状态查询"), context)

    def export_view(self, request):
        """The selected cases as xlsx, masked as on the screen; 400 with the reasons for bad conditions. Read
        from the replica when there is one."""
        self._require(request)
        with replica_reads():
            return self._export(request)

    def _export(self, request):
        form = self._form(request)
        if not form.is_valid():
            reasons = "; ".join(
                f"{form.fields[name].label if name in form.fields else ''}：{error}"
                for name, errors in form.errors.items()
                for error in errors
            )
            return HttpResponseBadRequest(reasons, content_type="text/plain; charset=utf-8")
        presenter = self._presenter(request)
        cases = self._search(request, form.filters(), presenter)
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # removed once the response has closed it
        write_cases(handle.name, cases, presenter, _conditions(form))
        name = f"业务状态查询-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
        return FileResponse(open(handle.name, "rb"), as_attachment=True, filename=name)

    def _case(self, request, receipt_no: str):
        if not RECEIPT.fullmatch(receipt_no):
            raise Http404(_("没有这笔业务，或您无权查看。"))
        case = case_for(request.user, receipt_no)
        if case is None:
            raise Http404(_("没有这笔业务，或您无权查看。"))
        return case

    def detail_view(self, request, receipt_no: str):
        """详情: every field of the case, its materials, files, tasks and latest 追踪 entries."""
        self._require(request)
        case = self._case(request, receipt_no)
        presenter = self._presenter(request)
        context = detail_context(case, presenter)
        return self._render(request, "detail.html", _("业务详情：%(no)s") % {"no": case.receipt_no}, context)

    def trace_view(self, request, receipt_no: str):
        """追踪: every recorded step of the case, oldest first."""
        self._require(request)
        case = self._case(request, receipt_no)
        presenter = self._presenter(request)
        context = trace_context(case, presenter)
        return self._render(request, "trace.html", _("业务追踪：%(no)s") % {"no": case.receipt_no}, context)


def _page_links(number: int, pages: int) -> list[int | None]:
    """Page numbers around the current one, the first and the last (None: a gap)."""
    last = pages
    shown = sorted({1, last, *range(max(1, number - 3), min(last, number + 3) + 1)})
    links: list[int | None] = []
    for value in shown:
        if links and value - (links[-1] or 0) > 1:
            links.append(None)
        links.append(value)
    return links


def _conditions(form: CaseQueryForm) -> list[tuple[str, str]]:
    """The conditions as the user gave them (for the export's 查询条件 sheet)."""
    lines = []
    for name, field in form.fields.items():
        raw = form.data.get(name, "")
        if not raw:
            continue
        choices = dict(getattr(field, "choices", []) or [])
        lines.append((str(field.label), str(choices.get(raw, raw))))
    return lines or [("条件", "（无）")]


SCREENS = [CaseQueryScreen]
