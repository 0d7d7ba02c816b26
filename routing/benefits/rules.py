"""One-off disability benefits (一次性伤残待遇) from the benefit standards (pure: plain data in, plain data out).

A standard says how many months of the worker's own monthly wage (本人工资) a benefit pays at a disability
grade, from a date (and possibly until one). ``compute`` finds the standard in force on a date and
answers months × wage, rounded half-up to the fen, with the rule it used in words; it refuses with a
``BenefitRefused`` whose ``reason_code`` is one of the module constants. Nothing here reads the database:
``routing.benefits.selectors`` turns the stored rows into ``Standards``.

What a wage may be (the limits are chosen, not laws): a positive amount of at most 1,000,000.00 yuan a month
with at most two decimal places, given as an int, a Decimal, a decimal string (``3083.2``, ``3,083.20``) or a
float — a float is read from its text (``str(0.1)`` is ``0.1``), never through float arithmetic.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

UNKNOWN_BENEFIT = "unknown_benefit"  # no benefit with that code or name
UNKNOWN_GRADE = "unknown_grade"  # the benefit has no standard for that grade (一次性工伤医疗补助金, grade 3)
NOT_IN_FORCE = "not_in_force"  # it has, but none in force on the date
INVALID_GRADE = "invalid_grade"  # not a disability grade (1–10) at all
INVALID_WAGE = "invalid_wage"  # not an amount, ≤ 0, too large, or finer than the fen
INVALID_DATE = "invalid_date"  # not a day (YYYY-MM-DD)
REASON_CODES = (UNKNOWN_BENEFIT, UNKNOWN_GRADE, NOT_IN_FORCE, INVALID_GRADE, INVALID_WAGE, INVALID_DATE)

NATIONAL = "national"
GUANGDONG = "guangdong"

GRADES = tuple(range(1, 11))
GRADE_WORDS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
GRADE_NAMES = {grade: f"{word}级" for grade, word in zip(GRADES, GRADE_WORDS, strict=True)}

FEN = Decimal("0.01")
MAX_WAGE = Decimal("1000000.00")  # a month's wage above a million yuan is a typing error, not a wage
MAX_WAGE_TEXT = 32  # characters of a wage given as text
MAX_NAME_TEXT = 50  # characters of a benefit's code or name as asked
MAX_GRADE_TEXT = 10  # characters of a grade given as text ("十级伤残")
SHOWN = 20  # characters of a refused value repeated in a message

WAGE_PLAIN = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
WAGE_GROUPED = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")  # 3,083.20 as a spreadsheet shows it
GRADE_TEXT = re.compile(r"^(?:伤残)?([0-9]{1,2}|[一二三四五六七八九十])级?(?:伤残)?$")
DAY_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class BenefitRefused(Exception):
    """A computation refused: ``reason_code`` (one of ``REASON_CODES``) and a Chinese message."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code
        self.message = message

    def __eq__(self, other) -> bool:
        return isinstance(other, BenefitRefused) and (self.reason_code, self.message) == (
            other.reason_code,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.reason_code, self.message))

    def __reduce__(self):
        return (type(self), (self.reason_code, self.message))


@dataclass(frozen=True, slots=True)
class Benefit:
    code: str
    name: str
    basis: str  # the legal basis as the rule cites it, e.g. 《工伤保险条例》第三十五条至第三十七条
    scope: str = NATIONAL


@dataclass(frozen=True, slots=True)
class Standard:
    """``months`` of the monthly wage for ``grade``, from ``valid_from`` to ``valid_to`` (both included; None:
    open-ended)."""

    benefit: str  # the benefit's code
    grade: int
    months: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None = None

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Standards:
    """Every benefit and its standard rows, as the database holds them."""

    benefits: tuple[Benefit, ...]
    rows: tuple[Standard, ...]

    def benefit(self, given: str) -> Benefit | None:
        """The benefit with this code (any case) or this name."""
        for benefit in self.benefits:
            if benefit.code.upper() == given.upper() or benefit.name == given:
                return benefit
        return None

    def rows_of(self, code: str, grade: int) -> list[Standard]:
        return [row for row in self.rows if row.benefit == code and row.grade == grade]


