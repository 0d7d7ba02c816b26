"""Spreadsheet import and export of the configuration (django-import-export resources with Chinese headers)."""

from .resources import (
    SHEETS,
    AssignmentResource,
    ChecklistItemResource,
    LocalMatterResource,
    SmsSlotResource,
    SmsTemplateResource,
)
from .workbook import ImportFileError, ImportReport, RowError, config_export, config_import, read_file

__all__ = [
    "SHEETS",
    "AssignmentResource",
    "ChecklistItemResource",
    "ImportFileError",
    "ImportReport",
    "LocalMatterResource",
    "RowError",
    "SmsSlotResource",
    "SmsTemplateResource",
    "config_export",
    "config_import",
    "read_file",
]
