"""Cleaning what real spreadsheets contain (pure): codes Excel stored as numbers, full-width characters,
stray spaces, the many ways of writing yes and no, labels instead of codes.

Each function either returns a clean value or raises ``ValueError`` with a Chinese message; the
importer turns that into a row-numbered error.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime

TRUE_WORDS = {"是", "y", "yes", "true", "t", "1", "有效", "√", "✓", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "f", "0", "无效", "×", "✗", "不"}
FORMULA_PREFIXES = ("=", "+", "-", "@")


def text(value) -> str:
    """A cell as clean text: NFKC (full-width → ASCII), no surrounding or full-width spaces; None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = unicodedata.normalize("NFKC", str(value))
    return cleaned.replace("\u3000", " ").strip()


def free_text(value) -> str:
    """A free-text cell (a name, an SMS template): trimmed, otherwise exactly as written (no NFKC:
    full-width punctuation is part of Chinese text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def code(value) -> str:
    """An identifier cell: ``442000.0`` → ``442000``, ``４４２０００`` → ``442000``, inner spaces removed."""
    cleaned = "".join(text(value).split())
    if cleaned.endswith(".0") and cleaned[:-2].isdigit():
        cleaned = cleaned[:-2]
    return cleaned


def boolean(value, *, column: str = "") -> bool:
    """是/否, Y/N, TRUE/FALSE, 1/0, 有效/无效 (and Excel's real booleans)."""
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"“{text(value)}”无法识别为是/否（可填 是/否、Y/N、TRUE/FALSE、1/0）")


def choice(value, options: Mapping[str, str], *, what: str) -> str:
    """A value given as a code or as its label (柜台 or counter) → the code."""
    given = text(value)
    if given in options:
        return given
    # A label read back from a cell is NFKC-normalised like the cell (三级：… → 三级:…): compare alike.
    by_label = {text(label): key for key, label in options.items()}
    if given in by_label:
        return by_label[given]
    lowered = {key.lower(): key for key in options}
    if given.lower() in lowered:
        return lowered[given.lower()]
    allowed = "、".join(options.values())
    raise ValueError(f"{what}“{given}”无效，可填：{allowed}")


def integer(value, *, low: int | None = None, high: int | None = None) -> int:
    given = code(value)
    if not given.lstrip("-").isdigit():
        raise ValueError(f"“{text(value)}”不是整数")
    number = int(given)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{number} 超出允许范围 {low}–{high}")
    return number


LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def code_list(value) -> list[str]:
    """A cell holding several codes (GS0301、GS0302 or GS0301,GS0302): the codes in order, without repeats."""
    return list(dict.fromkeys(part for part in LIST_SEPARATORS.split(text(value)) if part))


def day(value) -> date:
    """A date cell: a real date (Excel), 2026-10-01, 2026/10/1 or 2026年10月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    given = text(value)
    if given.endswith(" 00:00:00"):  # a date read back as text with its midnight
        given = given[: -len(" 00:00:00")]
    found = DATE_PATTERN.match(given)
    if found:
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            pass
    raise ValueError(f"“{given}”不是有效日期（请填写如 2026-10-01）")


def is_blank(values: Iterable) -> bool:
    return all(text(value) == "" for value in values)


def escape_formula(value):
    """Neutralise spreadsheet formula injection: a text cell starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
