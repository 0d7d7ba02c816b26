"""What the workbook contributes: the 配置工作簿 screen."""

from core.registry import registry

from .screens import WorkbookScreen

registry.admin_screen(WorkbookScreen)
