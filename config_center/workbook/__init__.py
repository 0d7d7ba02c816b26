"""The whole configuration as one workbook: every registered sheet imported all-or-nothing, or exported."""

from .workbook import (
    ImportFileError,
    ImportReport,
    RowError,
    config_export,
    config_import,
    config_template,
    read_file,
)

__all__ = [
    "ImportFileError",
    "ImportReport",
    "RowError",
    "config_export",
    "config_import",
    "config_template",
    "read_file",
]
