"""Reading spreadsheets a hostile or careless user uploads, within limits, in batches.

What a file may cost is bounded before and while it is read: its size on disk, the unpacked size of an
xlsx (a 100 KB file can unpack to gigabytes), the number of data rows and columns counted from what the
sheet really holds (not its declared dimension, which can claim XFD1048576), and the length of a cell.
Rows are read lazily and handed out in batches, so memory does not grow with the file. Blank rows are
skipped; a run of ``blank_run`` blank rows ends a sheet. Every refusal is an ``ImportFileError`` with a
Chinese message naming the limit; a cell that is too long is a row problem (``CellProblem``).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tablib

from . import normalize

SHOWN_CHARS = 60  # how much of a value an error message repeats


class ImportFileError(ValueError):
    """The file itself cannot be read, or is over a limit (wrong format, encoding, size, shape)."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 100 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 60
    max_cell_chars: int = 2_000
    blank_run: int = 1_000

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(**getattr(settings, "IMPORT_LIMITS", {}))


@dataclass(frozen=True)
class CellProblem:
    row: int  # as the spreadsheet shows it (header = row 1)
    column: str
    message: str


def shown(value, limit: int = SHOWN_CHARS) -> str:
    """A value as an error message may repeat it: at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 个字符）"


def megabytes(size: int) -> str:
    """A size as a person reads it: 20 MB, 20.5 MB, 64 KB."""
    value, unit = (size / (1024 * 1024), "MB") if size >= 1024 * 1024 else (size / 1024, "KB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


@dataclass
class SheetReader:
    """One sheet: its headers, then its data rows, lazily, within the limits."""

    name: str
    headers: list[str]
    _rows: Iterator[tuple]
    limits: Limits
    problems: list[CellProblem] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(spreadsheet row number, values) of every non-blank data row; refuses a sheet over a limit."""
        width = len(self.headers)
        blank = 0
        count = 0
        for number, values in enumerate(self._rows, start=2):
            values = tuple(values or ())
            extra = [value for value in values[width:] if normalize.text(value) != ""]
            values = (values + (None,) * width)[:width]
            if normalize.is_blank(values) and not extra:
                blank += 1
                if blank >= self.limits.blank_run:
                    return
                continue
            blank = 0
            if extra:
                raise ImportFileError(
                    f"工作表“{self.name}”第 {number} 行在表头之外还有内容（共 {width} 列表头）；"
                    "请删除多余的列，或补上表头。"
                )
            count += 1
            if count > self.limits.max_rows:
                raise ImportFileError(
                    f"工作表“{self.name}”的数据超过 {self.limits.max_rows} 行的上限；请分成几个文件导入。"
                )
            kept = []
            problems_before = len(self.problems)
            for column, value in zip(self.headers, values, strict=True):
                if isinstance(value, UncomputedFormula):
                    self.problems.append(
                        CellProblem(
                            number,
                            column,
                            f"是公式（{shown(value.formula, 40)}），但文件中没有保存它的计算结果；"
                            "请在 Excel 中打开并保存后再导入，或直接填写数值。",
                        )
                    )
                    value = ""
                elif isinstance(value, str) and len(value) > self.limits.max_cell_chars:
                    self.problems.append(
                        CellProblem(
                            number,
                            column,
                            f"内容有 {len(value)} 个字符，超过每格 {self.limits.max_cell_chars} 个字符的上限："
                            f"{shown(value)}",
                        )
                    )
                    value = ""
                kept.append(value)
            if len(self.problems) > problems_before:
                continue  # reported once, as what is wrong with the cell; not imported (nothing will be)
            yield number, tuple(kept)

    def batches(self, size: int) -> Iterator[tuple[tablib.Dataset, list[int]]]:
        """Datasets of at most ``size`` rows with the spreadsheet row number of each."""
        dataset, numbers = tablib.Dataset(headers=self.headers), []
        for number, values in self.rows():
            dataset.append(values)
            numbers.append(number)
            if len(numbers) >= size:
                yield dataset, numbers
                dataset, numbers = tablib.Dataset(headers=self.headers), []
        if numbers:
            yield dataset, numbers

    def dataset(self) -> tablib.Dataset:
        """The whole sheet at once (the admin's single-sheet import; bounded by the row limit)."""
        dataset = tablib.Dataset(headers=self.headers)
        for _number, values in self.rows():
            dataset.append(values)
        return dataset


def dataset_sheet(name: str, dataset: tablib.Dataset, limits: Limits | None = None) -> SheetReader:
    """A sheet already in memory (tests, the admin's parsed upload) read through the same checks."""
    return _sheet(name, [dataset.headers or [], *dataset], limits or Limits.from_settings())


