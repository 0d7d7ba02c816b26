from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin


class CatalogAdmin(HistoryPermissionMixin, SimpleHistoryAdmin):
    """Shared behaviour of the catalog screens: 系统管理 menu, history, a sane page size."""

    menu_group = "system"
    list_per_page = 50
    show_full_result_count = False
