"""The runtime engine answers from an immutable snapshot (pure: no database, no Django)."""

import dataclasses
import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from config_center.runtime.engine import (
    NOT_BOUND,
    SMS_EVENTS,
    UNKNOWN_CHANNEL,
    UNKNOWN_EVENT,
    UNKNOWN_MATTER,
    UNKNOWN_REGION,
    ApplicationItem,
    AuxiliaryItem,
    ChecklistAnswer,
    MaterialRef,
    Refusal,
    SmsAnswer,
    SnapshotError,
    build_snapshot,
    checklist,
    sms_slot,
)
from routing.decisions import (
    ADVANCE_PAYMENT_EXCLUDED,
    BEFORE_2019_07_01,
    LOCAL_ONLY,
    UNKNOWN_AGENCY,
    RouteAnswer,
    route,
)

ZHONGSHAN, GUANGZHOU, PROVINCE_REGION = "442000", "440100", "440000"
ZS_AGENCY, GZ_AGENCY, PROVINCIAL = "442099", "440199", "440099"
AFTER = datetime.date(2023, 3, 1)

MATERIALS = {
    "CL001": "居民身份证",
    "CL003": "工伤认定决定书",
    "CL005": "医疗收费票据",
    "CL009": "工伤医疗费申请表",
    "CL022": "授权委托书",
    "CL026": "辅助器具配置费票据",
}


def item(code, name="", ministry=False):
    return {"material": code, "name": name, "send_to_ministry": ministry}


def binding(matter, mode="local", *, active=True, checklists=None, sms=None, days=20, levels=2):
    return {
        "matter": matter,
        "active": active,
        "flow_mode": "promised",
        "review_levels": levels,
        "time_limit_days": days,
        "distribution_mode": mode,
        "properties": {},
        "checklists": checklists or {},
        "sms": sms or {},
        "prints": {},
        "tags": {"acceptance": [], "review": []},
    }


COUNTER = {
    "main": [item("CL009", ministry=True), item("CL001"), item("CL003", ministry=True)],
    "auxiliary": [item("CL022", "近亲属代办")],
    "application": [item("CL005", "医疗费用"), item("CL026", "辅助器具费用")],
}


def make_snapshot(
    *, zs_mode="province", gz_mode="local", gs0301_zs_active=True, provincial_release=None
) -> object:
    releases = {
        ZHONGSHAN: (
            3,
            {
                "GS0101": binding(
                    "GS0101",
                    zs_mode,
                    checklists={"counter": COUNTER},
                    sms={"accepted": "GS_SL_01", "completed": "GS_BJ_01"},
                ),
                "GS0301": binding("GS0301", "local", active=gs0301_zs_active, days=15, levels=1),
            },
        ),
        GUANGZHOU: (7, {"GS0101": binding("GS0101", gz_mode)}),
    }
    if provincial_release is not None:
        releases[PROVINCE_REGION] = provincial_release
    return build_snapshot(
        version=42,
        releases=releases,
        matters=[
            {"code": "GS0101", "name": "工伤医疗费", "province_wide": True},
            {"code": "GS0301", "name": "工伤认定申请", "province_wide": False},
        ],
        agencies=[
            {
                "code": PROVINCIAL,
                "name": "广东省社会保险基金管理局",
                "region_code": PROVINCE_REGION,
                "city_code": None,
                "parent_code": None,
            },
            {
                "code": ZS_AGENCY,
                "name": "中山市社会保险基金管理局",
                "region_code": ZHONGSHAN,
                "city_code": ZHONGSHAN,
                "parent_code": PROVINCIAL,
            },
            {
                "code": GZ_AGENCY,
                "name": "广州市社会保险基金管理局",
                "region_code": GUANGZHOU,
                "city_code": GUANGZHOU,
                "parent_code": PROVINCIAL,
            },
        ],
        channels={"counter": "柜台", "web": "网厅", "kiosk": "自助机"},
        materials=MATERIALS,
    )


@pytest.fixture(scope="module")
def snap():
    return make_snapshot()


def go(snap, accepting, insured, *, matter="GS0101", injury=AFTER, advance=False):
    return route(
        snap,
        matter=matter,
        accepting_agency=accepting,
        insured_agency=insured,
        injury_date=injury,
        advance_payment=advance,
    )


def assert_refused(answer, reason):
    assert isinstance(answer, Refusal), answer
    assert answer.reason_code == reason
    assert answer.ok is False
    assert answer.message and not answer.message.isascii()  # a Chinese sentence for the clerk


