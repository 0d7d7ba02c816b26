"""变更记录: the auditors' timeline over every history table and every release, one object's versions compared,
xlsx export.

Reading only: nothing here writes, and no historical model has an admin of its own, so history rows cannot
be edited or deleted through the console (a release, the other kind of entry, is immutable anyway).
Reverting happens on simple-history's page of each model's admin, under that admin's permission hooks
(``ScopedAdminMixin``).
"""

from io import BytesIO
from itertools import islice

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import Region
from core.admin import AdminScreen
from core.replica import replica_reads
from permissions.selectors import allowed_city_codes

from .. import audit

EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=gettext_lazy("操作人（用户名）"), required=False, max_length=150)
    city = forms.ChoiceField(label=gettext_lazy("地区"), required=False)
    model = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("从"), required=False, widget=forms.DateInput({"type": "date"}, "%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("到"), required=False, widget=forms.DateInput({"type": "date"}, "%Y-%m-%d")
    )
    q = forms.CharField(label=gettext_lazy("关键字"), required=False, max_length=100)

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        everywhere = _("（全部）")
        self.fields["city"].choices = [("", everywhere), *((c.code, str(c)) for c in cities)]
        self.fields["model"].choices = [("", everywhere), *((s.key, s.verbose_name) for s in audit.sources())]
        for name in ("user", "q"):
            self.fields[name].widget.attrs["size"] = 14

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        if user_id is None:
            raise forms.ValidationError(_("没有用户名为“%(name)s”的用户。") % {"name": username})
        return user_id

    def filters(self) -> audit.AuditFilters:
        data = self.cleaned_data
        return audit.AuditFilters(
            user_id=data["user"],
            city=data["city"] or None,
            source=data["model"] or None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            text=data["q"].strip(),
        )


