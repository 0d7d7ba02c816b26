from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin
from core.spreadsheets.resources import SpreadsheetMixin


class CatalogAdmin(HistoryPermissionMixin, SimpleHistoryAdmin):
    """Shared behaviour of the catalog screens: 系统管理 menu, history, a sane page size."""


class CatalogSheetAdmin(SpreadsheetMixin, CatalogAdmin):
    """A catalog screen with its sheet (导入 with the preview, 导出): province-wide staff only (the resource)."""

    menu_group = "system"
    list_per_page = 50
    show_full_result_count = False
