"""The matter catalog file against the two seed lists it follows (read as a file, no database)."""

import re

import pytest

from catalog.services import read_reference_file

ANNEX_2 = "003 附件2"  # 粤社保〔2023〕4号 附件 2: the 11 matters that 可全省通办
JOINT_ITEM = re.compile(r"000 第(\d+)项")  # 黄山区 plan: the 15 matters of the 「一件事」

MATTERS = {row["code"]: row for row in read_reference_file()["matters"]}


@pytest.mark.parametrize("code", sorted(MATTERS))
def test_a_matter_is_province_wide_exactly_when_it_follows_annex_2(code):
    row = MATTERS[code]
    assert row["province_wide"] is (ANNEX_2 in row["source"])


@pytest.mark.parametrize("code", sorted(MATTERS))
def test_a_matter_is_joint_handling_exactly_when_it_follows_an_item_of_the_huangshan_list(code):
    row = MATTERS[code]
    assert row["joint_handling"] is bool(JOINT_ITEM.search(row["source"]))


def test_annex_2_gives_eleven_matters_and_the_huangshan_list_fifteen_each_once():
    assert sum(ANNEX_2 in row["source"] for row in MATTERS.values()) == 11
    items = [int(n) for row in MATTERS.values() for n in JOINT_ITEM.findall(row["source"])]
    assert sorted(items) == list(range(1, 16))


def test_the_transfer_function_follows_annex_4_and_is_in_neither_list():
    transfer = MATTERS["GS0401"]
    assert transfer["source"] == "003 附件4"
    assert not transfer["province_wide"] and not transfer["joint_handling"]


def test_the_death_benefit_determination_and_the_separate_claims_are_distinct_matters():
    determination = MATTERS["GS0107"]
    assert determination["source"] == ANNEX_2
    assert {"GS0109", "GS0110", "GS0111"} <= set(determination["conflicts"])
    for code in ("GS0109", "GS0110", "GS0111"):
        assert not MATTERS[code]["province_wide"] and MATTERS[code]["joint_handling"]
