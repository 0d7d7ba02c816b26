"""Cleaning messy spreadsheet cells (pure)."""

import datetime

import pytest

from core.spreadsheets import normalize


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (442000.0, "442000"),
        ("442000.0", "442000"),
        ("４４２０００", "442000"),
        (" 442 000 ", "442000"),
        ("\u3000GS0101\u3000", "GS0101"),
        (442000, "442000"),
        (None, ""),
    ],
)
def test_codes_excel_and_people_mangle_are_recovered(raw, clean):
    assert normalize.code(raw) == clean


@pytest.mark.parametrize("raw", ["是", "Y", "y", "yes", "TRUE", "true", "1", 1, 1.0, True, "有效", " 是 "])
def test_yes_in_its_many_spellings(raw):
    assert normalize.boolean(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "FALSE", "0", 0, False, "无效"])
def test_no_in_its_many_spellings(raw):
    assert normalize.boolean(raw) is False


def test_an_unreadable_boolean_says_what_is_accepted():
    with pytest.raises(ValueError, match="是/否"):
        normalize.boolean("也许")


def test_choice_accepts_code_label_and_any_case():
    options = {"counter": "柜台", "web": "网厅"}
    assert normalize.choice("柜台", options, what="渠道") == "counter"
    assert normalize.choice("COUNTER", options, what="渠道") == "counter"
    with pytest.raises(ValueError, match="渠道“传真”无效，可填：柜台、网厅"):
        normalize.choice("传真", options, what="渠道")


def test_free_text_keeps_full_width_punctuation():
    assert normalize.free_text(" 尊敬的 XM，您好！ ") == "尊敬的 XM，您好！"


def test_integers_with_ranges():
    assert normalize.integer("15.0", low=1, high=365) == 15
    with pytest.raises(ValueError, match="超出允许范围"):
        normalize.integer(400, low=1, high=365)
    with pytest.raises(ValueError, match="不是整数"):
        normalize.integer("十五")


def test_blank_rows_are_recognised():
    assert normalize.is_blank([None, "", "  ", "\u3000"])
    assert not normalize.is_blank([None, "x"])


@pytest.mark.parametrize("raw", ["=1+1", "+86", "-2", "@SUM(A1)"])
def test_formula_injection_is_neutralised_on_export(raw):
    assert normalize.escape_formula(raw) == "'" + raw


def test_ordinary_cells_are_exported_as_they_are():
    assert normalize.escape_formula("工伤医疗费") == "工伤医疗费"
    assert normalize.escape_formula(-2) == -2


def test_a_label_with_a_full_width_colon_is_read_back_as_written():
    # Exported as 三级：网上申请、窗口核验; the cell is NFKC-normalised on reading (：→ :), the labels too.
    options = {"3": "三级：网上申请、窗口核验", "4": "四级：全程网办"}
    assert normalize.choice("三级：网上申请、窗口核验", options, what="网上办理深度") == "3"
    assert normalize.choice("四级:全程网办", options, what="网上办理深度") == "4"


@pytest.mark.parametrize(
    "cell, codes",
    [
        ("GS0301、GS0302", ["GS0301", "GS0302"]),
        ("GS0301, GS0302；GS0301", ["GS0301", "GS0302"]),
        (" SL_QSTB ", ["SL_QSTB"]),
        ("", []),
        (None, []),
    ],
)
def test_a_list_of_codes_splits_on_any_usual_separator(cell, codes):
    assert normalize.code_list(cell) == codes


@pytest.mark.parametrize(
    "cell",
    ["2026-10-01", "2026/10/1", "2026年10月1日", "2026-10-01 00:00:00", datetime.datetime(2026, 10, 1, 0, 0)],
)
def test_a_date_is_read_from_the_ways_people_write_it(cell):
    assert normalize.day(cell) == datetime.date(2026, 10, 1)


@pytest.mark.parametrize("cell", ["2026-02-30", "国庆", "", "20261001"])
def test_a_cell_that_is_no_date_says_so(cell):
    with pytest.raises(ValueError, match="不是有效日期"):
        normalize.day(cell)
