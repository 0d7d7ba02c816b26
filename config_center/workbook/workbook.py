"""Import and export of the whole configuration: one workbook (a sheet per table) or one csv per table.

The sheets are those the apps contribute (``core.registry``), imported in their declared order (what a
sheet refers to first). Everything is imported in ONE transaction: any error in any row of any sheet and nothing is written;
the user gets every error at once (up to ``MAX_ERRORS``), each with sheet, row number (as the spreadsheet
shows it), column and a Chinese message. Files are read within ``settings.IMPORT_LIMITS`` and imported in
batches (``core.spreadsheets.reading``), so memory does not grow with the file.
"""

import csv
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from core.registry import registry
from core.spreadsheets.reading import ImportFileError, SheetReader, dataset_sheet, read_path, shown

MESSAGE_CHARS = 300  # an error message repeats at most this much of what it read


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # the spreadsheet row number (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第 {self.row} 行" if self.row else self.sheet
        return f"{where}{'「' + self.column + '」' if self.column else ''}：{self.message}"


@dataclass
class ImportReport:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    truncated: bool = False  # more errors were found than are listed (MAX_ERRORS)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


BATCH_ROWS = 2_000  # rows handed to django-import-export at a time: memory stays flat with the file's size
MAX_ERRORS = 1_000  # errors reported at most; an import with more stops there (nothing is written anyway)


def read_file(path: Path) -> dict[str, SheetReader]:
    """{sheet name: reader} of an .xlsx workbook, one .csv or a directory of csv, within the import limits."""
    return read_path(Path(path))


def _message(error) -> str:
    return shown(error, MESSAGE_CHARS)


def _errors_of(resource, result, numbers: list[int]) -> list[RowError]:
    """The batch's errors with each row's number as the spreadsheet shows it."""
    found = []
    for row_number, errors in result.row_errors():
        for error in errors:
            found.append(RowError(resource.sheet, numbers[row_number - 1], "", _message(error.error)))
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            column = "" if key == NON_FIELD_ERRORS else resource.column_of(key)
            for message in messages:
                found.append(RowError(resource.sheet, numbers[invalid.number - 1], column, _message(message)))
    for error in result.base_errors:
        found.append(RowError(resource.sheet, 0, "", _message(error.error)))
    return found


def _duplicate_errors(resource, dataset, numbers: list[int], seen: dict, interned: dict) -> list[RowError]:
    """Identical repeated rows are harmless; the same key with different values is ambiguous: report it.
    ``seen`` carries the keys of earlier batches of the sheet, ``interned`` one copy of each key part."""
    found = []
    headers = dataset.headers or []
    for number, values in zip(numbers, dataset, strict=True):
        row = dict(zip(headers, values, strict=False))
        try:
            key = resource.key_of_row(row)
        except (ValueError, AttributeError):
            continue  # the row's own errors are reported by the import
        key = tuple(interned.setdefault(part, part) for part in key)  # a province repeats its codes a lot
        cleaned = hash(tuple(str(value).strip() for value in values))
        if key in seen and seen[key][1] != cleaned:
            found.append(
                RowError(resource.sheet, number, "", f"与第 {seen[key][0]} 行是同一条记录，但内容不同")
            )
        seen.setdefault(key, (number, cleaned))
    return found


def _import_sheet(resource, reader: SheetReader, report: ImportReport) -> None:
    totals: Counter = Counter()
    seen: dict = {}
    interned: dict = {}
    try:
        for index, (dataset, numbers) in enumerate(reader.batches(BATCH_ROWS)):
            # The import's one transaction (``config_import``) holds every sheet. A batched sheet needs no
            # savepoints of the library's (each batch written has its own, ``ConsoleResource._flush``); a sheet
            # saved row by row keeps one per row, so a row the database refuses is that row's error.
            result = resource.import_data(
                dataset,
                dry_run=False,
                raise_errors=False,
                use_transactions=not resource._meta.use_bulk,
                continuing=index > 0,
                defer_final_checks=True,  # judged once every sheet is written (``_final_errors``)
                row_numbers=numbers,
            )
            report.errors.extend(_duplicate_errors(resource, dataset, numbers, seen, interned))
            report.errors.extend(_errors_of(resource, result, numbers))
            totals.update(result.totals)
            if result.base_errors or len(report.errors) >= MAX_ERRORS:
                break
    except ImportFileError as error:
        report.errors.append(RowError(resource.sheet, 0, "", str(error)))
    except Exception as error:  # a sheet-level problem (missing columns): report, do not crash
        messages = getattr(error, "messages", None) or [str(error)]
        report.errors.append(RowError(resource.sheet, 0, "", _message("；".join(messages))))
    report.errors.extend(RowError(reader.name, p.row, p.column, p.message) for p in reader.problems)
    report.counts[resource.sheet] = {
        "新增": totals.get("new", 0),
        "修改": totals.get("update", 0),
        "删除": totals.get("delete", 0),
        "未变": totals.get("skip", 0),
    }