def _sheet(name: str, rows, limits: Limits) -> SheetReader:
    rows = iter(rows)
    header_row = next(rows, None) or ()
    headers = [normalize.text(header) for header in tuple(header_row)[: limits.max_columns + 1]]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        raise ImportFileError(f"工作表“{name}”没有表头（第 1 行为空）。")
    if len(headers) > limits.max_columns:
        raise ImportFileError(f"工作表“{name}”的列数超过 {limits.max_columns} 列的上限。")
    seen = set()
    for header in headers:
        if header == "":
            raise ImportFileError(f"工作表“{name}”的表头有空白列；请为每一列写上列名或删除该列。")
        if header in seen:
            raise ImportFileError(f"工作表“{name}”的表头“{shown(header)}”出现了两次；请只保留一列。")
        seen.add(header)
    return SheetReader(name, headers, rows, limits)


def _check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ImportFileError(
            f"文件 {path.name} 有 {megabytes(size)}，超过 {megabytes(limits.max_file_bytes)} 的上限；"
            "请分成几个文件导入。"
        )


def read_xlsx(path: Path, limits: Limits) -> dict[str, SheetReader]:
    """The visible sheets of a workbook, lazily; refuses a workbook that unpacks beyond the limit.

    A plain workbook (no formula cells, every cell within ``limits``) is read by calamine; one with formulas
    or with cells beyond the limits by openpyxl, which marks uncomputed formulas and reads row by row (a stray
    cell at XFD1048576 would make calamine allocate the whole rectangle)."""
    _check_size(path, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > limits.max_unpacked_bytes:
                raise ImportFileError(
                    f"{path.name} 解压后有 {megabytes(unpacked)}，超过 {megabytes(limits.max_unpacked_bytes)} 的上限。"
                )
            plain = all(
                _plain_worksheet(archive, member, limits)
                for member in members
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
            )
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ImportFileError(
            f"{path.name} 不是有效的 .xlsx 工作簿（文件已损坏或不是 Excel 文件）。"
        ) from error
    return _read_calamine(path, limits) if plain else _read_openpyxl(path, limits)


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_COLUMN_REF = re.compile(rb' r="([A-Z]{1,3})\d')
_ROW_REF = re.compile(rb' r="[A-Z]{0,3}(\d{1,9})"')
_CHUNK = 1 << 20


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _plain_worksheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> bool:
    """Whether a worksheet's XML holds no formula and no cell beyond ``limits`` (read in chunks: flat memory)."""
    columns: set[bytes] = set()
    last_row = 0
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")  # an element cut by the chunk's end is read with the next chunk
            body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            if _FORMULA.search(body):
                return False
            columns.update(_COLUMN_REF.findall(body))
            rows = _ROW_REF.findall(body)
            if rows:
                last_row = max(last_row, max(map(int, rows)))
    if _FORMULA.search(tail):
        return False
    width = max(map(_column_number, columns), default=0)
    return width <= limits.max_columns + 1 and last_row <= limits.max_rows + limits.blank_run + 1


def _read_calamine(path: Path, limits: Limits) -> dict[str, SheetReader]:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {}
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # a chart sheet holds no rows
            if meta.visible != SheetVisibleEnum.Visible:
                raise ImportFileError(
                    f"工作表“{meta.name}”是隐藏的；请取消隐藏或删除它后再导入（隐藏的内容不会被悄悄导入）。"
                )
            sheet = book.get_sheet_by_name(meta.name)
            sheets[meta.name] = _sheet(meta.name, _calamine_rows(sheet, limits), limits)
    except CalamineError as error:
        raise ImportFileError(f"{path.name} 不是有效的 .xlsx 工作簿（{shown(error, 80)}）。") from error
    return sheets


def _calamine_rows(sheet, limits: Limits):
    """Rows as openpyxl gives them: from A1, None for an empty cell, whole numbers as int, dates as datetime."""
    top, left = sheet.start or (0, 0)
    for _ in range(top):
        yield ()
    pad = (None,) * left
    for values in sheet.iter_rows():
        yield pad + tuple(_calamine_value(value) for value in values[: limits.max_columns + 1 - left])


def _calamine_value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if type(value) is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def _read_openpyxl(path: Path, limits: Limits) -> dict[str, SheetReader]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise ImportFileError(f"{path.name} 不是有效的 .xlsx 工作簿（缺少工作簿内容）。") from error
    sheets = {}
    for worksheet in book.worksheets:
        if worksheet.sheet_state != "visible":
            raise ImportFileError(
                f"工作表“{worksheet.title}”是隐藏的；请取消隐藏或删除它后再导入（隐藏的内容不会被悄悄导入）。"
            )
        rows = worksheet.iter_rows(max_col=limits.max_columns + 1, values_only=True)
        formulas = formula_book[worksheet.title].iter_rows(max_col=limits.max_columns + 1, values_only=True)
        sheets[worksheet.title] = _sheet(worksheet.title, _with_formulas(rows, formulas), limits)
    return sheets


@dataclass(frozen=True)
class UncomputedFormula:
    """A formula cell whose file holds no computed value (saved by a program that does not calculate)."""

    formula: str


def _with_formulas(rows, formulas):
    """The values of a sheet, with a cell that holds only a formula marked as such (not read as empty)."""
    for values, written in zip(rows, formulas, strict=False):
        if any(
            value is None and isinstance(text, str) and text.startswith("=")
            for value, text in zip(values, written, strict=False)
        ):
            values = tuple(
                UncomputedFormula(text)
                if value is None and isinstance(text, str) and text.startswith("=")
                else value
                for value, text in zip(values, written, strict=False)
            ) + tuple(values[len(written) :])
        yield values


ENCODINGS = ("utf-8-sig", "gb18030")


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 — what Excel saves on Chinese Windows; refuse the rest by name."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("csv 文件是 UTF-16 编码；请另存为 UTF-8 或 GBK（GB18030）编码的 csv。")
    for encoding in ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError("无法识别 csv 文件的编码；请另存为 UTF-8 或 GBK（GB18030）编码的 csv。")


def read_csv(path: Path, limits: Limits, name: str | None = None) -> dict[str, SheetReader]:
    """One sheet named after the file (or ``name``), read as a stream."""
    _check_size(path, limits)
    with open(path, "rb") as handle:
        encoding = _encoding(handle.read(64 * 1024))

    def rows():
        try:
            with open(path, encoding=encoding, newline="") as text:
                yield from csv.reader(text)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"csv 文件在第 {error.start} 个字节附近不是 {encoding} 编码；请统一另存为 UTF-8 或 GBK 编码。"
            ) from error
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ImportFileError(
                    f"csv 文件中有单元格超过 {csv.field_size_limit()} 个字符；每格最多 {limits.max_cell_chars} 个字符。"
                ) from error
            raise ImportFileError(
                "csv 文件格式有误（例如引号没有成对），请用 Excel 重新另存为 csv 后再导入。"
            ) from error

    sheet_name = name or path.stem
    return {sheet_name: _sheet(sheet_name, rows(), limits)}