@dataclass(frozen=True, slots=True)
class Computation:
    benefit: Benefit
    grade: int
    months: Decimal
    monthly_wage: Decimal
    amount: Decimal
    on: datetime.date
    standard: Standard

    @property
    def rule(self) -> str:
        """The rule in words: 一次性伤残补助金：十级伤残 7 个月 × 本人工资 3083.20 元 = 21582.40 元（依据 …）."""
        return _(
            "%(benefit)s：%(grade)s伤残 %(months)s 个月 × 本人工资 %(wage)s 元 = %(amount)s 元（依据%(basis)s，"
            "%(period)s）"
        ) % {
            "benefit": self.benefit.name,
            "grade": GRADE_NAMES[self.grade],
            "months": months_text(self.months),
            "wage": money_text(self.monthly_wage),
            "amount": money_text(self.amount),
            "basis": self.benefit.basis,
            "period": period_text(self.standard.valid_from, self.standard.valid_to),
        }


def round_fen(value: Decimal) -> Decimal:
    """Half-up to the fen (0.005 → 0.01), the rounding of every amount."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def amount_of(months: Decimal, monthly_wage: Decimal) -> Decimal:
    return round_fen(months * monthly_wage)


def months_text(months: Decimal) -> str:
    """7.00 → 7, 7.50 → 7.5 (never 7E+1 for 70)."""
    text = format(months, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_text(amount: Decimal) -> str:
    return format(round_fen(amount), "f")


def period_text(valid_from: datetime.date, valid_to: datetime.date | None) -> str:
    if valid_to is None:
        return _("%(start)s 起执行") % {"start": valid_from.isoformat()}
    return _("%(start)s 至 %(end)s 执行") % {"start": valid_from.isoformat(), "end": valid_to.isoformat()}


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


# ---- reading what a caller gave --------------------------------------------------------------------------
def find_benefit(standards: Standards, given) -> Benefit:
    """The benefit named by its code or its Chinese name."""
    if not isinstance(given, str):
        raise BenefitRefused(UNKNOWN_BENEFIT, _("待遇须以编码或名称（文本）给出。"))
    wanted = unicodedata.normalize("NFKC", given).strip()
    found = standards.benefit(wanted) if 0 < len(wanted) <= MAX_NAME_TEXT else None
    if found is None:
        known = "、".join(f"{b.name}（{b.code}）" for b in standards.benefits) or _("无")
        raise BenefitRefused(
            UNKNOWN_BENEFIT,
            _("没有待遇“%(given)s”；可用的待遇：%(known)s。") % {"given": _shown(wanted), "known": known},
        )
    return found


def parse_grade(value) -> int:
    """A disability grade 1–10: an int, or text such as 10, 10级, 十级, 十级伤残, 伤残十级."""
    refused = BenefitRefused(INVALID_GRADE, _("伤残等级须为 1 至 10 的整数（也可写作“十级”）。"))
    if isinstance(value, bool):
        raise refused
    if isinstance(value, int):
        grade = value
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        found = GRADE_TEXT.match(text) if len(text) <= MAX_GRADE_TEXT else None
        if found is None:
            raise refused
        word = found.group(1)
        grade = GRADE_WORDS.index(word) + 1 if word in GRADE_WORDS else int(word)
    else:
        raise refused
    if grade not in GRADES:
        raise refused
    return grade


def parse_wage(value) -> Decimal:
    """The monthly wage as an exact Decimal, within the limits of the module's docstring."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise BenefitRefused(INVALID_WAGE, _("月工资须为数字或数字文本，例如 3083.20。"))
    if isinstance(value, int | Decimal):
        return _checked_wage(Decimal(value))
    if isinstance(value, float):
        text = str(value)  # the float as written (0.1 → "0.1"); never float arithmetic
    else:
        text = unicodedata.normalize("NFKC", value).strip()
        if len(text) > MAX_WAGE_TEXT or not (WAGE_PLAIN.match(text) or WAGE_GROUPED.match(text)):
            if text.startswith("-") and WAGE_PLAIN.match(text[1:]):
                raise BenefitRefused(INVALID_WAGE, _("月工资须大于 0。"))
            raise BenefitRefused(
                INVALID_WAGE,
                _("月工资“%(given)s”不是有效的金额（例如 3083.20 或 3,083.20）。") % {"given": _shown(text)},
            )
        text = text.replace(",", "")
    try:
        wage = Decimal(text)
    except InvalidOperation:
        raise BenefitRefused(
            INVALID_WAGE, _("月工资“%(given)s”不是有效的金额。") % {"given": _shown(text)}
        ) from None
    return _checked_wage(wage)


