"""Identity and numbering rules of a case (pure): the GB 11643 check of a mainland 居民身份证 number and the
受理回执号 (acceptance time YYMMDDhhmmss + a 4-digit sequence)."""

import datetime
import re

ID_CARD = "id_card"  # 居民身份证
ID_TYPES = {
    ID_CARD: "居民身份证",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "passport": "护照",
    "foreign_permanent": "外国人永久居留身份证",
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_OTHER_ID = re.compile(r"^[0-9A-Za-z()（）-]{5,30}$")

RECEIPT_SEQUENCE_MAX = 9_999


def id_number_problem(id_type: str, number: str) -> str | None:
    """Why ``number`` is not a valid number of ``id_type`` (None when it is). A 居民身份证 number has 18
    characters, a valid birth date and the GB 11643-1999 check character."""
    if id_type not in ID_TYPES:
        return f"证件类型“{id_type}”无效"
    if id_type != ID_CARD:
        return None if _OTHER_ID.match(number or "") else "证件号码应为 5 至 30 位字母或数字"
    value = (number or "").strip().upper()
    if not _ID_PATTERN.match(value):
        return "居民身份证号码应为 18 位（最后一位可为 X）"
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "居民身份证号码中的出生日期无效"
    if birth.year < 1900 or birth > datetime.date.today():
        return "居民身份证号码中的出生日期无效"
    expected = _CHECK[
        sum(int(digit) * weight for digit, weight in zip(value[:17], _WEIGHTS, strict=True)) % 11
    ]
    if value[17] != expected:
        return "居民身份证号码校验位不正确，请核对"
    return None


def sex_from_id_card(number: str) -> str:
    """'M' or 'F' from the 17th digit of a 居民身份证 number."""
    return "M" if int(number[16]) % 2 else "F"


def receipt_prefix(moment: datetime.datetime) -> str:
    """The first 12 digits of a 受理回执号: the acceptance time to the second."""
    return moment.strftime("%y%m%d%H%M%S")


def receipt_number(prefix: str, sequence: int) -> str:
    """A 16-digit 受理回执号 from its time prefix and its sequence within that second (1–9999)."""
    if not 1 <= sequence <= RECEIPT_SEQUENCE_MAX:
        raise ValueError(f"sequence {sequence} out of range")
    return f"{prefix}{sequence:04d}"