def _final_errors(resources: list) -> list[RowError]:
    """The rules between rows and sheets (``ConsoleResource.final_errors``) on what every sheet wrote; a
    rule two sheets both ask about is reported once."""
    found: dict[tuple, RowError] = {}
    for resource in resources:
        for row, column, message in resource.final_errors():
            found.setdefault((row, column, message), RowError(resource.sheet, row, column, _message(message)))
    return list(found.values())


def config_import(
    sheets: Mapping[str, SheetReader | tablib.Dataset], *, user=None, dry_run: bool = False
) -> ImportReport:
    """Import every known sheet in dependency order, in batches, all or nothing."""
    report = ImportReport(dry_run=dry_run)
    known = [sheet.name for sheet in registry.sheets]
    for name in sheets:
        if name == NOTES_SHEET:
            continue  # the template's own explanations, not data
        if name not in known:
            report.errors.append(
                RowError(shown(name), 0, "", f"无法识别的工作表；可用的表：{'、'.join(known)}")
            )
    readers = {
        name: sheet if isinstance(sheet, SheetReader) else dataset_sheet(name, sheet)
        for name, sheet in sheets.items()
        if name in known
    }
    with transaction.atomic():
        imported = []
        for sheet in registry.sheets:
            reader = readers.get(sheet.name)
            if reader is not None and len(report.errors) < MAX_ERRORS:
                resource = sheet.resource(user=user)
                _import_sheet(resource, reader, report)
                imported.append(resource)
        if not report.errors:
            report.errors.extend(_final_errors(imported))
        if len(report.errors) >= MAX_ERRORS:
            report.truncated = True
            del report.errors[MAX_ERRORS:]
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _write_xlsx(target: Path, sheets: list[tuple[str, list[str], Iterator[tuple]]]) -> None:
    """XlsxWriter in constant memory: each row is written and forgotten (text stays text, never a formula)."""
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(target), options) as book:
        for title, headers, rows in sheets:
            sheet = book.add_worksheet(title)
            sheet.write_row(0, 0, headers)
            for number, row in enumerate(rows, start=1):
                sheet.write_row(number, 0, row)


def _write_csv(path: Path, headers: list[str], rows: Iterator[tuple]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def config_export(target: Path) -> list[Path]:
    """Write every table: an .xlsx workbook (one sheet per table) or, for a directory, one csv per table.
    Rows stream from the database to the file (``ConsoleResource.export_rows``): memory does not grow with them."""
    target = Path(target)
    sheets = [
        (resource.sheet, *resource.export_rows()) for resource in (s.resource() for s in registry.sheets)
    ]
    if target.suffix.lower() == ".xlsx":
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_xlsx(target, sheets)
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for title, headers, rows in sheets:
        path = target / f"{title}.csv"
        _write_csv(path, headers, rows)
        written.append(path)
    return written


NOTES_SHEET = "说明"


def config_template(target: Path) -> Path:
    """The template workbook: every sheet with its headers and one example row, and a 说明 sheet that says
    what each sheet is for and what each column takes (read off the columns themselves)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    resources = [sheet.resource() for sheet in registry.sheets]
    notes = [("工作表", "列", "说明")]
    notes.append(
        (
            "（全部）",
            "",
            "导入时按本说明的顺序处理各表，全部成功才写入；任一行有错，整个文件都不写入，并列出每个错误的表、行、列。",
        )
    )
    for resource in resources:
        notes.append((resource.sheet, "", resource.note))
        notes.extend((resource.sheet, column, note) for column, note in resource.column_notes())
    sheets = [(NOTES_SHEET, list(notes[0]), iter(notes[1:]))]
    for resource in resources:
        headers = [field.column_name for field in resource.get_export_fields()]
        sheets.append((resource.sheet, headers, iter([resource.example] if resource.example else [])))
    _write_xlsx(target, sheets)
    return target
