"""The one masking rule for names and ID numbers (core.masking), as annex 4 shows it: 黄林 → 黄**."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.masking import COMPOUND_SURNAMES, mask_id_number, mask_name
from sms_templates.models import SmsTemplate

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("黄林", "黄**"),
        ("黄林林", "黄**"),
        ("欧阳修", "欧阳**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("诸葛亮", "诸葛**"),
        ("西门庆", "西门**"),
        ("欧阳", "欧**"),  # two characters: more likely 欧 + 阳 than a surname alone
        ("黄", "黄**"),
        ("Zhang San", "Z**"),
        (" 黄林\u3000", "黄**"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_a_name_keeps_its_surname_and_gets_two_stars(name, masked):
    assert mask_name(name) == masked


def test_the_compound_surname_list_is_the_fixed_nineteen():
    assert len(COMPOUND_SURNAMES) == 19
    assert all(len(surname) == 2 for surname in COMPOUND_SURNAMES)


SURNAMES = st.one_of(
    st.sampled_from(sorted(COMPOUND_SURNAMES)),
    # A single-character surname that does not start a compound one (欧 + 阳… would read as 欧阳).
    HAN.filter(lambda char: not any(surname.startswith(char) for surname in COMPOUND_SURNAMES)),
)
GIVEN_NAMES = st.lists(st.text(alphabet=HAN, min_size=1, max_size=6), min_size=2, max_size=4)


@given(surname=SURNAMES, given_names=GIVEN_NAMES)
def test_a_masked_name_does_not_reveal_the_given_name_or_its_length(surname, given_names):
    masks = {mask_name(surname + given_name) for given_name in given_names}
    assert masks == {surname + "**"}


@given(value=st.text())
def test_a_masked_name_is_at_most_two_kept_characters_and_two_stars(value):
    masked = mask_name(value)
    name = value.strip()
    if not name:
        assert masked == ""
        return
    kept = masked.removesuffix("**")
    assert masked == kept + "**"
    assert len(kept) in (1, 2) and name.startswith(kept)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("440102199001011234", "4****************4"),
        ("44010219900101123X", "4****************X"),
        ("440102900101123", "4*************3"),  # the old 15-digit number
        (" 440102199001011234 ", "4****************4"),
        ("123", "1*3"),
        ("12", "**"),
        ("1", "*"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_an_id_number_keeps_only_its_first_and_last_characters(number, masked):
    assert mask_id_number(number) == masked


@given(value=st.text())
def test_a_masked_id_number_keeps_its_length_and_at_most_its_two_ends(value):
    number = value.strip()
    masked = mask_id_number(value)
    assert len(masked) == len(number)
    if len(number) > 2:
        assert masked == number[0] + "*" * (len(number) - 2) + number[-1]
    else:
        assert set(masked) <= {"*"}


def test_the_template_form_describes_the_masks_it_applies():
    def help_text(name: str) -> str:
        return str(SmsTemplate._meta.get_field(name).help_text)

    assert mask_id_number("440102199001011234") in help_text("allow_full_id_number")
    assert mask_name("黄林") in help_text("mask_names") and mask_name("欧阳修") in help_text("mask_names")
