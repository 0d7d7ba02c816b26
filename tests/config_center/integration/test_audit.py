"""变更记录 through the real admin URLs: the timeline, its filters and scope, export, versions, revert."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalog.models import Channel, Holiday, Material, Matter, Region
from config_center.drafts.models import (
    ChecklistItem,
    ChecklistKind,
    DistributionMode,
    LocalMatter,
    SmsSlot,
    Tag,
)
from config_center.drafts.services import local_matter_bind
from config_center.releases.models import PublishPolicy
from permissions.admin_mixins import HistoryPermissionMixin
from permissions.models import Role
from permissions.services import assignment_create
from sms_templates.models import SmsTemplate
from tests.factories import catalog as make

pytestmark = pytest.mark.django_db

OWN, FOREIGN, PROVINCE = "442000", "440100", "440000"  # 中山, 广州, 广东省
OWN_LABEL, FOREIGN_LABEL = "中山市（442000）", "广州市（440100）"
TIMELINE = "admin:config_center_auditlog_changelist"
EXPORT = "admin:config_center_auditlog_export"
HEADERS = ["时间", "操作人", "对象类型", "对象", "地区", "操作", "变更原因", "变更内容"]


def _save(obj, user, reason: str = ""):
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


@dataclass
class World:
    root: object
    editor: object
    own: LocalMatter
    foreign: LocalMatter
    item: ChecklistItem
    slot: SmsSlot
    matter: Matter


@pytest.fixture
def world(reference_data, superuser) -> World:
    editor = get_user_model().objects.create_user("editor_zs", password="pw", is_staff=True)
    matter = Matter.objects.get(code="GS0101")
    for code in (OWN, FOREIGN):
        local_matter_bind(region=Region.objects.get(code=code), matters=[matter], user=superuser)
    own = LocalMatter.objects.get(region__code=OWN, matter=matter)
    own.distribution_mode = DistributionMode.PROVINCE
    _save(own, editor, "改为全省通办")
    foreign = LocalMatter.objects.get(region__code=FOREIGN, matter=matter)
    foreign.time_limit_days = 15
    _save(foreign, superuser, "广州调整时限")
    item = ChecklistItem(
        local_matter=own,
        channel=Channel.objects.get(code="counter"),
        kind=ChecklistKind.MAIN,
        position=1,
        material=Material.objects.get(code="CL001"),
    )
    _save(item, editor)
    item.material = Material.objects.get(code="CL003")
    _save(item, editor, "更换材料")
    slot = _save(
        SmsSlot(
            local_matter=own, event="accepted", template=SmsTemplate.objects.get(function_code="GS_SL_01")
        ),
        editor,
    )
    slot.template = SmsTemplate.objects.get(function_code="GS_BJ_01")
    _save(slot, editor)
    own._change_reason = "加受理标签"
    own.acceptance_tags.add(Tag.objects.get(code="SL_QSTB"))  # a many-to-many change: the binding's history
    matter.aliases = "医疗费报销"
    _save(matter, superuser, "目录别名")
    _save(Holiday(date=date(2026, 10, 1), name="国庆节"), superuser, "节假日日历")
    _save(PublishPolicy(region=own.region, review_required=True), superuser, "开启发布审核")
    return World(superuser, editor, own, foreign, item, slot, matter)


def _user(username: str, role: str | Role, region: str):
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    role = role if isinstance(role, Role) else Role.objects.get(code=role)
    assignment_create(user=user, role=role, region=Region.objects.get(code=region))
    return user


def _page(client, **params):
    response = client.get(reverse(TIMELINE), params)
    assert response.status_code == 200
    return response.context["page"]


def _entries(client, **params):
    page = _page(client, **params)
    assert page is not None, "the filter form was refused"
    return page.entries


def _changes(entry) -> set[tuple[str, str, str]]:
    return {(change.label, change.old, change.new) for change in entry.changes}


def _find(entries, model: str, action: str = "~", **where):
    found = [
        e
        for e in entries
        if e.source.key == model and e.action == action and all(getattr(e, k) == v for k, v in where.items())
    ]
    assert found, f"no {action} entry of {model} with {where}"
    return found[0]


# ---- the timeline --------------------------------------------------------------------------------


def test_timeline_shows_who_changed_what_across_models_with_readable_values(admin_client, world):
    response = admin_client.get(reverse(TIMELINE))
    entries = response.context["page"].entries

    binding = _find(entries, "config_center.localmatter", region=OWN_LABEL, reason="改为全省通办")
    assert ("分发模式", "本地模式", "全省模式：全省受理，分发到参保人参保机构") in _changes(binding)
    assert (binding.user, binding.reason, binding.action_label) == ("editor_zs", "改为全省通办", "修改")
    assert binding.object_label == "中山市（442000） · 工伤医疗费（GS0101）"

    tagged = [e for e in entries if ("受理标签", "—", "全省通办（SL_QSTB）") in _changes(e)]
    assert [(e.source.key, e.object_id, e.user) for e in tagged] == [
        ("config_center.localmatter", world.own.pk, "editor_zs")
    ]

    item = _find(entries, "config_center.checklistitem")
    assert ("材料", "居民身份证（CL001）", "工伤认定决定书（CL003）") in _changes(item)
    assert item.region == OWN_LABEL and item.reason == "更换材料"

    slot = _find(entries, "config_center.smsslot")
    [(label, old, new)] = _changes(slot)
    assert label == "短信模板" and old.endswith("（GS_SL_01）") and new.endswith("（GS_BJ_01）")
    assert slot.object_label.startswith("中山市 · 工伤医疗费 · 受理短信 → ")

    created = _find(entries, "config_center.checklistitem", action="+")
    assert ("材料类型", "—", "主材料") in _changes(created) and created.action_label == "新增"
    catalog = _find(entries, "catalog.matter")
    assert catalog.region == "" and [(c.label, c.new) for c in catalog.changes] == [("别名", "医疗费报销")]

    # No raw ids anywhere: every foreign key was named.
    assert not [c for e in entries for c in e.changes if c.old.startswith("#") or c.new.startswith("#")]
    html = response.content.decode()
    for text in (
        "本地模式",
        "全省模式：全省受理",
        "工伤认定决定书（CL003）",
        "（GS_BJ_01）",
        "editor_zs",
        "全省",
    ):
        assert text in html


def test_timeline_is_newest_first_and_paginated(admin_client, world):
    before = _page(admin_client)
    make.materials(60)
    items = [
        ChecklistItem(
            local_matter=world.own,
            channel=world.item.channel,
            kind="auxiliary",
            position=i,
            material=material,
        )
        for i, material in enumerate(Material.objects.filter(code__startswith="M0"))
    ]
    bulk_create_with_history(items, ChecklistItem, default_user=world.editor)
    first, second = _page(admin_client), _page(admin_client, p=2)
    assert first.count == before.count + 60 and len(first.entries) == len(second.entries) == 50
    whens = [entry.when for entry in first.entries + second.entries]
    assert whens == sorted(whens, reverse=True)
    assert {e.history_id for e in first.entries[:50] if e.source.key == "config_center.checklistitem"} == {
        h.history_id for h in ChecklistItem.history.order_by("-history_date", "-history_id")[:50]
    }
    seen = {(e.source.key, e.history_id) for e in first.entries + second.entries}
    assert len(seen) == 100
    assert _page(admin_client, p=9999).number == first.num_pages  # past the end: the last page


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"user": "editor_zs"}, lambda e: e.user == "editor_zs"),
        ({"city": FOREIGN}, lambda e: e.region == FOREIGN_LABEL),
        ({"model": "config_center.checklistitem"}, lambda e: e.source.key == "config_center.checklistitem"),
        ({"q": "改为全省通办"}, lambda e: e.reason == "改为全省通办"),
        ({"q": "CL003"}, lambda e: "CL003" in e.object_label),
        ({"q": "GS_BJ_01"}, lambda e: "GS_BJ_01" in e.object_label),
        ({"q": "editor"}, lambda e: e.user == "editor_zs"),
    ],
    ids=["user", "city", "model", "text-reason", "text-material", "text-template", "text-username"],
)
def test_filters_keep_only_matching_rows(admin_client, world, params, check):
    kept = _page(admin_client, **params)
    assert kept.entries and all(check(entry) for entry in kept.entries)
    assert kept.count < _page(admin_client).count


def test_date_range_filter_is_inclusive_of_both_days(admin_client, world):
    history = LocalMatter.history.filter(id=world.foreign.pk, history_type="~").get()
    history.history_date = timezone.make_aware(datetime(2024, 1, 10, 23, 30))
    history.save()
    january = _entries(admin_client, date_from="2024-01-10", date_to="2024-01-10")
    assert [(e.source.key, e.history_id) for e in january] == [
        ("config_center.localmatter", history.history_id)
    ]
    assert _entries(admin_client, date_to="2024-01-09") == []
    later = _entries(admin_client, date_from="2024-01-11")
    assert history.history_id not in {
        e.history_id for e in later if e.source.key == "config_center.localmatter"
    }


def test_unknown_user_in_the_filter_is_reported_not_ignored(admin_client, world):
    response = admin_client.get(reverse(TIMELINE), {"user": "nobody"})
    assert response.context["page"] is None
    assert "没有用户名为“nobody”的用户" in response.content.decode()


# ---- scope and permission ------------------------------------------------------------------------


def test_city_auditor_sees_only_their_citys_rows(client, world):
    client.force_login(_user("auditor_zs", "auditor", OWN))
    page = _page(client)
    entries = page.entries
    assert entries and {_city(e.region) for e in entries} == {OWN}  # its agencies and region rows too
    assert _find(entries, "config_center.localmatter", reason="改为全省通办").user == "editor_zs"
    assert _page(client, city=OWN).count == page.count
    assert _page(client, city=FOREIGN) is None  # not a choice for them
    foreign_page = reverse(
        "admin:config_center_auditlog_object", args=["config_center.localmatter", world.foreign.pk]
    )
    assert client.get(foreign_page).status_code == 404
    own_page = reverse(
        "admin:config_center_auditlog_object", args=["config_center.localmatter", world.own.pk]
    )
    assert client.get(own_page).status_code == 200
    rows = _xlsx_rows(client.get(reverse(EXPORT)))
    assert len(rows) == page.count + 1 and {_city(row[4]) for row in rows[1:]} == {OWN}


def test_province_auditor_sees_every_city_and_the_catalog(client, world):
    client.force_login(_user("auditor_gd", "auditor", PROVINCE))
    page = _page(client)
    assert {OWN_LABEL, FOREIGN_LABEL, ""} <= {e.region for e in page.entries}
    assert _find(page.entries, "catalog.matter").reason == "目录别名"
    assert page.count == _page(_superuser_client(world)).count


def _city(region_label: str) -> str | None:
    """The city code of a region shown as 名称（code）; None for a row with no region."""
    return region_label[-7:-3] + "00" if region_label else None


def _superuser_client(world):
    from django.test import Client

    other = Client()
    other.force_login(world.root)
    return other


def test_staff_without_view_audit_gets_403_everywhere(client, world):
    client.force_login(_user("admin_zs", "city_admin", OWN))
    object_page = reverse(
        "admin:config_center_auditlog_object", args=["config_center.localmatter", world.own.pk]
    )
    for url in (reverse(TIMELINE), reverse(EXPORT), object_page):
        assert client.get(url).status_code == 403, url
    assert reverse(TIMELINE) not in client.get(reverse("admin:index")).content.decode()


def test_menu_lists_the_timeline_under_system_management_for_auditors(client, world):
    client.force_login(_user("auditor_zs", "auditor", OWN))
    page = client.get(reverse("admin:menu_group", kwargs={"group": "system"})).content.decode()
    assert reverse(TIMELINE) in page and "变更记录" in page


# ---- queries --------------------------------------------------------------------------------------


def _grow(world, count: int, start: int) -> None:
    """``count`` checklist rows created and then reordered with history: 2 × ``count`` history rows."""
    materials = make.materials(count, start)
    items = [
        ChecklistItem(
            local_matter=world.own, channel=world.item.channel, kind="auxiliary", position=i, material=m
        )
        for i, m in enumerate(materials)
    ]
    items = bulk_create_with_history(
        items, ChecklistItem, default_user=world.editor, default_change_reason="批量"
    )
    for item in items:
        item.position += 100
    bulk_update_with_history(items, ChecklistItem, ["position"], default_user=world.editor)


def _measure(client, world, params) -> tuple[int, list[str]]:
    for obj in (world.own, world.foreign, world.item, world.slot, world.matter):
        _save(obj, world.editor)  # every model stays on the first page, however many rows there are
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse(TIMELINE), params)
    assert response.status_code == 200 and response.context["page"].entries
    return len(context.captured_queries), [q["sql"] for q in context.captured_queries]


@pytest.mark.parametrize(
    "params",
    [
        {"user": "editor_zs"},
        {"user": "editor_zs", "city": OWN},
        {"user": "editor_zs", "q": "中山"},
        {"model": "config_center.checklistitem"},
        {"q": "测试材料"},
    ],
    ids=["user", "user-city", "user-text", "model", "text"],
)
def test_timeline_query_count_does_not_grow_with_rows(admin_client, world, params):
    """The same models on the page (the editor's rows), 10 then 500 checklist history rows: same count."""
    admin_client.get(reverse(TIMELINE), params)  # warm-up: session, content types, theme
    _grow(world, 5, 0)
    small = _measure(admin_client, world, params)
    _grow(world, 250, 5)
    assert ChecklistItem.history.count() > 500
    large = _measure(admin_client, world, params)
    repeated = "\n".join(f"{n}× {sql[:200]}" for sql, n in Counter(large[1]).most_common(5) if n > 1)
    assert large[0] == small[0], f"{small[0]} queries with 10 rows, {large[0]} with 500:\n{repeated}"
    with CaptureQueriesContext(connection) as context:
        admin_client.get(reverse(TIMELINE), {**params, "p": 5})
    assert len(context.captured_queries) <= large[0]


def test_unfiltered_timeline_query_count_does_not_grow_with_rows(admin_client, world):
    """Unfiltered, more rows push older models off the first page: never more queries, often fewer."""
    admin_client.get(reverse(TIMELINE))
    _grow(world, 5, 0)
    small = _measure(admin_client, world, {})
    _grow(world, 250, 5)
    assert _measure(admin_client, world, {})[0] <= small[0]


# ---- export ---------------------------------------------------------------------------------------


def _xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_has_the_screens_columns_and_the_filtered_rows(admin_client, world):
    rows = _xlsx_rows(admin_client.get(reverse(EXPORT), {"model": "config_center.localmatter", "city": OWN}))
    assert rows[0] == HEADERS
    shown = _entries(admin_client, model="config_center.localmatter", city=OWN)
    assert len(rows) - 1 == len(shown)
    change = next(row for row in rows[1:] if row[6] == "改为全省通办")
    assert change[1:6] == [
        "editor_zs",
        "本地业务",
        "中山市（442000） · 工伤医疗费（GS0101）",
        OWN_LABEL,
        "修改",
    ]
    assert change[7] == "分发模式：本地模式 → 全省模式：全省受理，分发到参保人参保机构"


def test_export_neutralises_formulas_in_every_text_column(admin_client, world):
    mallory = get_user_model().objects.create_user("@mallory", password="pw", is_staff=True)
    tag = _save(
        Tag(code="T_EVIL", name="=1+1", kind="acceptance"), mallory, '=HYPERLINK("http://x.invalid","x")'
    )
    tag.name = "-2+3"
    _save(tag, mallory, "+cmd")
    rows = _xlsx_rows(admin_client.get(reverse(EXPORT), {"model": "config_center.tag"}))
    created = next(row for row in rows[1:] if row[5] == "新增")
    assert created[1] == "'@mallory"
    assert created[3] == "'=1+1（T_EVIL）"
    assert created[6] == '\'=HYPERLINK("http://x.invalid","x")'
    changed = next(row for row in rows[1:] if row[5] == "修改")
    assert changed[3] == "'-2+3（T_EVIL）" and changed[6] == "'+cmd"
    assert changed[7] == "查询标签：=1+1 → -2+3"  # starts with the label: harmless


# ---- one object's versions --------------------------------------------------------------------------


def test_object_page_compares_any_two_versions(admin_client, world):
    own = world.own
    own.time_limit_days = 30
    _save(own, world.editor, "延长时限")
    v1, v2, v3, v4 = (  # bound, 分发模式, 受理标签, 办理时限
        LocalMatter.history.filter(id=own.pk).order_by("history_date").values_list("history_id", flat=True)
    )
    url = reverse("admin:config_center_auditlog_object", args=["config_center.localmatter", own.pk])

    def compared(**params):
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {change.label: (change.old, change.new) for change in response.context["changes"]}

    assert compared() == {"办理时限（工作日）": ("20", "30")}  # newest against the one before
    assert compared(a=v1, b=v4) == {
        "分发模式": ("本地模式", "全省模式：全省受理，分发到参保人参保机构"),
        "办理时限（工作日）": ("20", "30"),
        "受理标签": ("—", "全省通办（SL_QSTB）"),
    }
    assert compared(a=v4, b=v1)["办理时限（工作日）"] == ("30", "20")
    assert compared(a=v2, b=v4) == {
        "办理时限（工作日）": ("20", "30"),
        "受理标签": ("—", "全省通办（SL_QSTB）"),
    }
    assert compared(b=v2) == {
        "分发模式": ("本地模式", "全省模式：全省受理，分发到参保人参保机构")
    }  # vs. before
    assert compared(a=v3, b=v3) == {}
    response = admin_client.get(url)
    numbered = [(n, v.history_id) for n, v, _url in response.context["rows"]]
    assert numbered == [(4, v4), (3, v3), (2, v2), (1, v1)]
    assert response.context["revert_urls"]  # a superuser may revert; the links lead to simple-history
    missing = reverse("admin:config_center_auditlog_object", args=["config_center.localmatter", 999999])
    assert admin_client.get(missing).status_code == 404
    assert admin_client.get(url.replace("localmatter", "nosuchmodel")).status_code == 404


# ---- revert -----------------------------------------------------------------------------------------


def _revert_url(local: LocalMatter, history_id: int) -> str:
    return reverse("admin:config_center_localmatter_simple_history", args=[local.pk, history_id])


def _first_version(local: LocalMatter) -> int:
    return (
        LocalMatter.history.filter(id=local.pk)
        .order_by("history_date")
        .values_list("history_id", flat=True)[0]
    )


def _form_post(response) -> dict:
    """What the revert form would submit as rendered: the old version's values."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = value() if callable(value) else value
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, list | tuple | set):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    return data


def _fingerprint(local: LocalMatter) -> tuple:
    fresh = LocalMatter.objects.get(pk=local.pk)
    rows = list(LocalMatter.history.filter(id=local.pk).values_list("history_id", "distribution_mode"))
    return fresh.distribution_mode, fresh.time_limit_days, rows


def _reverter_role() -> Role:
    """城市管理员 plus the revert capability."""
    role = Role.objects.create(name="可恢复的市级管理员", code="city_admin_revert", allow_city=True)
    revert = Permission.objects.get(content_type__app_label="permissions", codename="revert_history")
    role.permissions.set([*Role.objects.get(code="city_admin").permissions.all(), revert])
    return role


def _without_revert(code: str) -> Role:
    """A reference role with every permission it has except 恢复历史版本."""
    base = Role.objects.get(code=code)
    role = Role.objects.create(name=f"{base.name}（无恢复权限）", code=f"{code}_no_revert", allow_city=True)
    role.permissions.set(base.permissions.exclude(codename="revert_history"))
    return role


@pytest.mark.parametrize("role", ["city_admin", "auditor"])
def test_revert_needs_the_revert_capability(client, world, role):
    client.force_login(_user(f"u_{role}", _without_revert(role), OWN))
    url = _revert_url(world.own, _first_version(world.own))
    response = client.get(url)  # may look at the old version …
    assert response.status_code == 200 and response.context["revert_disabled"] is True
    data = _form_post(_superuser_client(world).get(url))
    before = _fingerprint(world.own)
    assert client.post(url, data).status_code == 403  # … but not restore it
    assert _fingerprint(world.own) == before


def test_revert_of_a_foreign_object_is_refused_and_changes_nothing(client, world):
    client.force_login(_user("reverter_zs", _reverter_role(), OWN))
    url = _revert_url(world.foreign, _first_version(world.foreign))
    data = _form_post(_superuser_client(world).get(url))
    before = _fingerprint(world.foreign)
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, data).status_code in (403, 404)
    assert _fingerprint(world.foreign) == before


def test_revert_with_the_capability_restores_and_is_a_new_history_entry(client, world):
    reverter = _user("reverter_zs", _reverter_role(), OWN)
    client.force_login(reverter)
    url = _revert_url(world.own, _first_version(world.own))
    response = client.get(url)
    assert response.status_code == 200 and response.context["revert_disabled"] is False
    old_rows = _fingerprint(world.own)[2]

    response = client.post(url, _form_post(response))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    mode, _days, rows = _fingerprint(world.own)
    assert mode == DistributionMode.LOCAL
    assert set(old_rows) <= set(rows)  # earlier versions untouched
    assert len(rows) == len(old_rows) + 1
    newest = LocalMatter.history.filter(id=world.own.pk).latest("history_date", "history_id")
    assert (newest.history_type, newest.history_user, newest.distribution_mode) == ("~", reverter, "local")
    entry = _find(_entries(_superuser_client(world), user="reverter_zs"), "config_center.localmatter")
    assert ("分发模式", "全省模式：全省受理，分发到参保人参保机构", "本地模式") in _changes(entry)


def test_every_model_under_history_is_on_the_timeline():
    from django.apps import apps

    from config_center.audit.sources import is_event, sources

    historised = {
        model
        for model in apps.get_models()
        if hasattr(model, "history") and not hasattr(model, "instance_type") and not model._meta.proxy
    }
    assert historised == {source.model for source in sources() if not is_event(source)}


def test_history_rows_cannot_be_edited_through_the_console():
    assert not getattr(settings, "SIMPLE_HISTORY_EDIT", False)  # the history form reverts, never edits
    historical = [model for model in admin.site._registry if hasattr(model, "instance_type")]
    assert historical == []
    assert not [model for model in admin.site._registry if model.__name__.startswith("Historical")]


def _history_admin_params():
    """Every admin with simple-history's revert page (Role's revert is switched off: see RoleAdmin)."""
    return [
        pytest.param(model, id=model._meta.label_lower)
        for model, model_admin in sorted(
            admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
        )
        if isinstance(model_admin, SimpleHistoryAdmin) and model is not Role
    ]


def test_every_history_admin_checks_the_history_permissions():
    missing = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, HistoryPermissionMixin)
    ]
    assert missing == []


def test_roles_cannot_be_reverted_but_their_history_can_be_read(admin_client, world):
    role = Role.objects.get(code="auditor")
    version = Role.history.filter(id=role.pk).order_by("history_date").first()
    url = reverse("admin:permissions_role_simple_history", args=[role.pk, version.history_id])
    assert admin_client.get(reverse("admin:permissions_role_history", args=[role.pk])).status_code == 200
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {}).status_code == 403


@pytest.mark.parametrize("model", _history_admin_params())
def test_no_revert_page_saves_without_the_revert_capability(client, world, model):
    """A province-wide role with every permission but 恢复历史版本 cannot revert anything."""
    role = Role.objects.create(name="除恢复外全部权限", code="all_but_revert", allow_province=True)
    role.permissions.set(Permission.objects.exclude(codename="revert_history"))
    client.force_login(_user("almighty", role, PROVINCE))
    version = model.history.order_by("history_date", "history_id").first()
    if version is None:
        pytest.skip(f"no history row of {model._meta.label} in the test world to revert to")
    opts = model._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[version.id, version.history_id]
    )
    data = _form_post(_superuser_client(world).get(url))
    before = model.history.count()
    assert client.post(url, data).status_code == 403
    assert model.history.count() == before
