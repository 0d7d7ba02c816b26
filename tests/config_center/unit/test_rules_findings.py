"""Each rule of a local matter's configuration, finding by finding: severity, code, the message the user reads,
and the field it is shown on (pure). ``test_rules.py`` tells which rules apply when; this pins what each says."""

from dataclasses import replace

import pytest

from config_center.drafts import rules
from config_center.drafts.rules import (
    ERROR,
    INCOMPLETE,
    WARNING,
    Finding,
    ListItem,
    LocalMatterFacts,
    PrintSlotFacts,
    SmsSlotFacts,
)

BASE = LocalMatterFacts(
    matter_code="GS0101",
    matter_name="工伤医疗费",
    matter_active=True,
    province_wide_eligible=True,
    distribution_mode="local",
    flow_mode="promised",
    review_levels=2,
    time_limit_days=20,
    checklists={("counter", "main"): (ListItem("CL001"),)},
    channel_names={"counter": "柜台", "kiosk": "自助机"},
    kind_labels={"main": "主材料", "auxiliary": "辅助材料", "application": "申请事项材料"},
    region_code="442000",
)


def print_slot(
    document="receipt", label="受理回执单", *, template_document=None, **changes
) -> PrintSlotFacts:
    values = {
        "document": document,
        "document_label": label,
        "template_code": "PT_SLHZ_01",
        "template_document": template_document or document,
        "template_active": True,
        "e_seal": False,
        "anti_forgery_code": False,
    }
    return PrintSlotFacts(**{**values, **changes})


def sms_slot(event="accepted", label="受理短信", **changes) -> SmsSlotFacts:
    values = {
        "event": event,
        "event_label": label,
        "template_code": "GS_SL_01",
        "template_active": True,
        "template_valid": True,
        "template_region": None,
    }
    return SmsSlotFacts(**{**values, **changes})


# --- the local matter's own fields -----------------------------------------------------------------


def test_province_mode_for_a_matter_not_province_wide():
    assert rules.distribution_mode_findings(
        "province", province_wide_eligible=False, matter_name="工伤认定申请"
    ) == [
        Finding(
            ERROR,
            "province_mode_not_eligible",
            "“工伤认定申请”在事项目录中未标记为可全省通办，不能设为全省模式；请选择本地模式，"
            "或请省级管理员先在业务事项中勾选“可全省通办”。",
            "distribution_mode",
        )
    ]
    assert rules.distribution_mode_findings("province", province_wide_eligible=True, matter_name="甲") == []
    assert rules.distribution_mode_findings("local", province_wide_eligible=False, matter_name="甲") == []


@pytest.mark.parametrize("days", [0, 366])
def test_a_time_limit_out_of_range(days):
    assert rules.flow_findings(flow_mode="promised", review_levels=2, time_limit_days=days) == [
        Finding(ERROR, "time_limit_out_of_range", "办理时限须在 1 至 365 个工作日之间。", "time_limit_days")
    ]


@pytest.mark.parametrize("days", [1, 365])
def test_the_time_limits_at_the_bounds_are_allowed(days):
    assert rules.flow_findings(flow_mode="promised", review_levels=2, time_limit_days=days) == []


def test_review_levels_other_than_one_or_two():
    assert rules.flow_findings(flow_mode="promised", review_levels=3, time_limit_days=20) == [
        Finding(ERROR, "invalid_review_levels", "业务审核级别只能是一级或二级。", "review_levels")
    ]


def test_an_instant_matter_with_two_review_levels():
    assert rules.flow_findings(flow_mode="instant", review_levels=2, time_limit_days=20) == [
        Finding(
            ERROR,
            "instant_with_two_levels",
            "即办件受理后当场审核办结，只能设为一级审核（初审）。",
            "review_levels",
        )
    ]
    assert rules.flow_findings(flow_mode="instant", review_levels=1, time_limit_days=20) == []


def test_the_properties_that_need_a_value_of_their_own():
    facts = replace(BASE, post_enabled=True, hall_listed=True, e_seal_enabled=True)
    assert rules.property_findings(facts) == [
        Finding(ERROR, "post_without_payer", "已开启邮政寄送，请选择寄送费用由谁承担。", "post_fee_payer"),
        Finding(
            ERROR,
            "hall_without_item_code",
            "进驻政务服务大厅的事项须填写政务服务事项编码。",
            "hall_item_code",
        ),
        Finding(ERROR, "e_seal_without_code", "启用电子印章须填写电子印章编码。", "e_seal_code"),
    ]
    filled = replace(facts, post_fee_payer="applicant", hall_item_code="11440000", e_seal_code="ZS-01")
    assert rules.property_findings(filled) == []


# --- lists --------------------------------------------------------------------------------------------


def test_a_material_twice_in_one_list():
    items = [ListItem("CL001"), ListItem("CL003"), ListItem("CL001"), ListItem("CL001")]
    assert rules.list_findings("main", items, list_label="柜台主材料") == [
        Finding(
            ERROR,
            "duplicate_material",
            "柜台主材料中材料 CL001 出现了 3 次，同一清单中每种材料只能出现一次。",
            "material",
        )
    ]


