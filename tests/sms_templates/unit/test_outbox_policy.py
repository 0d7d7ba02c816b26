"""Outbox policy without a database: mainland mobile numbers, retry delays, masking as sent."""

import pytest

from sms_templates.outbox import (
    invalid_mobile_reason,
    is_mainland_mobile,
    normalize_mobile,
    render_for_template,
    retry_delay,
)
from sms_templates.placeholders import DEFAULT_VOCABULARY


@pytest.mark.parametrize("number", ["13800138000", "19912345678", "15012345678", "17000000000"])
def test_mainland_mobile_numbers_are_accepted(number):
    assert is_mainland_mobile(number)
    assert invalid_mobile_reason(number) is None


@pytest.mark.parametrize(
    "number",
    ["12800138000", "1380013800", "138001380001", "1380013800a", "02087654321", "", "+8613800138000"],
)
def test_anything_else_is_refused_with_a_chinese_reason(number):
    assert not is_mainland_mobile(number)
    reason = invalid_mobile_reason(number)
    assert "手机号码" in reason and "未发送" in reason


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("(020)87654321", "02087654321"),
    ],
)
def test_numbers_are_normalized_before_validation(raw, normalized):
    assert normalize_mobile(raw) == normalized


def test_retry_delay_doubles_from_the_base_up_to_the_cap():
    delays = [retry_delay(n, base=30, cap=600, jitter=0) for n in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 600, 600]


def test_retry_delay_jitter_only_lengthens_and_by_at_most_the_fraction():
    assert retry_delay(2, base=10, cap=100, jitter=0.2, random=lambda: 0.0) == 20
    assert retry_delay(2, base=10, cap=100, jitter=0.2, random=lambda: 0.999) == pytest.approx(23.996)


def test_retry_delay_refuses_zero_attempts():
    with pytest.raises(ValueError):
        retry_delay(0, base=1, cap=2)


FACTS = {"XM": "黄林", "CBR": "欧阳娜娜", "SFZH": "442000199001011234"}


def test_id_number_is_masked_unless_the_template_allows_it():
    content = "XM（SFZH）"
    masked = render_for_template(
        content, FACTS, DEFAULT_VOCABULARY, allow_full_id_number=False, mask_names=False
    )
    full = render_for_template(
        content, FACTS, DEFAULT_VOCABULARY, allow_full_id_number=True, mask_names=False
    )
    assert masked.text == "黄林（4****************4）"
    assert full.text == "黄林（442000199001011234）"


def test_names_are_masked_when_the_template_asks():
    rendered = render_for_template(
        "XM 为 CBR 代办", FACTS, DEFAULT_VOCABULARY, allow_full_id_number=False, mask_names=True
    )
    assert rendered.text == "黄** 为 欧阳** 代办"
