"""The rules of a joint application (routing.joint.planning, pure): the choice checked against the catalog's
relations (read here from the reference file itself, as plain data), the order and edges of the cases, the union
of materials with shared ones once and decisions passed on internally, the one notice, the derived state."""

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing import states
from routing.joint import planning
from routing.joint.planning import ChecklistItem, MatterRule, Plan, Refusal

REFERENCE = Path(__file__).resolve().parents[3] / "catalog" / "reference_data" / "guangdong.json"


def _reference_rules() -> dict[str, MatterRule]:
    matters = json.loads(REFERENCE.read_text(encoding="utf-8"))["matters"]
    return {
        m["code"]: MatterRule(
            code=m["code"],
            name=m["name"],
            joint=bool(m.get("joint_handling")),
            prerequisites=frozenset(m.get("prerequisites") or ()),
            conflicts=frozenset(m.get("conflicts") or ()),
        )
        for m in matters
    }


RULES = _reference_rules()
JOINT = sorted(code for code, rule in RULES.items() if rule.joint)
RECOGNITION, ASSESSMENT, DISABILITY = "GS0301", "GS0302", "GS0106"


def test_the_reference_catalog_has_the_15_joint_matters():
    assert len(JOINT) == 15


# ---- the choice ------------------------------------------------------------------------------------------------
def test_recognition_assessment_and_disability_benefits_are_planned_in_dependency_order():
    answer = planning.plan([DISABILITY, ASSESSMENT, RECOGNITION], RULES)
    assert isinstance(answer, Plan) and answer.ok
    assert [case.matter for case in answer.cases] == [RECOGNITION, ASSESSMENT, DISABILITY]
    assert answer.case(RECOGNITION).waits_for == ()
    assert answer.case(ASSESSMENT).waits_for == (RECOGNITION,)
    assert set(answer.case(DISABILITY).waits_for) == {RECOGNITION, ASSESSMENT}
    # The decisions flow on: 工伤认定决定书 to both, 劳动能力鉴定结论书 to the benefits.
    assert answer.case(ASSESSMENT).internal_materials == ("CL003",)
    assert set(answer.case(DISABILITY).internal_materials) == {"CL003", "CL004"}


def test_assessment_without_recognition_is_refused_naming_both():
    answer = planning.plan([ASSESSMENT], RULES)
    assert isinstance(answer, Refusal) and not answer.ok
    assert answer.reason_code == planning.MISSING_PREREQUISITE
    [problem] = answer.problems
    assert (problem.matter, problem.others) == (ASSESSMENT, (RECOGNITION,))
    assert answer.message == (
        "劳动能力鉴定申请（GS0302）须先办结工伤认定申请（GS0301）：请一并选择，或待其办结后再申请。"
    )


def test_a_prerequisite_already_decided_for_the_person_suffices_and_its_decision_flows_on():
    answer = planning.plan([ASSESSMENT], RULES, decided={RECOGNITION})
    assert answer.ok
    [case] = answer.cases
    assert (case.waits_for, case.decided, case.internal_materials) == ((), (RECOGNITION,), ("CL003",))


def test_every_missing_prerequisite_is_named():
    answer = planning.plan([DISABILITY], RULES)
    assert answer.problems[0].others == (RECOGNITION, ASSESSMENT)
    assert "工伤认定申请（GS0301）、劳动能力鉴定申请（GS0302）" in answer.message


def test_conflicting_matters_are_refused_whichever_records_the_conflict():
    # GS0105 records its conflict with GS0305; GS0305 does not record it.
    for chosen in (
        [RECOGNITION, "GS0305", "GS0105", ASSESSMENT],
        [RECOGNITION, "GS0105", ASSESSMENT, "GS0305"],
    ):
        answer = planning.plan(chosen, RULES)
        assert answer.reason_code == planning.CONFLICT
        [problem] = answer.problems
        assert {problem.matter, *problem.others} == {"GS0105", "GS0305"}
        assert (
            "工伤一次性医疗补助金（GS0105）" in answer.message
            and "旧伤复发申请确认（GS0305）" in answer.message
        )


def test_a_matter_outside_the_15_is_refused():
    answer = planning.plan([RECOGNITION, "GS0102"], RULES)
    assert answer.reason_code == planning.NOT_JOINT_MATTER
    assert answer.message == "工伤康复费（GS0102）不是“一件事”联办事项，请单独申请。"


def test_a_matter_chosen_twice_is_named_once():
    answer = planning.plan([RECOGNITION, RECOGNITION, RECOGNITION], RULES)
    assert [(p.reason_code, p.matter) for p in answer.problems] == [(planning.DUPLICATE, RECOGNITION)]


def test_unknown_matters_and_an_empty_choice_are_refused():
    assert planning.plan(["XX9999"], RULES).reason_code == planning.UNKNOWN_MATTER
    assert planning.plan([], RULES).reason_code == planning.NO_MATTERS


def test_a_matter_already_being_handled_for_the_person_is_not_asked_again():
    answer = planning.plan([RECOGNITION], RULES, open_elsewhere={RECOGNITION})
    assert answer.reason_code == planning.ALREADY_OPEN
    assert "已有一笔正在办理的工伤认定申请（GS0301）" in answer.message


def test_all_problems_are_told_at_once_and_the_code_follows_a_fixed_order():
    answer = planning.plan([DISABILITY, "GS0109", "GS0102", DISABILITY], RULES)
    codes = [p.reason_code for p in answer.problems]
    assert set(codes) == {
        planning.DUPLICATE,
        planning.NOT_JOINT_MATTER,
        planning.CONFLICT,
        planning.MISSING_PREREQUISITE,
    }
    assert answer.reason_code == planning.DUPLICATE
    assert [p.as_dict()["reason_code"] for p in answer.problems] == codes


