"""业务状态查询 as xlsx: what the conditions select, masked as on the screen, at most ``EXPORT_LIMIT`` rows.

Rows stream from the database (a server-side cursor on PostgreSQL) into XlsxWriter in constant-memory mode,
so memory does not grow with them; every text cell is escaped against formula injection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone

from core.spreadsheets.normalize import escape_formula

from .. import deadlines
from ..models import Case
from ..search import RELATED
from .case_rows import CasePresenter

EXPORT_LIMIT = 100_000
CHUNK = 2_000
SHEET = "业务状态查询"
NOTES_SHEET = "查询条件"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _user(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def columns(view: CasePresenter) -> list[tuple[str, Callable[[Case], object]]]:
    """The export's columns: annex 4's result list and the rest of what identifies and places a case."""
    return [
        ("受理回执号", lambda c: c.receipt_no),
        ("业务流水号", lambda c: c.serial_no),
        ("业务编码", lambda c: c.matter.code),
        ("业务名称", lambda c: c.matter.name),
        ("姓名", lambda c: view.name(c.applicant_name)),
        ("证件号码", lambda c: view.id_number(c.id_number)),
        ("个人管理码", lambda c: c.person_code),
        ("单位管理码", lambda c: c.employer_code),
        ("单位名称", lambda c: c.employer_name),
        ("数据来源", lambda c: c.channel.name),
        ("受理机构", lambda c: c.accepting_agency.name),
        ("分管机构", lambda c: c.handling_agency.name),
        ("受理人", lambda c: _user(c.accepted_by)),
        ("受理时间", lambda c: _when(c.accepted_at)),
        ("办结期限", lambda c: c.deadline.isoformat()),
        ("预警", lambda c: deadlines.WARNING_NAMES.get(view.warning(c), "")),
        ("流程状态", lambda c: view.label(c, "status")),
        ("影像状态", lambda c: view.label(c, "scan_status")),
        ("建档状态", lambda c: view.label(c, "archive_status")),
        ("终端设备评价", lambda c: view.label(c, "evaluation")),
        ("办结时间", lambda c: _when(c.finished_at)),
    ]


def _rows(cases: QuerySet[Case], view: CasePresenter) -> Iterator[list]:
    cols = columns(view)
    selected = cases.select_related(*RELATED).iterator(chunk_size=CHUNK)
    for case in islice(selected, EXPORT_LIMIT):
        yield [escape_formula(str(get(case))) for _header, get in cols]


def write_cases(
    target: Path, cases: QuerySet[Case], view: CasePresenter, conditions: list[tuple[str, str]]
) -> int:
    """Write the selected cases to ``target``; returns how many rows (at most ``EXPORT_LIMIT``)."""
    import xlsxwriter

    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    written = 0
    with xlsxwriter.Workbook(str(target), options) as book:
        sheet = book.add_worksheet(SHEET)
        headers = [header for header, _get in columns(view)]
        sheet.write_row(0, 0, headers)
        for written, row in enumerate(_rows(cases, view), start=1):
            sheet.write_row(written, 0, row)
        notes = book.add_worksheet(NOTES_SHEET)
        lines = [
            ("导出时间", _when(timezone.now())),
            ("导出行数", str(written)),
            ("说明", f"按受理时间倒序，最多导出 {EXPORT_LIMIT} 行。"),
            *(
                [("已达上限", "选中的业务可能多于导出的行数，请缩小查询条件分批导出。")]
                if written >= EXPORT_LIMIT
                else []
            ),
            ("个人信息", "完整" if view.full_data else "已脱敏（姓名只显示姓，证件号码只显示首末位）"),
            *conditions,
        ]
        for number, (label, value) in enumerate(lines):
            notes.write_row(number, 0, [escape_formula(label), escape_formula(value)])
    return written
