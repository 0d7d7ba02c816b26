"""The rules over 前置事项 / 冲突事项 and the agency tree's kinds (pure)."""

from catalog.dependencies import dependency_problems, prerequisite_cycles
from catalog.tree import parent_kind_problem


def test_the_reference_relations_have_no_problem():
    assert (
        dependency_problems({"GS0302": {"GS0301"}, "GS0105": {"GS0301", "GS0302"}}, {"GS0105": {"GS0305"}})
        == []
    )


def test_a_matter_cannot_require_or_conflict_with_itself():
    problems = dependency_problems({"GS0301": {"GS0301"}}, {"GS0302": {"GS0302"}})
    assert problems == ["GS0301 不能是自己的前置事项", "GS0302 不能与自己冲突"]


def test_a_pair_cannot_be_both_prerequisite_and_conflict_either_way_round():
    assert dependency_problems({"GS0105": {"GS0301"}}, {"GS0105": {"GS0301"}}) == [
        "GS0105 与 GS0301 不能既是前置事项又是冲突事项"
    ]
    # conflicts hold both ways: declared on the other matter, the pair is still contradictory
    assert dependency_problems({"GS0105": {"GS0301"}}, {"GS0301": {"GS0105"}}) == [
        "GS0105 与 GS0301 不能既是前置事项又是冲突事项"
    ]


def test_each_prerequisite_cycle_is_named_once():
    cycles = prerequisite_cycles({"A": {"B"}, "B": {"C"}, "C": {"A"}, "D": {"A"}})
    assert cycles == [["A", "B", "C", "A"]]
    assert dependency_problems({"A": {"B"}, "B": {"A"}}, {}) == ["前置事项形成循环：A → B → A"]


def test_a_long_chain_without_a_cycle_is_fine():
    chain = {f"M{i}": {f"M{i + 1}"} for i in range(2_000)}
    assert prerequisite_cycles(chain) == []


def test_agency_kinds_sit_under_the_right_parents():
    assert parent_kind_problem("provincial", None) is None
    assert parent_kind_problem("municipal", "provincial") is None
    assert parent_kind_problem("service_point", "municipal") is None
    assert parent_kind_problem("service_point", "county") is None
    assert parent_kind_problem("service_point", None) == "须填写上级机构"
    assert parent_kind_problem("service_point", "provincial").startswith("上级机构的类型不符")
    assert parent_kind_problem("provincial", "municipal") == "省级经办机构没有上级机构"


def test_a_cycle_below_the_first_matter_and_one_in_a_later_part_are_both_found():
    assert prerequisite_cycles({"A": {"B"}, "B": {"C"}, "C": {"B"}}) == [["B", "C", "B"]]
    assert prerequisite_cycles({"A": {"B"}, "B": set(), "C": {"D"}, "D": {"C"}}) == [["C", "D", "C"]]


def test_many_ways_to_one_matter_are_walked_once():
    # 40 layers of two matters, each requiring both of the next layer: 2**40 paths, 80 matters.
    layers = {f"L{i}{side}": {f"L{i + 1}a", f"L{i + 1}b"} for i in range(40) for side in "ab"}
    assert prerequisite_cycles(layers) == []