def read_path(path: Path, limits: Limits | None = None) -> dict[str, SheetReader]:
    """{sheet name: reader} from an .xlsx workbook, one .csv (named after its sheet), or a directory of csv."""
    limits = limits or Limits.from_settings()
    path = Path(path)
    if path.is_dir():
        sheets: dict[str, SheetReader] = {}
        for csv_file in sorted(path.glob("*.csv")):
            sheets.update(read_csv(csv_file, limits))
        if not sheets:
            raise ImportFileError(f"目录 {path} 中没有 csv 文件")
        return sheets
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, limits)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, limits)
    raise ImportFileError(f"不支持的文件类型 {path.suffix}：请使用 .xlsx 工作簿或 .csv 文件")


ADMIN_MAX_ROWS = 20_000


def read_upload(data: bytes, filename: str, limits: Limits | None = None) -> tablib.Dataset:
    """The first sheet of an uploaded file as one dataset (the admin imports one table at a time, and shows
    every row in its preview, so it takes at most ``ADMIN_MAX_ROWS``; import_config takes the rest)."""
    import dataclasses
    import tempfile

    limits = limits or Limits.from_settings()
    limits = dataclasses.replace(limits, max_rows=min(limits.max_rows, ADMIN_MAX_ROWS))
    if len(data) > limits.max_file_bytes:
        raise ImportFileError(
            f"文件有 {megabytes(len(data))}，超过 {megabytes(limits.max_file_bytes)} 的上限；请分成几个文件导入。"
        )
    suffix = Path(filename).suffix.lower() or ".csv"
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        sheet = next(iter(read_path(Path(handle.name), limits).values()))
        dataset = sheet.dataset()
    if sheet.problems:
        raise ImportFileError(
            "；".join(
                f"第 {problem.row} 行「{problem.column}」{problem.message}" for problem in sheet.problems[:10]
            )
        )
    return dataset


__all__ = [
    "CellProblem",
    "ImportFileError",
    "Limits",
    "SheetReader",
    "dataset_sheet",
    "read_csv",
    "read_path",
    "read_upload",
    "read_xlsx",
    "shown",
]
