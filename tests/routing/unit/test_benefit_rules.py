"""一次性伤残待遇 computed from the standards as plain data (pure; no database)."""

import datetime
import json
import pickle
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.benefits import rules
from routing.benefits.rules import Benefit, BenefitRefused, Standard, Standards, compute

REFERENCE = Path(rules.__file__).resolve().parent / "reference_data" / "benefit_standards.json"
DAY = datetime.date(2026, 8, 2)


def _reference() -> Standards:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    benefits = tuple(Benefit(b["code"], b["name"], b["basis"], b["scope"]) for b in data["benefits"])
    rows = tuple(
        Standard(b["code"], int(grade), Decimal(months), datetime.date.fromisoformat(b["valid_from"]))
        for b in data["benefits"]
        for grade, months in b["months"].items()
    )
    return Standards(benefits, rows)


STANDARDS = _reference()


def _refusal(**kwargs) -> BenefitRefused:
    with pytest.raises(BenefitRefused) as caught:
        compute(STANDARDS, **{"on": DAY, **kwargs})
    return caught.value


# ---- the reference figures -----------------------------------------------------------------------------
def test_the_yongkang_example_grade_ten_at_3083_20_is_21582_40():
    answer = compute(STANDARDS, benefit="一次性伤残补助金", grade=10, monthly_wage="3083.20", on=DAY)
    assert answer.amount == Decimal("21582.40")
    assert answer.months == Decimal("7")
    assert answer.rule == (
        "一次性伤残补助金：十级伤残 7 个月 × 本人工资 3083.20 元 = 21582.40 元"
        "（依据《工伤保险条例》第三十五条至第三十七条，2011-01-01 起执行）"
    )


@pytest.mark.parametrize(
    ("code", "months"),
    [
        ("YCXSCBZJ", {1: 27, 2: 25, 3: 23, 4: 21, 5: 18, 6: 16, 7: 13, 8: 11, 9: 9, 10: 7}),
        ("YCXGSYLBZJ", {5: 10, 6: 8, 7: 6, 8: 4, 9: 2, 10: 1}),
        ("YCXSCJYBZJ", {5: 50, 6: 40, 7: 25, 8: 15, 9: 8, 10: 4}),
    ],
)
def test_the_reference_months_are_those_of_the_issue(code, months):
    for grade, expected in months.items():
        answer = compute(STANDARDS, benefit=code, grade=grade, monthly_wage=1000, on=DAY)
        assert answer.months == expected
        assert answer.amount == Decimal(expected * 1000)
    assert {row.grade for row in STANDARDS.rows if row.benefit == code} == set(months)


def test_a_benefit_is_named_by_its_code_in_any_case_or_by_its_name():
    by_name = compute(STANDARDS, benefit=" 一次性工伤医疗补助金 ", grade="五级", monthly_wage="5000", on=DAY)
    by_code = compute(STANDARDS, benefit="ycxgsylbzj", grade=5, monthly_wage=5000, on=DAY)
    assert by_name == by_code
    assert by_code.amount == Decimal("50000.00")
    assert by_code.rule.startswith(
        "一次性工伤医疗补助金：五级伤残 10 个月 × 本人工资 5000.00 元 = 50000.00 元"
    )


# ---- rounding ------------------------------------------------------------------------------------------
def test_half_a_fen_rounds_up_never_to_even():
    standards = Standards((Benefit("X", "测试待遇", "测试"),), (Standard("X", 1, Decimal("0.5"), DAY),))
    assert compute(standards, benefit="X", grade=1, monthly_wage="0.01", on=DAY).amount == Decimal("0.01")
    assert compute(standards, benefit="X", grade=1, monthly_wage="0.05", on=DAY).amount == Decimal("0.03")
    half = Standards((Benefit("X", "测试待遇", "测试"),), (Standard("X", 1, Decimal("1.25"), DAY),))
    answer = compute(half, benefit="X", grade=1, monthly_wage="0.10", on=DAY)  # 0.125 → 0.13
    assert answer.amount == Decimal("0.13")
    assert "1.25 个月" in answer.rule


