"""The pure part of 变更记录: how stored values read, the diff of two versions, formula-safe cells."""

from datetime import UTC, datetime

import pytest

from config_center.audit.diff import (
    EMPTY,
    FieldChange,
    FieldSpec,
    FieldValue,
    diff_versions,
    display_value,
    escape_formula,
    event_facts,
)

MATERIAL, TAG = "material-model", "tag-model"  # stand-ins for related models: any hashable will do
MODE = FieldSpec(
    "distribution_mode",
    "distribution_mode",
    "分发模式",
    choices={"local": "本地模式", "province": "全省模式"},
)
LEVELS = FieldSpec("review_levels", "review_levels", "业务审核级别", choices={1: "一级审核", 2: "二级审核"})
DAYS = FieldSpec("time_limit_days", "time_limit_days", "办理时限（工作日）")
ACTIVE = FieldSpec("is_active", "is_active", "已绑定", boolean=True)
MATERIAL_FK = FieldSpec("material", "material_id", "材料", related=MATERIAL)
TAGS = FieldSpec("acceptance_tags", "acceptance_tags", "受理标签", related=TAG, many=True)
NAME = FieldSpec("name", "name", "名称")
SPECS = [MODE, LEVELS, DAYS, ACTIVE, MATERIAL_FK, TAGS, NAME]
NAMES = {
    (MATERIAL, 1): "居民身份证（CL001）",
    (MATERIAL, 3): "工伤认定决定书（CL003）",
    (TAG, 7): "全省通办（SL_QSTB）",
    (TAG, 8): "异地受理（SL_YDSL）",
}


def version(**values):
    base = {
        "distribution_mode": "local",
        "review_levels": 2,
        "time_limit_days": 20,
        "is_active": True,
        "material_id": 1,
        "acceptance_tags": frozenset(),
        "name": "",
    }
    return {**base, **values}


@pytest.mark.parametrize(
    ("spec", "value", "shown"),
    [
        (MODE, "province", "全省模式"),
        (MODE, "gone", "gone"),  # a choice removed since: the stored value, not an error
        (LEVELS, 1, "一级审核"),
        (DAYS, 20, "20"),
        (DAYS, 0, "0"),
        (ACTIVE, True, "是"),
        (ACTIVE, False, "否"),
        (MATERIAL_FK, 3, "工伤认定决定书（CL003）"),
        (MATERIAL_FK, 99, "#99"),  # not found at all: the id, marked
        (TAGS, frozenset({8, 7}), "全省通办（SL_QSTB）、异地受理（SL_YDSL）"),
        (TAGS, frozenset(), EMPTY),
        (NAME, "", EMPTY),
        (NAME, None, EMPTY),
    ],
)
def test_display_value_reads_like_the_screens(spec, value, shown):
    assert display_value(spec, value, NAMES) == shown


def test_display_value_shows_datetimes_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    spec = FieldSpec("created_at", "created_at", "绑定时间")
    assert display_value(spec, datetime(2025, 3, 1, 16, 30, tzinfo=UTC), NAMES) == "2025-03-02 00:30:00"


def test_diff_lists_only_changed_fields_with_old_and_new_readable():
    old = version()
    new = version(distribution_mode="province", material_id=3, acceptance_tags=frozenset({7}))
    assert diff_versions(SPECS, old, new, NAMES) == [
        FieldChange("分发模式", "本地模式", "全省模式"),
        FieldChange("材料", "居民身份证（CL001）", "工伤认定决定书（CL003）"),
        FieldChange("受理标签", EMPTY, "全省通办（SL_QSTB）"),
    ]


def test_diff_of_equal_versions_is_empty_and_blank_equals_blank():
    assert diff_versions(SPECS, version(), version(), NAMES) == []
    assert diff_versions([NAME], {"name": None}, {"name": ""}, NAMES) == []


def test_diff_runs_both_ways():
    a, b = version(time_limit_days=20), version(time_limit_days=30)
    assert diff_versions(SPECS, a, b, NAMES) == [FieldChange("办理时限（工作日）", "20", "30")]
    assert diff_versions(SPECS, b, a, NAMES) == [FieldChange("办理时限（工作日）", "30", "20")]


def test_creation_shows_every_value_that_is_set_from_empty():
    changes = diff_versions(SPECS, None, version(acceptance_tags=frozenset({8})), NAMES)
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("分发模式", EMPTY, "本地模式"),
        ("业务审核级别", EMPTY, "二级审核"),
        ("办理时限（工作日）", EMPTY, "20"),
        ("已绑定", EMPTY, "是"),
        ("材料", EMPTY, "居民身份证（CL001）"),
        ("受理标签", EMPTY, "异地受理（SL_YDSL）"),
    ]  # the empty name is left out


def test_a_change_reads_as_one_line():
    assert str(FieldChange("分发模式", "本地模式", "全省模式")) == "分发模式：本地模式 → 全省模式"


NUMBER = FieldSpec("number", "number", "版本号")
ROLLED_BACK_TO = FieldSpec("rolled_back_to", "rolled_back_to", "回滚到版本")
EMERGENCY = FieldSpec("emergency", "emergency", "紧急发布（跳过发布审核）", boolean=True)
RELEASE_FACTS = [NUMBER, ROLLED_BACK_TO, EMERGENCY]


def test_an_events_facts_leave_out_blank_values_and_unset_flags():
    publish = {"number": 1, "rolled_back_to": None, "emergency": False}
    assert event_facts(RELEASE_FACTS, publish, NAMES) == [FieldValue("版本号", "1")]
    rollback = {"number": 3, "rolled_back_to": 1, "emergency": True}
    assert [str(fact) for fact in event_facts(RELEASE_FACTS, rollback, NAMES)] == [
        "版本号：3",
        "回滚到版本：1",
        "紧急发布（跳过发布审核）：是",
    ]


@pytest.mark.parametrize("dangerous", ["=1+1", "+86 123", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_cells_get_a_leading_apostrophe(dangerous):
    assert escape_formula(dangerous) == "'" + dangerous


@pytest.mark.parametrize("safe", ["中山市（442000）", "分发模式：=1 → 2", "", "a=b", "—", 42, None])
def test_other_cells_pass_unchanged(safe):
    assert escape_formula(safe) == safe
