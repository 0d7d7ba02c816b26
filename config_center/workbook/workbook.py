"""Import and export of the whole configuration: one workbook (a sheet per table) or one csv per table.

The sheets are those the apps contribute (``core.registry``), imported in their declared order (what a
sheet refers to first). Everything is imported in ONE transaction: any error in any row of any sheet and nothing is written;
the user gets every error at once, each with sheet, row number (as the spreadsheet shows it), column
and a Chinese message.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction

from core.registry import registry


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

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


class ImportFileError(ValueError):
    """The file itself cannot be read (wrong format, unknown sheets)."""


def read_file(path: Path) -> dict[str, tablib.Dataset]:
    """{sheet name: dataset} from an .xlsx workbook, one .csv (named after its sheet), or a directory of csv."""
    path = Path(path)
    if path.is_dir():
        sheets = {}
        for csv_file in sorted(path.glob("*.csv")):
            sheets.update(read_file(csv_file))
        if not sheets:
            raise ImportFileError(f"目录 {path} 中没有 csv 文件")
        return sheets
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        dataset = tablib.Dataset().load(io.StringIO(text), format="csv")
        return {path.stem: dataset}
    if suffix in (".xlsx", ".xlsm"):
        book = tablib.Databook().load(path.read_bytes(), format="xlsx")
        return {sheet.title: sheet for sheet in book.sheets()}
    raise ImportFileError(f"不支持的文件类型 {path.suffix}：请使用 .xlsx 工作簿或 .csv 文件")


def _errors_of(resource, result) -> list[RowError]:
    found = []
    for row_number, errors in result.row_errors():
        for error in errors:
            found.append(RowError(resource.sheet, row_number + 1, "", str(error.error)))
    for invalid in result.invalid_rows:
        for key, messages in invalid.error_dict.items():
            column = "" if key == NON_FIELD_ERRORS else resource.column_of(key)
            for message in messages:
                found.append(RowError(resource.sheet, invalid.number + 1, column, str(message)))
    for error in result.base_errors:
        found.append(RowError(resource.sheet, 0, "", str(error.error)))
    return found


def _duplicate_errors(resource, dataset) -> list[RowError]:
    """Identical repeated rows are harmless; the same key with different values is ambiguous: report it."""
    seen: dict[tuple, tuple[int, tuple]] = {}
    found = []
    headers = dataset.headers or []
    for index, values in enumerate(dataset, start=2):
        row = dict(zip(headers, values, strict=False))
        try:
            key = resource.key_of_row(row)
        except (ValueError, AttributeError):
            continue  # the row's own errors are reported by the import
        cleaned = tuple(str(value).strip() for value in values)
        if key in seen and seen[key][1] != cleaned:
            found.append(
                RowError(resource.sheet, index, "", f"与第 {seen[key][0]} 行是同一条记录，但内容不同")
            )
        seen.setdefault(key, (index, cleaned))
    return found


def config_import(sheets: dict[str, tablib.Dataset], *, user=None, dry_run: bool = False) -> ImportReport:
    """Import every known sheet in dependency order, all or nothing."""
    report = ImportReport(dry_run=dry_run)
    known = [sheet.name for sheet in registry.sheets]
    for name in sheets:
        if name not in known:
            report.errors.append(RowError(name, 0, "", f"无法识别的工作表；可用的表：{'、'.join(known)}"))
    with transaction.atomic():
        for resource_class in (sheet.resource for sheet in registry.sheets):
            dataset = sheets.get(resource_class.sheet)
            if dataset is None:
                continue
            resource = resource_class(user=user)
            try:
                result = resource.import_data(
                    dataset, dry_run=False, raise_errors=False, use_transactions=True
                )
            except Exception as error:  # a sheet-level problem (missing columns): report, do not crash
                report.errors.append(
                    RowError(resource.sheet, 0, "", "；".join(getattr(error, "messages", [str(error)])))
                )
                continue
            report.errors.extend(_duplicate_errors(resource, dataset))
            report.errors.extend(_errors_of(resource, result))
            totals = result.totals
            report.counts[resource.sheet] = {
                "新增": totals.get("new", 0),
                "修改": totals.get("update", 0),
                "删除": totals.get("delete", 0),
                "未变": totals.get("skip", 0),
            }
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _write_xlsx(target: Path, datasets: list[tablib.Dataset]) -> None:
    """openpyxl's streaming writer: a province's 150,000 rows without building every cell object first."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for dataset in datasets:
        sheet = book.create_sheet(title=dataset.title)
        sheet.append(list(dataset.headers))
        for row in dataset:
            sheet.append(list(row))
    book.save(target)


def config_export(target: Path) -> list[Path]:
    """Write every table: an .xlsx workbook (one sheet per table) or, for a directory, one csv per table."""
    target = Path(target)
    datasets = []
    for sheet in registry.sheets:
        resource = sheet.resource()
        dataset = resource.export(queryset=resource.export_queryset())
        dataset.title = resource.sheet
        datasets.append(dataset)
    if target.suffix.lower() == ".xlsx":
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_xlsx(target, datasets)
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in datasets:
        path = target / f"{dataset.title}.csv"
        path.write_text(dataset.export("csv"), encoding="utf-8-sig")
        written.append(path)
    return written