class AuditTimelineScreen(AdminScreen):
    """变更记录 in 系统管理: the timeline, one object's versions, the export. Its URLs keep the names and
    paths they had when the screen hung off a placeholder model (bookmarks and links stay valid)."""

    name = gettext_lazy("变更记录")
    object_name = "AuditLog"
    url_prefix = "config_center/auditlog/"
    url_name = "config_center_auditlog_changelist"
    menu_group = "system"
    menu_order = 300
    per_page = 50

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(audit.AUDIT_PERMISSION)

    def get_urls(self):
        return [
            path("", self.admin_site.admin_view(self.timeline_view), name=self.url_name),
            path(
                "export/", self.admin_site.admin_view(self.export_view), name="config_center_auditlog_export"
            ),
            path(
                "<str:source>/<int:object_id>/",
                self.admin_site.admin_view(self.object_view),
                name="config_center_auditlog_object",
            ),
        ]

    def _require(self, request) -> None:
        if not self.has_permission(request):
            raise PermissionDenied

    def _form(self, request) -> AuditFilterForm:
        cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        allowed = allowed_city_codes(request.user, [audit.AUDIT_PERMISSION])
        if allowed is not None:
            cities = cities.filter(code__in=allowed)
        data = {key: value for key, value in request.GET.items() if key in AuditFilterForm.base_fields}
        return AuditFilterForm(data, cities=list(cities))

    def _context(self, request, title: str) -> dict:
        return {**self.admin_site.each_context(request), "title": title}

    def timeline_view(self, request):
        """The merged timeline, filtered and paginated."""
        self._require(request)
        form = self._form(request)
        page = None
        if form.is_valid():
            try:
                number = int(request.GET.get("p", 1))
            except ValueError:
                number = 1
            page = audit.timeline_page(
                user=request.user, filters=form.filters(), number=number, per_page=self.per_page
            )
        links = self._links(request)
        query = request.GET.copy()
        query.pop("p", None)
        context = {
            **self._context(request, _("变更记录")),
            "form": form,
            "page": page,
            "rows": [(entry, links(entry)) for entry in page.entries] if page else [],
            "page_range": (
                Paginator(range(page.count), page.per_page).get_elided_page_range(page.number) if page else []
            ),
            "query": query.urlencode(),
            "export_limit": EXPORT_LIMIT,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/config_center/audit/timeline.html", context)

    def export_view(self, request):
        """The filtered timeline as xlsx, the same columns as the screen (from the replica, if there is one)."""
        self._require(request)
        with replica_reads():
            return self._export(request)

    def _export(self, request):
        form = self._form(request)
        if not form.is_valid():
            return HttpResponseBadRequest(
                "; ".join(str(e) for errors in form.errors.values() for e in errors)
            )
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("变更记录"))
        sheet.append(
            [
                _("时间"),
                _("操作人"),
                _("对象类型"),
                _("对象"),
                _("地区"),
                _("操作"),
                _("变更原因"),
                _("变更内容"),
            ]
        )
        entries = audit.timeline_iter(user=request.user, filters=form.filters())
        for entry in islice(entries, EXPORT_LIMIT):
            row = [
                timezone.localtime(entry.when).strftime("%Y-%m-%d %H:%M:%S"),
                entry.user or _("（系统）"),
                entry.model_label,
                entry.object_label,
                entry.region or _("全省"),
                entry.action_label,
                entry.reason,
                "\n".join(str(line) for line in [*entry.changes, *entry.facts]),
            ]
            sheet.append([audit.escape_formula(value) for value in row])
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
        return response

    def _links(self, request):
        """Where an entry's object links to: its versions here, or an event's own page in its admin (if the
        user may see that admin; asked once per table)."""
        allowed: dict[type, bool] = {}

        def link(entry: audit.Entry) -> str | None:
            if not entry.is_event:
                url = reverse(
                    f"{self.admin_site.name}:config_center_auditlog_object",
                    args=[entry.source.key, entry.object_id],
                )
                return f"{url}?b={entry.history_id}"
            model = entry.source.model
            if model not in allowed:
                model_admin = self.admin_site._registry.get(model)
                allowed[model] = model_admin is not None and model_admin.has_view_permission(request)
            if not allowed[model]:
                return None
            opts = model._meta
            try:
                return reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[entry.object_id],
                )
            except NoReverseMatch:
                return None

        return link

    def object_view(self, request, source, object_id):
        """Every version of one object; any two of them compared field by field."""
        self._require(request)
        history = audit.object_history(user=request.user, source_key=source, object_id=object_id)
        if history is None:
            raise Http404(_("没有这条变更记录，或您无权查看。"))
        versions = history.versions

        def chosen(name: str, default: audit.Entry) -> audit.Entry:
            try:
                return history.version(int(request.GET.get(name, ""))) or default
            except ValueError:
                return default

        b = chosen("b", versions[0])
        a = chosen("a", history.before(b))  # by default: what the chosen version changed
        revert_urls = self._revert_urls(request, history)
        context = {
            **self._context(request, _("变更记录：%(name)s") % {"name": versions[0].object_label}),
            "history": history,
            "versions": versions,
            "rows": [(history.number(v), v, revert_urls.get(v.history_id)) for v in versions],
            "a": a,
            "b": b,
            "a_number": history.number(a),
            "b_number": history.number(b),
            "changes": history.compare(a, b),
            "revert_urls": revert_urls,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/config_center/audit/object.html", context)

    def _revert_urls(self, request, history: audit.ObjectHistory) -> dict[int, str]:
        """Links to simple-history's revert page, where the model has one; that page checks the permission."""
        model_admin = self.admin_site._registry.get(history.source.model)
        newest = history.versions[0]
        if (
            not isinstance(model_admin, SimpleHistoryAdmin)
            or newest.action == "-"
            or not request.user.has_perm("permissions.revert_history")
            or not model_admin.has_change_history_permission(request)
        ):
            return {}
        opts = history.source.model._meta
        try:
            return {
                version.history_id: reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_simple_history",
                    args=[version.object_id, version.history_id],
                )
                for version in history.versions[1:]
            }
        except NoReverseMatch:
            return {}
