"""Masking of personal data wherever it is shown: SMS, lists and exports (pure functions, no Django).

The rule is the one annex 4 of 粤社保〔2023〕4号 shows on the 业务状态查询 screen, where 黄林 reads 黄**:

* a name keeps its surname and gets exactly two stars, whatever its length, so the mask does not tell
  how long the given name is (黄林 → 黄**, 黄林林 → 黄**). A compound surname is kept whole only from
  a small fixed list of common ones and only when something follows it (欧阳修 → 欧阳**; a
  two-character 欧阳 is more likely 欧 + 阳, so 欧**). Any other name keeps its first character.
* an ID number keeps its first and last characters and stars the rest, same length
  (440102199001011234 → 4****************4). Two characters or fewer are starred entirely:
  keeping both ends would show the whole value.

Surrounding whitespace is not part of the value; an empty or blank value masks to "".
"""

__all__ = ["COMPOUND_SURNAMES", "NAME_STARS", "mask_id_number", "mask_name"]

# Common two-character surnames; a list kept short on purpose, since a wrong guess shows a
# character of the given name.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "令狐",
        "公孙",
        "慕容",
        "尉迟",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
    }
)

NAME_STARS = "**"


def mask_name(value: str) -> str:
    """The surname followed by exactly two stars (黄林 → 黄**, 欧阳修 → 欧阳**); "" for a blank value."""
    name = value.strip()
    if not name:
        return ""
    # A one-character value masks like any name starting with it: the output never says it was short.
    surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + NAME_STARS


def mask_id_number(value: str) -> str:
    """The first and last characters with stars between, same length (440102199001011234 → 4****************4)."""
    number = value.strip()
    if len(number) <= 2:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 2) + number[-1]
