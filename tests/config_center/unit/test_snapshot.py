"""Readable diffs between two configurations of a local matter (pure)."""

from config_center.drafts.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    REORDERED,
    Labels,
    diff_matter,
    diff_region,
    diff_region_by_matter,
)

LABELS = Labels(
    fields={
        "distribution_mode": "分发模式",
        "time_limit_days": "办理时限（工作日）",
        "post_enabled": "支持邮政寄送结果",
    },
    values={"distribution_mode": {"local": "本地模式", "province": "全省模式"}},
    channels={"counter": "柜台", "web": "网厅"},
    kinds={"main": "主材料", "auxiliary": "辅助材料", "application": "申请事项材料"},
    materials={"CL001": "居民身份证", "CL003": "工伤认定决定书", "CL005": "医疗收费票据"},
    events={"accepted": "受理短信", "completed": "办结短信"},
    documents={"completion": "业务办结单"},
)


def item(code, name="", ministry=False):
    return {"material": code, "name": name, "send_to_ministry": ministry}


def config(**overrides):
    base = {
        "matter": "GS0101",
        "active": True,
        "flow_mode": "promised",
        "review_levels": 2,
        "time_limit_days": 20,
        "distribution_mode": "local",
        "properties": {"post_enabled": False},
        "checklists": {"counter": {"main": [item("CL001"), item("CL003")]}},
        "sms": {"accepted": "GS_SL_01"},
        "prints": {},
        "tags": {"acceptance": [], "review": []},
    }
    return {**base, **overrides}


def test_identical_configurations_have_no_changes():
    assert diff_matter(config(), config(), LABELS) == []


def test_mode_and_time_limit_changes_read_with_labels():
    changes = diff_matter(config(), config(distribution_mode="province", time_limit_days=15), LABELS)
    assert [(c.action, c.where, c.old, c.new) for c in changes] == [
        (CHANGED, "办理时限（工作日）", "20", "15"),
        (CHANGED, "分发模式", "本地模式", "全省模式"),
    ]


def test_materials_added_removed_and_reordered_per_channel():
    new = config(
        checklists={"counter": {"main": [item("CL003"), item("CL005")]}, "web": {"main": [item("CL001")]}}
    )
    changes = diff_matter(config(), new, LABELS)
    summary = {(c.action, c.where, c.old, c.new) for c in changes}
    assert (ADDED, "柜台主材料", "", "医疗收费票据（CL005）") in summary
    assert (REMOVED, "柜台主材料", "居民身份证（CL001）", "") in summary
    assert (ADDED, "网厅主材料", "", "居民身份证（CL001）") in summary


def test_reordering_alone_is_one_change():
    new = config(checklists={"counter": {"main": [item("CL003"), item("CL001")]}})
    [change] = diff_matter(config(), new, LABELS)
    assert change.action == REORDERED
    assert change.old == "居民身份证（CL001）、工伤认定决定书（CL003）"
    assert change.new == "工伤认定决定书（CL003）、居民身份证（CL001）"


def test_sms_slot_set_changed_and_cleared():
    changes = diff_matter(config(), config(sms={"completed": "GS_BJ_01"}), LABELS)
    assert {(c.action, c.where) for c in changes} == {(ADDED, "办结短信"), (REMOVED, "受理短信")}
    [change] = diff_matter(config(), config(sms={"accepted": "GS_SL_02"}), LABELS)
    assert (change.action, change.old, change.new) == (CHANGED, "GS_SL_01", "GS_SL_02")


def test_property_changes_show_yes_and_no():
    [change] = diff_matter(config(), config(properties={"post_enabled": True}), LABELS)
    assert (change.where, change.old, change.new) == ("支持邮政寄送结果", "否", "是")


def test_binding_and_unbinding_a_matter():
    assert [c.action for c in diff_matter(None, config(), LABELS)] == [ADDED]
    assert [c.action for c in diff_matter(config(), None, LABELS)] == [REMOVED]


def test_region_diff_prefixes_each_change_with_the_matter():
    changes = diff_region(
        {"GS0101": config()},
        {"GS0101": config(time_limit_days=10), "GS0104": config(matter="GS0104")},
        LABELS,
        {"GS0101": "工伤医疗费", "GS0104": "住院伙食补助费"},
    )
    wheres = [c.where for c in changes]
    assert wheres[:2] == ["工伤医疗费（GS0101） · 办理时限（工作日）", "住院伙食补助费（GS0104）"]
    # a newly bound matter lists what it comes with, without a redundant 绑定状态 line
    assert "住院伙食补助费（GS0104） · 柜台主材料" in wheres
    assert not any("active" in where or "绑定状态" in where for where in wheres)


def test_region_diff_by_matter_keeps_only_the_matters_that_changed():
    old = {"GS0101": config(), "GS0104": config(matter="GS0104"), "GS0105": config(matter="GS0105")}
    new = {
        "GS0101": config(time_limit_days=10, checklists={"counter": {"main": [item("CL003")]}}),
        "GS0104": config(matter="GS0104"),
        "GS0106": config(matter="GS0106"),
    }
    by_matter = diff_region_by_matter(old, new, Labels(), {})
    assert list(by_matter) == ["GS0101", "GS0105", "GS0106"]  # GS0104 is unchanged
    assert [c.action for c in by_matter["GS0101"]] == [CHANGED, REMOVED]
    assert [c.action for c in by_matter["GS0105"]] == [REMOVED]
    assert [c for changes in by_matter.values() for c in changes] == diff_region(old, new, Labels(), {})