def test_a_list_without_a_label_is_named_by_its_kind():
    [finding] = rules.list_findings("main", [ListItem("CL001"), ListItem("CL001")])
    assert finding.message.startswith("main中材料 CL001")


@pytest.mark.parametrize(("kind", "what"), [("auxiliary", "辅助项名称"), ("application", "申请事项名称")])
def test_an_item_without_its_name(kind, what):
    items = [ListItem("CL022", "近亲属代办"), ListItem("CL005", "  ")]
    assert rules.list_findings(kind, items, list_label="柜台清单") == [
        Finding(ERROR, "missing_item_name", f"柜台清单第 2 行缺少{what}。", "name")
    ]


def test_main_materials_need_no_names():
    assert rules.list_findings("main", [ListItem("CL001"), ListItem("CL003", "")]) == []


# --- print and SMS slots ------------------------------------------------------------------------------


def test_a_print_template_of_another_document():
    facts = replace(
        BASE, print_slots=(print_slot(template_code="PT_BJD_01", template_document="completion"),)
    )
    assert rules.print_slot_findings(facts) == [
        Finding(
            ERROR,
            "print_template_wrong_document",
            "受理回执单选择的模板 PT_BJD_01 不是受理回执单模板。",
            "print_receipt",
        )
    ]


def test_an_anti_forgery_code_outside_the_completion_document():
    facts = replace(BASE, print_slots=(print_slot(anti_forgery_code=True),))
    assert rules.print_slot_findings(facts) == [
        Finding(
            ERROR,
            "anti_forgery_not_completion",
            "只有业务办结单可以配置验伪码。",
            "print_receipt_anti_forgery_code",
        )
    ]
    completion = replace(BASE, print_slots=(print_slot("completion", "业务办结单", anti_forgery_code=True),))
    assert rules.print_slot_findings(completion) == []


def test_an_e_seal_on_a_matter_without_e_seals():
    facts = replace(BASE, print_slots=(print_slot(e_seal=True),))
    assert rules.print_slot_findings(facts) == [
        Finding(
            ERROR,
            "e_seal_disabled",
            "受理回执单要求加盖电子印章，但本事项未启用电子印章。",
            "print_receipt_e_seal",
        )
    ]
    assert rules.print_slot_findings(replace(facts, e_seal_enabled=True)) == []


def test_an_inactive_print_template():
    facts = replace(BASE, print_slots=(print_slot(template_active=False),))
    assert rules.print_slot_findings(facts) == [
        Finding(
            INCOMPLETE, "print_template_inactive", "受理回执单使用的模板 PT_SLHZ_01 已停用。", "print_receipt"
        )
    ]


def test_templates_of_another_city():
    assert rules.sms_template_scope_finding(
        event="accepted",
        event_label="受理短信",
        template_code="GZ_SL_01",
        template_region="440100",
        region="442000",
    ) == Finding(
        ERROR,
        "sms_template_other_city",
        "受理短信选择的短信模板 GZ_SL_01 是其他城市的模板；只能使用全省通用或本市的短信模板。",
        "sms_accepted",
    )
    assert rules.print_template_scope_finding(
        document="completion",
        document_label="业务办结单",
        template_code="PT_GZ_01",
        template_region="440100",
        region="442000",
    ) == Finding(
        ERROR,
        "print_template_other_city",
        "业务办结单选择的模板 PT_GZ_01 是其他城市的模板；只能使用全省通用或本市的打印模板。",
        "print_completion",
    )


@pytest.mark.parametrize("template_region", [None, "442000"])
def test_province_wide_and_own_templates_are_allowed(template_region):
    common = {"template_code": "T", "template_region": template_region, "region": "442000"}
    assert rules.sms_template_scope_finding(event="accepted", event_label="受理短信", **common) is None
    assert (
        rules.print_template_scope_finding(document="completion", document_label="业务办结单", **common)
        is None
    )


def test_the_sms_slot_findings_in_words():
    foreign = sms_slot(template_code="GZ_SL_01", template_region="440100")
    inactive = sms_slot("completed", "办结短信", template_code="GS_BJ_01", template_active=False)
    invalid = sms_slot("received", "收件短信", template_code="GS_SJ_01", template_valid=False)
    first = sms_slot("first_reviewed", "已初审短信", template_code="GS_CS_01")
    facts = replace(BASE, review_levels=1, sms_slots=(foreign, inactive, invalid, first))
    assert rules.sms_slot_findings(facts) == [
        rules.sms_template_scope_finding(
            event="accepted",
            event_label="受理短信",
            template_code="GZ_SL_01",
            template_region="440100",
            region="442000",
        ),
        Finding(
            INCOMPLETE,
            "sms_template_invalid",
            "办结短信绑定的短信模板 GS_BJ_01 已设为无效，该环节不会发出短信。",
            "sms_completed",
        ),
        Finding(
            INCOMPLETE,
            "sms_template_invalid",
            "收件短信绑定的短信模板 GS_SJ_01 内容不合规，该环节不会发出短信。",
            "sms_received",
        ),
        Finding(
            WARNING,
            "first_reviewed_sms_single_level",
            "一级审核的业务初审即办结，已初审短信不会单独发出。",
            "sms_first_reviewed",
        ),
    ]
    assert rules.sms_slot_findings(replace(facts, review_levels=2, sms_slots=(first,))) == []


