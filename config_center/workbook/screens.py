"""配置工作簿 in 系统管理: the template workbook, the whole configuration exported, and a workbook imported
all-or-nothing with a check first (检查 writes nothing) — the admin's way to what ``import_config`` does."""

import dataclasses
import tempfile
from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import AdminScreen
from core.spreadsheets.reading import ADMIN_MAX_ROWS, ImportFileError, Limits, megabytes, read_path
from permissions.selectors import allowed_city_codes

from .workbook import config_export, config_import, config_template

# Who may use the screen: anyone who may change a table some sheet writes (each row is then checked
# against the user's scope by its sheet).
IMPORT_PERMISSIONS = (
    "config_center.change_localmatter",
    "sms_templates.change_smstemplate",
    "permissions.change_assignment",
    "catalog.change_matter",
)
# The whole export holds every city's configuration: province-wide readers only (a city's administrators
# export their own rows from each list, which is scoped).
EXPORT_PERMISSION = "config_center.view_localmatter"


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("工作簿（.xlsx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError(_("请上传 .xlsx 工作簿（单个表可在各列表页以 csv 导入）。"))
        limit = Limits.from_settings().max_file_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件有 %(size)s，超过 %(limit)s 的上限；请分成几个文件导入。")
                % {"size": megabytes(upload.size), "limit": megabytes(limit)}
            )
        return upload


class WorkbookScreen(AdminScreen):
    name = gettext_lazy("配置工作簿")
    object_name = "Workbook"
    url_prefix = "config_center/workbook/"
    url_name = "config_center_workbook"
    menu_group = "system"
    menu_order = 250

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and any(user.has_perm(perm) for perm in IMPORT_PERMISSIONS)

    def may_export(self, request) -> bool:
        return allowed_city_codes(request.user, [EXPORT_PERMISSION]) is None

    def get_urls(self):
        return [
            path("", self.admin_site.admin_view(self.index_view), name=self.url_name),
            path(
                "template/",
                self.admin_site.admin_view(self.template_view),
                name="config_center_workbook_template",
            ),
            path(
                "export/", self.admin_site.admin_view(self.export_view), name="config_center_workbook_export"
            ),
        ]

    def _require(self, request) -> None:
        if not self.has_permission(request):
            raise PermissionDenied

    def index_view(self, request):
        self._require(request)
        report = None
        form = WorkbookUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dry_run = "import" not in request.POST
            report = self._import(form, request.user, dry_run=dry_run)
        context = {
            **self.admin_site.each_context(request),
            "title": _("配置工作簿"),
            "form": form,
            "report": report,
            "may_export": self.may_export(request),
            "max_rows": ADMIN_MAX_ROWS,
        }
        return TemplateResponse(request, "admin/config_center/workbook/index.html", context)

    @staticmethod
    def _import(form, user, *, dry_run: bool):
        upload = form.cleaned_data["file"]
        limits = dataclasses.replace(
            Limits.from_settings(), max_rows=min(Limits.from_settings().max_rows, ADMIN_MAX_ROWS)
        )
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                sheets = read_path(Path(handle.name), limits)
            except ImportFileError as error:
                form.add_error("file", str(error))
                return None
            return config_import(sheets, user=user, dry_run=dry_run)

    def template_view(self, request):
        self._require(request)
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # closed (and removed) by the response
        config_template(Path(handle.name))
        return FileResponse(open(handle.name, "rb"), as_attachment=True, filename="配置导入模板.xlsx")

    def export_view(self, request):
        self._require(request)
        if not self.may_export(request):
            raise PermissionDenied
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # removed once the response has it open
        [written] = config_export(Path(handle.name))
        name = f"配置导出-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
        return FileResponse(open(written, "rb"), as_attachment=True, filename=name)