# --- the engine is pure ---------------------------------------------------------------------------


def test_engine_imports_nothing_from_django():
    code = (
        "import sys, config_center.runtime.engine; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not bad, bad"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# --- checklist ------------------------------------------------------------------------------------


def test_checklist_answers_ordered_lists_with_names_release_and_settings(snap):
    answer = checklist(snap, matter="GS0101", region=ZHONGSHAN, channel="counter")
    assert isinstance(answer, ChecklistAnswer) and answer.ok
    assert (answer.matter, answer.region, answer.channel, answer.release) == (
        "GS0101",
        ZHONGSHAN,
        "counter",
        3,
    )
    assert (answer.distribution_mode, answer.time_limit_days, answer.review_levels) == ("province", 20, 2)
    assert answer.main == (
        MaterialRef("CL009", "工伤医疗费申请表", True),
        MaterialRef("CL001", "居民身份证", False),
        MaterialRef("CL003", "工伤认定决定书", True),
    )
    assert answer.auxiliary == (AuxiliaryItem("近亲属代办", "CL022", "授权委托书", False),)
    assert answer.application_items == (
        ApplicationItem(1, "医疗费用", "CL005", "医疗收费票据"),
        ApplicationItem(2, "辅助器具费用", "CL026", "辅助器具配置费票据"),
    )


def test_checklist_of_a_bound_matter_without_lists_for_the_channel_is_empty_not_refused(snap):
    answer = checklist(snap, matter="GS0101", region=ZHONGSHAN, channel="web")
    assert isinstance(answer, ChecklistAnswer)
    assert (answer.main, answer.auxiliary, answer.application_items) == ((), (), ())
    other = checklist(snap, matter="GS0301", region=ZHONGSHAN, channel="counter")
    assert (other.time_limit_days, other.review_levels, other.distribution_mode) == (15, 1, "local")


def test_checklist_refuses_an_unknown_matter(snap):
    assert_refused(checklist(snap, matter="GS9999", region=ZHONGSHAN, channel="counter"), UNKNOWN_MATTER)


def test_checklist_refuses_an_unknown_region(snap):
    assert_refused(checklist(snap, matter="GS0101", region="445100", channel="counter"), UNKNOWN_REGION)


def test_checklist_refuses_an_unknown_channel(snap):
    assert_refused(checklist(snap, matter="GS0101", region=ZHONGSHAN, channel="fax"), UNKNOWN_CHANNEL)


def test_checklist_refuses_a_matter_not_bound_in_the_city(snap):
    assert_refused(checklist(snap, matter="GS0301", region=GUANGZHOU, channel="counter"), NOT_BOUND)


def test_checklist_for_the_province_without_a_release_is_not_bound_rather_than_unknown(snap):
    assert_refused(checklist(snap, matter="GS0101", region=PROVINCE_REGION, channel="counter"), NOT_BOUND)


def test_checklist_checks_matter_before_region_before_channel(snap):
    assert_refused(checklist(snap, matter="GS9999", region="445100", channel="fax"), UNKNOWN_MATTER)
    assert_refused(checklist(snap, matter="GS0101", region="445100", channel="fax"), UNKNOWN_REGION)


def test_inactive_binding_is_not_bound():
    snap = make_snapshot(gs0301_zs_active=False)
    assert ("GS0301", ZHONGSHAN) not in snap.configs
    assert_refused(checklist(snap, matter="GS0301", region=ZHONGSHAN, channel="counter"), NOT_BOUND)
    assert_refused(sms_slot(snap, matter="GS0301", region=ZHONGSHAN, event="accepted"), NOT_BOUND)
    assert_refused(go(snap, ZS_AGENCY, ZS_AGENCY, matter="GS0301"), NOT_BOUND)


# --- route ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["local", "province"])
def test_local_case_goes_to_the_insured_agency_in_any_mode(mode):
    snap = make_snapshot(zs_mode=mode)
    answer = go(snap, ZS_AGENCY, ZS_AGENCY)
    assert answer == RouteAnswer(handling_agency=ZS_AGENCY, remote=False, mode=mode, release=3)
    assert answer.ok


def test_local_case_with_advance_payment_and_old_injury_is_still_accepted(snap):
    answer = go(snap, GZ_AGENCY, GZ_AGENCY, injury=datetime.date(2015, 1, 1), advance=True)
    assert answer == RouteAnswer(GZ_AGENCY, False, "local", 7)


def test_local_case_of_a_matter_outside_the_province_wide_list_is_accepted(snap):
    assert go(snap, ZS_AGENCY, ZS_AGENCY, matter="GS0301") == RouteAnswer(ZS_AGENCY, False, "local", 3)


def test_remote_case_in_province_mode_goes_to_the_insured_city(snap):
    answer = go(snap, GZ_AGENCY, ZS_AGENCY)
    assert answer == RouteAnswer(handling_agency=ZS_AGENCY, remote=True, mode="province", release=3)


def test_remote_case_is_refused_when_the_insured_city_is_in_local_mode(snap):
    assert_refused(go(snap, ZS_AGENCY, GZ_AGENCY), LOCAL_ONLY)


def test_remote_case_is_refused_for_a_matter_not_province_wide_even_in_province_mode():
    snap = make_snapshot()
    # GS0301 is local in 中山 in the fixture; force a province-mode config for a non-province-wide matter.
    forced = build_snapshot(
        version=1,
        releases={ZHONGSHAN: (1, {"GS0301": binding("GS0301", "province")})},
        matters=[{"code": "GS0301", "name": "工伤认定申请", "province_wide": False}],
        agencies=[dataclasses.asdict(a) for a in snap.agencies.values()],
        channels=dict(snap.channels),
        materials=dict(snap.materials),
    )
    assert_refused(go(forced, GZ_AGENCY, ZS_AGENCY, matter="GS0301"), LOCAL_ONLY)


def test_remote_case_is_refused_for_an_injury_before_2019_07_01_and_accepted_from_that_day(snap):
    assert_refused(go(snap, GZ_AGENCY, ZS_AGENCY, injury=datetime.date(2019, 6, 30)), BEFORE_2019_07_01)
    assert go(snap, GZ_AGENCY, ZS_AGENCY, injury=datetime.date(2019, 7, 1)) == RouteAnswer(
        ZS_AGENCY, True, "province", 3
    )


def test_remote_case_is_refused_for_advance_payment(snap):
    assert_refused(go(snap, GZ_AGENCY, ZS_AGENCY, advance=True), ADVANCE_PAYMENT_EXCLUDED)


def test_remote_refusals_come_in_order_local_only_then_date_then_advance_payment(snap):
    old = datetime.date(2018, 1, 1)
    assert_refused(go(snap, ZS_AGENCY, GZ_AGENCY, injury=old, advance=True), LOCAL_ONLY)
    assert_refused(go(snap, GZ_AGENCY, ZS_AGENCY, injury=old, advance=True), BEFORE_2019_07_01)


def test_route_refuses_a_matter_not_bound_in_the_insured_city(snap):
    assert_refused(go(snap, ZS_AGENCY, GZ_AGENCY, matter="GS0301"), NOT_BOUND)


def test_route_refuses_an_unknown_matter(snap):
    assert_refused(go(snap, ZS_AGENCY, ZS_AGENCY, matter="GS9999"), UNKNOWN_MATTER)
    assert_refused(go(snap, "000000", ZS_AGENCY, matter="GS9999"), UNKNOWN_MATTER)


def test_route_refuses_an_unknown_accepting_or_insured_agency(snap):
    assert_refused(go(snap, "445199", ZS_AGENCY), UNKNOWN_AGENCY)
    assert_refused(go(snap, ZS_AGENCY, "445199"), UNKNOWN_AGENCY)


def test_provincial_agency_accepting_for_a_city_insured_person_is_a_remote_case(snap):
    assert go(snap, PROVINCIAL, ZS_AGENCY) == RouteAnswer(ZS_AGENCY, True, "province", 3)
    assert_refused(go(snap, PROVINCIAL, GZ_AGENCY), LOCAL_ONLY)


def test_provincial_insured_agency_is_not_bound_without_a_provincial_release(snap):
    assert_refused(go(snap, PROVINCIAL, PROVINCIAL), NOT_BOUND)


def test_provincial_insured_agency_routes_to_itself_with_the_provincial_release():
    snap = make_snapshot(provincial_release=(2, {"GS0101": binding("GS0101", "province")}))
    assert go(snap, PROVINCIAL, PROVINCIAL) == RouteAnswer(PROVINCIAL, False, "province", 2)
    assert go(snap, ZS_AGENCY, PROVINCIAL) == RouteAnswer(PROVINCIAL, True, "province", 2)


# --- sms_slot -------------------------------------------------------------------------------------


def test_sms_slot_returns_the_template_of_a_set_event(snap):
    answer = sms_slot(snap, matter="GS0101", region=ZHONGSHAN, event="accepted")
    assert answer == SmsAnswer(template_code="GS_SL_01", release=3)
    assert answer.ok


def test_sms_slot_of_an_unset_event_is_none(snap):
    assert sms_slot(snap, matter="GS0101", region=ZHONGSHAN, event="reminder") == SmsAnswer(None, 3)
    assert sms_slot(snap, matter="GS0101", region=GUANGZHOU, event="accepted") == SmsAnswer(None, 7)


def test_sms_slot_knows_the_nine_events(snap):
    assert len(SMS_EVENTS) == 9
    for event in SMS_EVENTS:
        assert isinstance(sms_slot(snap, matter="GS0101", region=ZHONGSHAN, event=event), SmsAnswer)


def test_sms_slot_refuses_an_unknown_event(snap):
    assert_refused(sms_slot(snap, matter="GS0101", region=ZHONGSHAN, event="birthday"), UNKNOWN_EVENT)


def test_sms_slot_refuses_unknown_matter_unknown_region_and_not_bound(snap):
    assert_refused(sms_slot(snap, matter="GS9999", region=ZHONGSHAN, event="accepted"), UNKNOWN_MATTER)
    assert_refused(sms_slot(snap, matter="GS0101", region="445100", event="accepted"), UNKNOWN_REGION)
    assert_refused(sms_slot(snap, matter="GS0301", region=GUANGZHOU, event="accepted"), NOT_BOUND)


# --- the snapshot ---------------------------------------------------------------------------------


def test_snapshot_records_version_releases_and_agency_cities(snap):
    assert snap.version == 42
    assert dict(snap.releases) == {ZHONGSHAN: 3, GUANGZHOU: 7}
    assert snap.agencies[PROVINCIAL].city_code is None
    assert snap.agencies[ZS_AGENCY].city_code == ZHONGSHAN
    assert snap.known_regions == {ZHONGSHAN, GUANGZHOU, PROVINCE_REGION}


def test_snapshot_cannot_be_mutated(snap):
    config = snap.configs[("GS0101", ZHONGSHAN)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.version = 43
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.distribution_mode = "local"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.checklists["counter"].main[0].name = "改名"
    with pytest.raises(TypeError):
        snap.configs[("GS0301", GUANGZHOU)] = config
    with pytest.raises(TypeError):
        snap.releases[ZHONGSHAN] = 4
    with pytest.raises(TypeError):
        config.sms["accepted"] = "X"
    with pytest.raises(TypeError):
        config.checklists["web"] = config.checklists["counter"]
    with pytest.raises(TypeError):
        snap.matters["GS0101"] = None
    with pytest.raises(TypeError):
        snap.agencies[ZS_AGENCY] = None
    assert isinstance(config.checklists["counter"].main, tuple)
    assert not hasattr(config, "__dict__")  # slots: no instance dict to smuggle state into


def test_snapshot_does_not_share_the_callers_dicts():
    materials = dict(MATERIALS)
    channels = {"counter": "柜台"}
    releases = {ZHONGSHAN: (1, {"GS0101": binding("GS0101", checklists={"counter": COUNTER})})}
    snap = build_snapshot(
        version=1,
        releases=releases,
        matters=[{"code": "GS0101", "name": "工伤医疗费", "province_wide": True}],
        agencies=[],
        channels=channels,
        materials=materials,
    )
    materials["CL001"] = "改名"
    channels["web"] = "网厅"
    releases[ZHONGSHAN][1]["GS0101"]["distribution_mode"] = "province"
    assert snap.materials["CL001"] == "居民身份证"
    assert "web" not in snap.channels
    assert snap.configs[("GS0101", ZHONGSHAN)].distribution_mode == "local"


@pytest.mark.parametrize("field, value", [("distribution_mode", "everywhere"), ("review_levels", 3)])
def test_builder_rejects_invalid_values_in_a_release(field, value):
    data = binding("GS0101")
    data[field] = value
    with pytest.raises(SnapshotError):
        build_snapshot(
            version=1,
            releases={ZHONGSHAN: (1, {"GS0101": data})},
            matters=[],
            agencies=[],
            channels={},
            materials={},
        )


def test_answers_are_immutable_and_hashable(snap):
    answer = checklist(snap, matter="GS0101", region=ZHONGSHAN, channel="counter")
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.release = 1
    assert hash(answer) == hash(checklist(snap, matter="GS0101", region=ZHONGSHAN, channel="counter"))