@given(
    grade=st.sampled_from(rules.GRADES),
    wage=st.decimals(min_value=Decimal("0.01"), max_value=rules.MAX_WAGE, places=2),
)
def test_the_amount_is_months_times_wage_rounded_half_up_to_the_fen(grade, wage):
    answer = compute(STANDARDS, benefit="YCXSCBZJ", grade=grade, monthly_wage=str(wage), on=DAY)
    expected = (answer.months * wage).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert answer.amount == expected
    assert answer.amount.as_tuple().exponent == -2
    assert f"= {expected} 元" in answer.rule


@given(
    months=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    wage=st.decimals(min_value=Decimal("0.01"), max_value=rules.MAX_WAGE, places=2),
)
def test_any_months_figure_rounds_half_up(months, wage):
    standards = Standards((Benefit("X", "测试待遇", "测试"),), (Standard("X", 3, months, DAY),))
    answer = compute(standards, benefit="X", grade=3, monthly_wage=wage, on=DAY)
    assert answer.amount == (months * wage).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(cents=st.integers(min_value=1, max_value=100_000_000))
def test_a_float_wage_is_read_from_its_text_not_through_float_arithmetic(cents):
    wage = Decimal(cents) / 100
    as_float = float(wage)  # what a JSON number arrives as
    answer = compute(STANDARDS, benefit="YCXSCBZJ", grade=10, monthly_wage=as_float, on=DAY)
    assert answer.monthly_wage == wage
    assert answer.amount == (7 * wage).quantize(Decimal("0.01"))


def test_floats_that_binary_cannot_hold_are_exact():
    assert rules.parse_wage(0.1) == Decimal("0.10")
    assert rules.parse_wage(3083.2) == Decimal("3083.20")
    assert compute(STANDARDS, benefit="YCXSCBZJ", grade=1, monthly_wage=0.1, on=DAY).amount == Decimal("2.70")
    # 0.1 + 0.2 is 0.30000000000000004 as a float: finer than the fen, refused rather than rounded silently.
    assert _refusal(benefit="YCXSCBZJ", grade=1, monthly_wage=0.1 + 0.2).reason_code == rules.INVALID_WAGE


