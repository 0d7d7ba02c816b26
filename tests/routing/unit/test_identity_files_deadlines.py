"""Pure rules of cases: the GB 11643 check of an ID number, receipt numbers, files by content, 预警."""

import datetime

import pytest

from catalog.workdays import WorkCalendar
from routing import deadlines, files, identity
from tests.factories.cases import id_card


def test_a_valid_id_card_number_passes_and_its_check_character_matters():
    number = id_card("11010519491231002")
    assert number == "11010519491231002X"  # the standard's own example
    assert identity.id_number_problem("id_card", number) is None
    assert identity.id_number_problem("id_card", number.lower()) is None  # x is X
    assert "校验位" in identity.id_number_problem("id_card", number[:-1] + "1")


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("4420001990010112", "18 位"),
        ("44200019901301123X", "出生日期"),
        ("44200018000101123X", "出生日期"),
        ("", "18 位"),
    ],
)
def test_malformed_id_card_numbers_say_why(number, problem):
    assert problem in identity.id_number_problem("id_card", number)


def test_other_id_types_are_checked_for_shape_only():
    assert identity.id_number_problem("passport", "E12345678") is None
    assert identity.id_number_problem("passport", "x") is not None
    assert identity.id_number_problem("driving_licence", "E12345678").startswith("证件类型")


def test_sex_comes_from_the_seventeenth_digit():
    assert identity.sex_from_id_card(id_card("44200019900101123")) == "M"
    assert identity.sex_from_id_card(id_card("44200019900101124")) == "F"


def test_a_receipt_number_is_the_second_and_a_four_digit_sequence():
    prefix = identity.receipt_prefix(datetime.datetime(2022, 1, 9, 14, 44, 54))
    assert identity.receipt_number(prefix, 6597) == "2201091444546597"  # annex 4's example
    with pytest.raises(ValueError):
        identity.receipt_number(prefix, 10_000)


@pytest.mark.parametrize(
    ("name", "data", "ok"),
    [
        ("a.pdf", b"%PDF-1.7 ...", True),
        ("a.jpg", b"\xff\xd8\xff\xe0....", True),
        ("a.png", b"\x89PNG\r\n\x1a\n....", True),
        ("a.pdf", b"MZ\x90\x00 an executable", False),
        ("a.exe", b"%PDF-1.7 ...", False),
        ("a.pdf", b"", False),
        ("a.pdf", b"%PDF-" + b"x" * 2_000, False),
    ],
)
def test_a_file_is_judged_on_its_content_its_name_and_its_size(name, data, ok):
    assert (files.upload_problem(name, data, max_bytes=1_000) is None) is ok


def test_the_deadline_warning_counts_working_days():
    calendar = WorkCalendar.of([datetime.date(2026, 10, 1)], [])
    deadline = datetime.date(2026, 10, 9)  # a Friday
    assert deadlines.warning(deadline, datetime.date(2026, 9, 28), calendar) == "normal"
    assert deadlines.warning(deadline, datetime.date(2026, 10, 6), calendar) == "near"
    assert deadlines.warning(deadline, datetime.date(2026, 10, 9), calendar) == "near"
    assert deadlines.warning(deadline, datetime.date(2026, 10, 10), calendar) == "overdue"
