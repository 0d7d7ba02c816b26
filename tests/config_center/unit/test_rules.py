"""The validity and completeness rules of a local matter (pure, no database)."""

from dataclasses import replace

from config_center.drafts import rules
from config_center.drafts.rules import ListItem, LocalMatterFacts, PrintSlotFacts, SmsSlotFacts

BASE = LocalMatterFacts(
    matter_code="GS0101",
    matter_name="工伤医疗费",
    matter_active=True,
    province_wide_eligible=True,
    distribution_mode="local",
    flow_mode="promised",
    review_levels=2,
    time_limit_days=20,
    checklists={("counter", "main"): (ListItem("CL001"), ListItem("CL003"))},
    channel_names={"counter": "柜台", "kiosk": "自助机"},
)


def codes(facts) -> set[str]:
    return {finding.code for finding in rules.check_local_matter(facts)}


def test_a_configured_local_matter_is_complete():
    findings = rules.check_local_matter(BASE)
    assert findings == ()
    assert rules.is_complete(findings)


def test_province_mode_is_refused_for_a_matter_not_eligible_province_wide():
    facts = replace(
        BASE, distribution_mode="province", province_wide_eligible=False, matter_name="工伤认定申请"
    )
    [finding] = [f for f in rules.check_local_matter(facts) if f.code == "province_mode_not_eligible"]
    assert finding.severity == rules.ERROR
    assert finding.field == "distribution_mode"
    assert "工伤认定申请" in finding.message and "可全省通办" in finding.message


def test_province_mode_without_counter_materials_is_incomplete():
    facts = replace(BASE, distribution_mode="province", checklists={})
    findings = rules.check_local_matter(facts)
    assert "province_mode_without_counter_materials" in {f.code for f in findings}
    assert not rules.is_complete(findings)


def test_counter_enabled_without_materials_is_incomplete_in_local_mode_too():
    assert "counter_without_materials" in codes(replace(BASE, checklists={}))


def test_sms_slot_bound_to_an_inactive_template_is_flagged():
    slot = SmsSlotFacts("accepted", "受理短信", "GS_SL_01", template_active=False, template_valid=True)
    findings = rules.check_local_matter(replace(BASE, sms_slots=(slot,)))
    [finding] = findings
    assert finding.code == "sms_template_invalid" and finding.severity == rules.INCOMPLETE
    assert "受理短信" in finding.message and "GS_SL_01" in finding.message


def test_sms_slot_bound_to_an_invalid_template_is_flagged():
    slot = SmsSlotFacts("accepted", "受理短信", "GS_SL_01", template_active=True, template_valid=False)
    assert codes(replace(BASE, sms_slots=(slot,))) == {"sms_template_invalid"}


def test_first_review_sms_with_a_single_review_level_is_a_warning():
    slot = SmsSlotFacts("first_reviewed", "已初审短信", "GS_CS_01", True, True)
    findings = rules.check_local_matter(replace(BASE, review_levels=1, sms_slots=(slot,)))
    assert [(f.code, f.severity) for f in findings] == [("first_reviewed_sms_single_level", rules.WARNING)]
    assert rules.is_complete(findings)


def test_time_limit_must_be_between_1_and_365_working_days():
    assert "time_limit_out_of_range" in codes(replace(BASE, time_limit_days=0))
    assert "time_limit_out_of_range" in codes(replace(BASE, time_limit_days=366))
    assert "time_limit_out_of_range" not in codes(replace(BASE, time_limit_days=365))


def test_instant_matters_have_one_review_level():
    assert "instant_with_two_levels" in codes(replace(BASE, flow_mode="instant", review_levels=2))
    assert "instant_with_two_levels" not in codes(replace(BASE, flow_mode="instant", review_levels=1))


def test_a_material_appears_at_most_once_per_list():
    [finding] = rules.list_findings("main", [ListItem("CL001"), ListItem("CL001")], list_label="柜台主材料")
    assert finding.code == "duplicate_material"
    assert "柜台主材料" in finding.message and "CL001" in finding.message


def test_the_same_material_may_appear_in_different_lists():
    facts = replace(
        BASE,
        checklists={
            ("counter", "main"): (ListItem("CL001"),),
            ("counter", "auxiliary"): (ListItem("CL001", "代办"),),
            ("web", "main"): (ListItem("CL001"),),
        },
    )
    assert "duplicate_material" not in codes(facts)


def test_auxiliary_and_application_items_need_a_name():
    findings = rules.list_findings("auxiliary", [ListItem("CL022", " ")])
    assert [f.code for f in findings] == ["missing_item_name"]
    assert "辅助项名称" in findings[0].message and "第 1 行" in findings[0].message
    assert rules.list_findings("application", [ListItem("CL005", "")])[0].message.endswith("申请事项名称。")
    assert rules.list_findings("main", [ListItem("CL005", "")]) == []


def test_post_delivery_needs_a_payer_and_the_hall_an_item_code_and_the_seal_a_code():
    facts = replace(BASE, post_enabled=True, hall_listed=True, e_seal_enabled=True)
    assert {"post_without_payer", "hall_without_item_code", "e_seal_without_code"} <= codes(facts)
    filled = replace(facts, post_fee_payer="agency", hall_item_code="11440000MB2C9", e_seal_code="GDSEAL001")
    assert codes(filled) == set()


def _print(document="completion", template_document="completion", **kwargs):
    values = {"template_active": True, "e_seal": False, "anti_forgery_code": False, **kwargs}
    return PrintSlotFacts(document, "业务办结单", "PT_BJD_01", template_document, **values)


def test_only_the_completion_form_may_carry_an_anti_forgery_code():
    assert "anti_forgery_not_completion" in codes(
        replace(BASE, print_slots=(_print("receipt", "receipt", anti_forgery_code=True),))
    )
    assert codes(replace(BASE, print_slots=(_print(anti_forgery_code=True),))) == set()


def test_e_seal_on_a_document_needs_the_e_seal_enabled():
    assert "e_seal_disabled" in codes(replace(BASE, print_slots=(_print(e_seal=True),)))
    sealed = replace(BASE, e_seal_enabled=True, e_seal_code="GDSEAL001", print_slots=(_print(e_seal=True),))
    assert codes(sealed) == set()


def test_print_template_must_be_for_the_same_document():
    assert "print_template_wrong_document" in codes(
        replace(BASE, print_slots=(_print("completion", "receipt"),))
    )


def test_kiosk_acceptance_needs_kiosk_materials():
    assert "kiosk_without_materials" in codes(replace(BASE, kiosk_accept=True))


def test_errors_come_before_incomplete_before_warnings():
    facts = replace(
        BASE,
        matter_active=False,
        checklists={},
        distribution_mode="province",
        province_wide_eligible=False,
    )
    severities = [f.severity for f in rules.check_local_matter(facts)]
    assert severities == sorted(severities, key=[rules.ERROR, rules.INCOMPLETE, rules.WARNING].index)
    assert severities[0] == rules.ERROR and severities[-1] == rules.WARNING