# ---- what a wage may be --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("3083.2", "3083.20"),
        ("3,083.20", "3083.20"),
        ("1,000,000", "1000000.00"),
        ("３０８３．２", "3083.20"),
        (" 3083.20 ", "3083.20"),
        ("3083.200", "3083.20"),
        (3083, "3083.00"),
        (Decimal("3083.2"), "3083.20"),
        ("0.01", "0.01"),
        (1_000_000, "1000000.00"),
    ],
)
def test_a_wage_may_be_written_the_ways_people_write_it(given, expected):
    wage = rules.parse_wage(given)
    assert wage == Decimal(expected) and str(wage) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("0", "月工资须大于 0。"),
        (0, "月工资须大于 0。"),
        (-1, "月工资须大于 0。"),
        ("-3083.20", "月工资须大于 0。"),
        (-0.0, "月工资须大于 0。"),
        ("abc", "月工资“abc”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("", "月工资“”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("3083.20元", "月工资“3083.20元”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("30,83.20", "月工资“30,83.20”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("1e3", "月工资“1e3”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("NaN", "月工资“NaN”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("Infinity", "月工资“Infinity”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        ("1" * 40, f"月工资“{'1' * 20}…”不是有效的金额（例如 3083.20 或 3,083.20）。"),
        (float("nan"), "月工资须为有限的数值。"),
        (float("inf"), "月工资须为有限的数值。"),
        (Decimal("NaN"), "月工资须为有限的数值。"),
        (Decimal("sNaN"), "月工资须为有限的数值。"),
        (1e300, "月工资不能超过 1000000.00 元。"),
        (10**400, "月工资不能超过 1000000.00 元。"),
        ("1000000.01", "月工资不能超过 1000000.00 元。"),
        ("3083.205", "月工资最多两位小数（精确到分）。"),
        (1e-9, "月工资最多两位小数（精确到分）。"),
        (True, "月工资须为数字或数字文本，例如 3083.20。"),
        (None, "月工资须为数字或数字文本，例如 3083.20。"),
        ([3083.2], "月工资须为数字或数字文本，例如 3083.20。"),
        ({"value": 1}, "月工资须为数字或数字文本，例如 3083.20。"),
    ],
)
def test_a_wage_that_is_not_an_amount_is_refused_with_its_reason(given, message):
    assert _refusal(benefit="YCXSCBZJ", grade=10, monthly_wage=given) == BenefitRefused(
        rules.INVALID_WAGE, message
    )


# ---- grades ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [(10, 10), (1, 1), ("10", 10), ("十级", 10), ("十", 10), ("10级", 10), ("伤残十级", 10), ("一级伤残", 1)],
)
def test_a_grade_is_a_number_or_written_as_the_assessment_says_it(given, expected):
    assert rules.parse_grade(given) == expected


@pytest.mark.parametrize(
    "given", [0, 11, -1, "0", "11", "十一级", "A", "", 10.0, 9.5, True, False, None, [10], {}]
)
def test_something_that_is_not_a_grade_is_refused(given):
    assert _refusal(benefit="YCXSCBZJ", grade=given, monthly_wage="3000") == BenefitRefused(
        rules.INVALID_GRADE, "伤残等级须为 1 至 10 的整数（也可写作“十级”）。"
    )


def test_a_grade_the_benefit_has_no_standard_for_names_the_grades_it_has():
    assert _refusal(benefit="一次性工伤医疗补助金", grade=3, monthly_wage="3000") == BenefitRefused(
        rules.UNKNOWN_GRADE,
        "一次性工伤医疗补助金没有三级伤残的标准；有标准的等级：五级、六级、七级、八级、九级、十级。",
    )


# ---- benefits ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("given", ["一次性工亡补助金", "", "  ", "YCX", "x" * 60])
def test_an_unknown_benefit_lists_the_known_ones(given):
    refusal = _refusal(benefit=given, grade=10, monthly_wage="3000")
    assert refusal.reason_code == rules.UNKNOWN_BENEFIT
    assert refusal.message.endswith(
        "可用的待遇：一次性伤残补助金（YCXSCBZJ）、一次性工伤医疗补助金（YCXGSYLBZJ）、一次性伤残就业补助金（YCXSCJYBZJ）。"
    )
    assert len(refusal.message) < 200


@pytest.mark.parametrize("given", [None, 1, ["YCXSCBZJ"], True])
def test_a_benefit_not_given_as_text_is_unknown(given):
    assert _refusal(benefit=given, grade=10, monthly_wage="3000") == BenefitRefused(
        rules.UNKNOWN_BENEFIT, "待遇须以编码或名称（文本）给出。"
    )


def test_the_benefit_is_checked_before_the_grade_and_the_grade_before_the_wage():
    assert _refusal(benefit="无", grade=11, monthly_wage="x").reason_code == rules.UNKNOWN_BENEFIT
    assert _refusal(benefit="YCXSCBZJ", grade=11, monthly_wage="x").reason_code == rules.INVALID_GRADE
    assert _refusal(benefit="YCXGSYLBZJ", grade=3, monthly_wage="x").reason_code == rules.INVALID_WAGE


# ---- periods -------------------------------------------------------------------------------------------
OLD_AND_NEW = Standards(
    (Benefit("X", "测试待遇", "某条例"),),
    (
        Standard("X", 10, Decimal("6"), datetime.date(2004, 1, 1), datetime.date(2010, 12, 31)),
        Standard("X", 10, Decimal("7"), datetime.date(2011, 1, 1)),
    ),
)


@pytest.mark.parametrize(
    ("day", "months"),
    [("2004-01-01", 6), ("2010-12-31", 6), ("2011-01-01", 7), ("2030-06-30", 7)],
)
def test_the_standard_in_force_on_the_day_applies_both_ends_included(day, months):
    answer = compute(OLD_AND_NEW, benefit="X", grade=10, monthly_wage="1000", on=day)
    assert answer.months == months


def test_the_rule_says_the_period_of_the_standard_it_used():
    answer = compute(OLD_AND_NEW, benefit="X", grade=10, monthly_wage="1000", on=datetime.date(2005, 1, 1))
    assert answer.rule.endswith("（依据某条例，2004-01-01 至 2010-12-31 执行）")


def test_a_day_before_any_standard_is_not_in_force():
    with pytest.raises(BenefitRefused) as caught:
        compute(OLD_AND_NEW, benefit="X", grade=10, monthly_wage="1000", on=datetime.date(2003, 12, 31))
    assert caught.value == BenefitRefused(
        rules.NOT_IN_FORCE,
        "测试待遇十级伤残的标准在 2003-12-31 不在有效期内（2004-01-01 至 2010-12-31 执行；2011-01-01 起执行）。",
    )


@pytest.mark.parametrize(
    "day", ["2026-02-30", "2026/08/02", "20260802", 20260802, None, datetime.datetime(2026, 8, 2)]
)
def test_a_day_that_is_not_a_day_is_refused(day):
    assert _refusal(benefit="YCXSCBZJ", grade=10, monthly_wage="1", on=day).reason_code == rules.INVALID_DATE


def test_periods_of_one_benefit_and_grade_may_not_share_a_day():
    new = Standard("X", 10, Decimal("8"), datetime.date(2010, 12, 31))
    assert (
        rules.overlap_problem(new, OLD_AND_NEW.rows)
        == "十级伤残已有标准（2004-01-01 至 2010-12-31 执行），有效期不能重叠。"
    )
    before = Standard("X", 10, Decimal("5"), datetime.date(2000, 1, 1), datetime.date(2003, 12, 31))
    assert rules.overlap_problem(before, OLD_AND_NEW.rows) is None
    other_grade = Standard("X", 9, Decimal("5"), datetime.date(2005, 1, 1))
    other_benefit = Standard("Y", 10, Decimal("5"), datetime.date(2005, 1, 1))
    assert rules.overlap_problem(other_grade, OLD_AND_NEW.rows) is None
    assert rules.overlap_problem(other_benefit, OLD_AND_NEW.rows) is None
    assert rules.overlap_problem(Standard("X", 10, Decimal("5"), datetime.date(2000, 1, 1)), OLD_AND_NEW.rows)


@given(
    a=st.tuples(st.integers(0, 40), st.integers(0, 40) | st.none()),
    b=st.tuples(st.integers(0, 40), st.integers(0, 40) | st.none()),
)
def test_two_periods_overlap_exactly_when_some_day_is_in_both(a, b):
    base = datetime.date(2020, 1, 1)

    def standard(start, length):
        end = None if length is None else base + datetime.timedelta(days=start + length)
        return Standard("X", 1, Decimal(1), base + datetime.timedelta(days=start), end)

    first, second = standard(*a), standard(*b)
    days = (base + datetime.timedelta(days=offset) for offset in range(0, 100))
    shared = any(first.in_force(day) and second.in_force(day) for day in days)
    assert (rules.overlap_problem(first, [second]) is not None) == shared


# ---- the refusal itself ------------------------------------------------------------------------------------
def test_a_refusal_is_an_exception_with_its_reason_that_pickles():
    refusal = _refusal(benefit="YCXSCBZJ", grade=10, monthly_wage="0")
    assert isinstance(refusal, Exception) and str(refusal) == refusal.message
    assert pickle.loads(pickle.dumps(refusal)) == refusal
    assert refusal.reason_code in rules.REASON_CODES


def test_months_and_money_are_written_plainly():
    assert rules.months_text(Decimal("7.00")) == "7"
    assert rules.months_text(Decimal("70")) == "70"
    assert rules.months_text(Decimal("7.50")) == "7.5"
    assert rules.money_text(Decimal("21582.4")) == "21582.40"