def test_a_cycle_in_hand_made_rules_is_refused_not_looped():
    rules = {
        "A": MatterRule("A", "甲", True, frozenset({"B"})),
        "B": MatterRule("B", "乙", True, frozenset({"A"})),
    }
    answer = planning.plan(["A", "B"], rules)
    assert not answer.ok and "循环" in answer.message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(JOINT), unique=True, min_size=1, max_size=8), st.sets(st.sampled_from(JOINT)))
def test_any_accepted_choice_orders_every_prerequisite_before_its_dependants(chosen, decided):
    answer = planning.plan(chosen, RULES, decided=decided)
    if not answer.ok:
        assert answer.problems  # and each names a chosen matter
        assert {p.matter for p in answer.problems} <= set(chosen)
        return
    position = {case.matter: index for index, case in enumerate(answer.cases)}
    assert set(position) == set(chosen)
    for case in answer.cases:
        assert set(case.waits_for) == RULES[case.matter].prerequisites & set(chosen)
        assert all(position[p] < position[case.matter] for p in case.waits_for)
        assert set(case.decided) == (RULES[case.matter].prerequisites & decided) - set(chosen)
    for first, second in itertools.combinations(chosen, 2):
        assert not planning.conflicting(first, second, RULES)


# ---- materials -------------------------------------------------------------------------------------------------
LISTS = {
    RECOGNITION: [
        ChecklistItem("CL001", "居民身份证", True),
        ChecklistItem("CL017", "劳动合同或聘用合同", True),
    ],
    ASSESSMENT: [
        ChecklistItem("CL001", "居民身份证", True),
        ChecklistItem("CL003", "工伤认定决定书", True),
        ChecklistItem("CL006", "病历资料", True),
        ChecklistItem("CL022", "亲属关系证明", False),
    ],
    DISABILITY: [
        ChecklistItem("CL001", "居民身份证", True),
        ChecklistItem("CL004", "劳动能力鉴定结论书", True),
        ChecklistItem("CL006", "病历资料", True),
        ChecklistItem("CL008", "银行账户资料", True),
        ChecklistItem("CL022", "亲属关系证明", False),
        ChecklistItem("CL008", "银行账户资料", False),
    ],
}


def _union():
    return planning.material_union(planning.plan([RECOGNITION, ASSESSMENT, DISABILITY], RULES), LISTS)


def test_the_union_lists_each_material_once_with_the_matters_needing_it():
    union = {need.code: need for need in _union()}
    assert list(union) == ["CL001", "CL017", "CL003", "CL006", "CL022", "CL004", "CL008"]
    assert union["CL001"].required_by == (RECOGNITION, ASSESSMENT, DISABILITY) and union["CL001"].shared
    assert union["CL006"].required_by == (ASSESSMENT, DISABILITY)
    assert union["CL022"].optional_for == (ASSESSMENT, DISABILITY) and not union["CL022"].required_by
    assert union["CL008"].required_by == (DISABILITY,) and not union["CL008"].shared


def test_decisions_of_prerequisites_in_the_application_are_never_asked_of_the_applicant():
    union = {need.code: need for need in _union()}
    assert union["CL003"].internal_for == (ASSESSMENT,) and not union["CL003"].from_applicant
    assert union["CL004"].internal_for == (DISABILITY,) and not union["CL004"].from_applicant
    missing = planning.missing_materials(_union(), provided=["CL001", "CL017"])
    assert [need.code for need in missing] == ["CL006", "CL008"]


def test_one_notice_lists_everything_missing_and_what_waits_for_it():
    missing = planning.missing_materials(_union(), provided=["CL001"])
    names = {code: rule.name for code, rule in RULES.items()}
    text = planning.notice_text(missing, names)
    assert text.splitlines() == [
        "请补充以下材料（一次性告知），补齐后受影响的事项恢复办理：",
        "1. 劳动合同或聘用合同（CL017），用于：工伤认定申请",
        "2. 病历资料（CL006），用于：劳动能力鉴定申请、伤残待遇核定",
        "3. 银行账户资料（CL008），用于：伤残待遇核定",
    ]
    assert planning.notice_text((), names) == ""


def test_a_decision_asked_by_a_matter_without_that_prerequisite_in_hand_is_owed_by_the_applicant():
    lists = {RECOGNITION: [ChecklistItem("CL003", "工伤认定决定书", True)]}
    union = planning.material_union(planning.plan([RECOGNITION], RULES), lists)
    assert union[0].required_by == (RECOGNITION,) and not union[0].internal_for


def test_what_a_case_owes_leaves_out_what_its_prerequisites_provide():
    assert planning.owed_by_applicant(["CL003", "CL006"], ["CL003", "CL004"]) == ["CL006"]


# ---- the application's state --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["scanned", "waiting", "waiting"], "in_progress"),
        (["completed", "suspended", "waiting"], "partly_suspended"),
        (["completed", "archived", "completed"], "completed"),
        (["completed", "terminated", "terminated"], "partly_completed"),
        (["review_failed", "terminated"], "ended"),
        (["refused"], "ended"),
    ],
)
def test_the_application_state_follows_its_cases(statuses, expected):
    assert planning.application_status(statuses) == expected
    assert expected in planning.APPLICATION_STATUS_NAMES


def test_every_case_status_gives_an_application_state():
    for status in states.STATUS_NAMES:
        assert planning.application_status([status]) in planning.APPLICATION_STATUS_NAMES
