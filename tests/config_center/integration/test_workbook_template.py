"""The template workbook: what a spreadsheet importer reaches for first (issue 13)."""

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from config_center.workbook import config_import, config_template, read_file
from core.registry import registry

pytestmark = pytest.mark.django_db


def test_the_template_has_every_sheet_with_headers_an_example_and_a_notes_sheet(tmp_path):
    path = config_template(tmp_path / "模板.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["说明", *(sheet.name for sheet in registry.sheets)]
    for sheet in registry.sheets:
        rows = list(book[sheet.name].iter_rows(values_only=True))
        assert len(rows) == 2, sheet.name
        headers, example = rows
        assert len(example) == len(headers), sheet.name
    notes = [row for row in book["说明"].iter_rows(values_only=True)]
    assert notes[0] == ("工作表", "列", "说明")
    explained = {(sheet, column) for sheet, column, _note in notes[1:]}
    for sheet in registry.sheets:
        headers = next(book[sheet.name].iter_rows(values_only=True))
        assert {(sheet.name, header) for header in headers} <= explained
    by_column = {(sheet, column): note for sheet, column, note in notes[1:]}
    assert by_column[("事项绑定", "分发模式")] == "可填：本地模式、全省模式"
    assert by_column[("事项绑定", "地区编码")].startswith("（主键）")
    assert "2026-10-01" in by_column[("节假日", "日期")]
    assert "、" in by_column[("业务事项", "前置事项")]


def test_the_template_imports_as_it_is_on_the_reference_data(reference_data, superuser, tmp_path):
    """Each example row is a valid row: a user who fills the template in from its example is not misled."""
    get_user_model().objects.create_user("zs_admin", password="pw-for-tests-only")
    path = config_template(tmp_path / "模板.xlsx")
    report = config_import(read_file(path), user=superuser, dry_run=True)
    assert report.ok, [str(error) for error in report.errors]
    assert all(counts["新增"] + counts["修改"] + counts["未变"] == 1 for counts in report.counts.values())