# --- completeness ------------------------------------------------------------------------------------


def test_province_mode_without_counter_materials():
    facts = replace(BASE, distribution_mode="province", checklists={})
    assert rules.completeness_findings(facts) == [
        Finding(
            INCOMPLETE,
            "province_mode_without_counter_materials",
            "全省模式的事项须配置柜台主材料，其他城市的网点才能按此清单收件。",
            None,
        )
    ]


def test_a_counter_without_materials_unless_the_counter_does_not_accept():
    facts = replace(BASE, checklists={("kiosk", "main"): (ListItem("CL001"),)})
    assert rules.completeness_findings(facts) == [
        Finding(INCOMPLETE, "counter_without_materials", "柜台可受理，但尚未配置柜台主材料。", None)
    ]
    assert rules.completeness_findings(replace(facts, counter_enabled=False)) == []


def test_a_kiosk_without_materials():
    facts = replace(BASE, kiosk_accept=True)
    assert rules.completeness_findings(facts) == [
        Finding(
            INCOMPLETE, "kiosk_without_materials", "自助机可受理，但尚未配置自助机主材料。", "kiosk_accept"
        )
    ]
    kiosk_lists = {**BASE.checklists, ("kiosk", "main"): (ListItem("CL001"),)}
    assert rules.completeness_findings(replace(facts, checklists=kiosk_lists)) == []


def test_a_matter_no_longer_in_the_catalog():
    assert rules.completeness_findings(replace(BASE, matter_active=False)) == [
        Finding(WARNING, "matter_inactive", "该事项在事项目录中已停用，配置不会生效。", None)
    ]


# --- all of them together ----------------------------------------------------------------------------


def test_check_local_matter_names_lists_by_channel_and_kind_and_puts_errors_first():
    facts = replace(
        BASE,
        matter_active=False,
        kiosk_accept=True,
        time_limit_days=0,
        checklists={
            ("counter", "main"): (ListItem("CL001"), ListItem("CL001")),
            ("web", "auxiliary"): (ListItem("CL022"),),
        },
    )
    found = rules.check_local_matter(facts)
    assert [(f.severity, f.code) for f in found] == [
        (ERROR, "time_limit_out_of_range"),
        (ERROR, "duplicate_material"),
        (ERROR, "missing_item_name"),
        (INCOMPLETE, "kiosk_without_materials"),
        (WARNING, "matter_inactive"),
    ]
    assert found[1].message.startswith("柜台主材料中材料 CL001")
    assert found[2].message.startswith("web辅助材料第 1 行")  # a channel without a name is shown by its code
    assert not rules.is_complete(found)


def test_save_findings_are_the_errors_of_the_own_fields_and_print_slots_only():
    facts = replace(
        BASE,
        time_limit_days=0,
        kiosk_accept=True,
        print_slots=(print_slot(e_seal=True, template_active=False),),
        checklists={("counter", "main"): (ListItem("CL001"), ListItem("CL001"))},
    )
    assert [f.code for f in rules.save_findings(facts)] == ["time_limit_out_of_range", "e_seal_disabled"]


def test_only_errors_and_incomplete_findings_make_a_matter_incomplete():
    warning = Finding(WARNING, "matter_inactive", "…")
    assert rules.is_complete([warning])
    assert not rules.is_complete([warning, Finding(INCOMPLETE, "kiosk_without_materials", "…")])
    assert not rules.is_complete([Finding(ERROR, "time_limit_out_of_range", "…")])
    assert rules.is_complete([])


def test_a_citys_own_sms_template_is_no_finding():
    own = sms_slot(template_code="ZS_SL_01", template_region="442000")
    assert rules.sms_slot_findings(replace(BASE, sms_slots=(own,))) == []


def test_province_mode_for_a_province_wide_matter_is_no_finding():
    assert rules.check_local_matter(replace(BASE, distribution_mode="province")) == ()


def test_a_list_whose_kind_has_no_label_is_named_by_its_code():
    facts = replace(
        BASE, kind_labels={}, checklists={("counter", "main"): (ListItem("CL001"), ListItem("CL001"))}
    )
    [finding] = rules.check_local_matter(facts)
    assert finding.message.startswith("柜台main中材料 CL001")


def test_findings_come_errors_then_incomplete_then_warnings_whatever_rule_found_them():
    facts = replace(
        BASE,
        review_levels=1,
        checklists={("kiosk", "main"): (ListItem("CL001"), ListItem("CL001"))},  # an error found late
        print_slots=(print_slot(template_active=False),),  # incomplete, found early
        sms_slots=(sms_slot("first_reviewed", "已初审短信"),),  # a warning found before the last incomplete
    )
    assert [(f.severity, f.code) for f in rules.check_local_matter(facts)] == [
        (ERROR, "duplicate_material"),
        (INCOMPLETE, "print_template_inactive"),
        (INCOMPLETE, "counter_without_materials"),
        (WARNING, "first_reviewed_sms_single_level"),
    ]
