"""The runtime engine answers from an immutable snapshot (pure: no database, no Django)."""

import dataclasses
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
    SmsAnswer,
    SnapshotError,
    build_snapshot,
    checklist,
    sms_slot,
)
from tests.factories.engine import (
    COUNTER,
    GUANGZHOU,
    MATERIALS,
    PROVINCE_REGION,
    PROVINCIAL,
    ZHONGSHAN,
    ZS_AGENCY,
    assert_refused,
    binding,
    go,
    make_snapshot,
)


@pytest.fixture(scope="module")
def snap():
    return make_snapshot()


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