def _checked_wage(wage: Decimal) -> Decimal:
    if not wage.is_finite():
        raise BenefitRefused(INVALID_WAGE, _("月工资须为有限的数值。"))
    if wage <= 0:
        raise BenefitRefused(INVALID_WAGE, _("月工资须大于 0。"))
    if wage > MAX_WAGE:
        raise BenefitRefused(
            INVALID_WAGE, _("月工资不能超过 %(limit)s 元。") % {"limit": format(MAX_WAGE, "f")}
        )
    if wage != wage.quantize(FEN):
        raise BenefitRefused(INVALID_WAGE, _("月工资最多两位小数（精确到分）。"))
    return wage.quantize(FEN)


def parse_day(value) -> datetime.date:
    """A day: a date, or text YYYY-MM-DD."""
    if isinstance(value, datetime.datetime):
        raise BenefitRefused(INVALID_DATE, _("日期须写作 YYYY-MM-DD，例如 2026-08-02。"))
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and DAY_TEXT.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BenefitRefused(INVALID_DATE, _("日期须写作 YYYY-MM-DD，例如 2026-08-02。"))


# ---- the rule ------------------------------------------------------------------------------------------
def standard_for(standards: Standards, benefit: Benefit, grade: int, on: datetime.date) -> Standard:
    """The standard of ``benefit`` for ``grade`` in force on ``on`` (the latest start, should periods overlap)."""
    rows = standards.rows_of(benefit.code, grade)
    if not rows:
        graded = sorted({row.grade for row in standards.rows if row.benefit == benefit.code})
        where = "、".join(GRADE_NAMES[g] for g in graded) or _("无")
        raise BenefitRefused(
            UNKNOWN_GRADE,
            _("%(benefit)s没有%(grade)s伤残的标准；有标准的等级：%(where)s。")
            % {"benefit": benefit.name, "grade": GRADE_NAMES[grade], "where": where},
        )
    in_force = [row for row in rows if row.in_force(on)]
    if not in_force:
        periods = "；".join(period_text(row.valid_from, row.valid_to) for row in sorted(rows, key=_start))
        raise BenefitRefused(
            NOT_IN_FORCE,
            _("%(benefit)s%(grade)s伤残的标准在 %(day)s 不在有效期内（%(periods)s）。")
            % {
                "benefit": benefit.name,
                "grade": GRADE_NAMES[grade],
                "day": on.isoformat(),
                "periods": periods,
            },
        )
    return max(in_force, key=_start)


def _start(row: Standard) -> datetime.date:
    return row.valid_from


def compute(standards: Standards, *, benefit, grade, monthly_wage, on) -> Computation:
    """months × monthly wage of ``benefit`` at ``grade`` under the standard in force on ``on``, rounded half-up
    to the fen; refuses with ``BenefitRefused``: what was given is checked first (benefit, grade, wage, date), then
    whether a standard applies."""
    found = find_benefit(standards, benefit)
    level = parse_grade(grade)
    wage = parse_wage(monthly_wage)
    day = parse_day(on)
    standard = standard_for(standards, found, level, day)
    return Computation(
        benefit=found,
        grade=level,
        months=standard.months,
        monthly_wage=wage,
        amount=amount_of(standard.months, wage),
        on=day,
        standard=standard,
    )


# ---- rules of the data ---------------------------------------------------------------------------------
def overlap_problem(row: Standard, others: Iterable[Standard]) -> str | None:
    """Two standards of one benefit and grade whose periods share a day: which would apply? (None: none do.)"""
    for other in others:
        if other.benefit != row.benefit or other.grade != row.grade:
            continue
        starts_before_other_ends = other.valid_to is None or row.valid_from <= other.valid_to
        ends_after_other_starts = row.valid_to is None or other.valid_from <= row.valid_to
        if starts_before_other_ends and ends_after_other_starts:
            return _("%(grade)s伤残已有标准（%(period)s），有效期不能重叠。") % {
                "grade": GRADE_NAMES[row.grade],
                "period": period_text(other.valid_from, other.valid_to),
            }
    return None
