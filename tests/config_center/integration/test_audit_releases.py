"""发布 and 回滚 on 变更记录: each release is an entry beside the field changes, filtered, scoped and exported
like them, read without its snapshot and in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import Channel, Material, Matter, Region
from config_center.drafts.models import ChecklistItem, LocalMatter
from config_center.drafts.services import local_matter_bind
from config_center.releases.models import PublishPolicy, Release, ReleaseKind
from config_center.releases.services import release_publish, release_rollback
from permissions.models import Role
from permissions.services import assignment_create

pytestmark = pytest.mark.django_db

OWN, FOREIGN, PROVINCE = "442000", "440100", "440000"  # 中山, 广州, 广东省
OWN_LABEL, FOREIGN_LABEL = "中山市（442000）", "广州市（440100）"
TIMELINE = "admin:config_center_auditlog_changelist"
EXPORT = "admin:config_center_auditlog_export"
RELEASES = "config_center.release"
EMERGENCY = "紧急发布（跳过发布审核）"


def _user(username: str, role: str, region: str):
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    assignment_create(user=user, role=Role.objects.get(code=role), region=Region.objects.get(code=region))
    return user


def _save(obj, user, reason: str = ""):
    obj._history_user = user
    obj._change_reason = reason
    obj.save()
    return obj


def _draft(code: str, user) -> LocalMatter:
    """GS0101 bound in the city, with a main list at the counter: a draft that may be published."""
    region = Region.objects.get(code=code)
    local_matter_bind(region=region, matters=Matter.objects.filter(code="GS0101"), user=user)
    local = LocalMatter.objects.get(region=region, matter__code="GS0101")
    for position, material in enumerate(["CL001", "CL003"], start=1):
        item = ChecklistItem(
            local_matter=local,
            channel=Channel.objects.get(code="counter"),
            kind="main",
            position=position,
            material=Material.objects.get(code=material),
        )
        _save(item, user)
    return local


@dataclass
class Releases:
    root: object
    zs_admin: object
    gz_admin: object
    v1: Release  # 中山 第 1 版, by the city administrator
    edit: LocalMatter  # 中山's binding, changed after v1 by the administrator, then by root
    v2: Release  # 中山 第 2 版, root past four eyes: an emergency publish
    v3: Release  # 中山 第 3 版: the administrator rolls back to 第 1 版
    gz: Release  # 广州 第 1 版


@pytest.fixture
def releases(reference_data, superuser) -> Releases:
    zs_admin, gz_admin = _user("zs_admin", "city_admin", OWN), _user("gz_admin", "city_admin", FOREIGN)
    local = _draft(OWN, zs_admin)
    v1 = release_publish(region=local.region, user=zs_admin, comment="中山首次发布").release
    local.time_limit_days = 15
    _save(local, zs_admin, "缩短时限")
    _save(PublishPolicy(region=local.region, review_required=True), superuser, "开启发布审核")
    local.time_limit_days = 12
    _save(local, superuser, "再缩短时限")
    v2 = release_publish(region=local.region, user=superuser, comment="紧急修正办理时限")
    assert v2.emergency
    v3 = release_rollback(region=local.region, to_number=1, user=zs_admin)
    foreign = _draft(FOREIGN, gz_admin)
    gz = release_publish(region=foreign.region, user=gz_admin, comment="广州首发").release
    return Releases(superuser, zs_admin, gz_admin, v1, local, v2.release, v3, gz)


def _page(client, **params):
    response = client.get(reverse(TIMELINE), params)
    assert response.status_code == 200
    page = response.context["page"]
    assert page is not None, "the filter form was refused"
    return page


def _releases(client, **params) -> list[tuple[str, int]]:
    """The release entries of the filtered timeline as (city label, number), newest first."""
    return [
        (entry.region, entry.values["number"])
        for entry in _page(client, **params).entries
        if entry.source.key == RELEASES
    ]


def _facts(entry) -> list[tuple[str, str]]:
    return [(fact.label, fact.value) for fact in entry.facts]


# ---- the entries --------------------------------------------------------------------------------------


def test_publish_and_rollback_are_timeline_entries_with_who_when_city_number_and_comment(
    admin_client, releases
):
    entries = _page(admin_client, model=RELEASES).entries
    assert [(e.region, e.history_id) for e in entries] == [
        (FOREIGN_LABEL, releases.gz.pk),
        (OWN_LABEL, releases.v3.pk),
        (OWN_LABEL, releases.v2.pk),
        (OWN_LABEL, releases.v1.pk),
    ]
    gz, v3, v2, v1 = entries

    assert (v1.user, v1.action_label, v1.reason, v1.object_label) == (
        "zs_admin",
        "发布",
        "中山首次发布",
        "中山市（442000） · 第 1 版",
    )
    assert v1.when == releases.v1.published_at and v1.model_label == "配置发布"
    assert _facts(v1) == [("版本号", "1")] and v1.changes == []  # no 紧急发布 said on a plain publish

    assert (v2.user, v2.action_label, v2.reason) == ("root", "发布", "紧急修正办理时限")
    assert _facts(v2) == [("版本号", "2"), (EMERGENCY, "是")]

    assert (v3.user, v3.action_label, v3.reason) == ("zs_admin", "回滚", "回滚到第 1 版")
    assert _facts(v3) == [("版本号", "3"), ("回滚到版本", "1")]
    assert (gz.user, gz.object_label) == ("gz_admin", "广州市（440100） · 第 1 版")


def test_releases_take_their_place_among_the_field_changes(admin_client, releases):
    """Newest first across tables: 回滚, root's emergency publish, root's edit, the policy, the
    administrator's edit, 第 1 版, the binding."""
    entries = _page(admin_client, city=OWN).entries
    whens = [entry.when for entry in entries]
    assert whens == sorted(whens, reverse=True)

    def position(source_key: str, **where) -> int:
        return next(
            i
            for i, e in enumerate(entries)
            if e.source.key == source_key and all(getattr(e, k) == v for k, v in where.items())
        )

    binding = "config_center.localmatter"
    order = [
        position(RELEASES, history_id=releases.v3.pk),
        position(RELEASES, history_id=releases.v2.pk),
        position(binding, reason="再缩短时限"),
        position("config_center.publishpolicy", reason="开启发布审核"),
        position(binding, reason="缩短时限"),
        position(RELEASES, history_id=releases.v1.pk),
        position(binding, action="+"),
    ]
    assert order == sorted(order)
    assert FOREIGN_LABEL not in {e.region for e in entries}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "zs_admin"}, [(OWN_LABEL, 3), (OWN_LABEL, 1)]),
        ({"user": "root"}, [(OWN_LABEL, 2)]),
        ({"city": FOREIGN}, [(FOREIGN_LABEL, 1)]),
        ({"city": OWN, "model": RELEASES}, [(OWN_LABEL, 3), (OWN_LABEL, 2), (OWN_LABEL, 1)]),
        ({"model": "config_center.localmatter"}, []),
        ({"q": "紧急修正"}, [(OWN_LABEL, 2)]),  # the comment
        ({"q": "广州"}, [(FOREIGN_LABEL, 1)]),  # the city's name
        ({"q": "440100", "model": RELEASES}, [(FOREIGN_LABEL, 1)]),  # the city's code
        ({"q": "3", "model": RELEASES}, [(OWN_LABEL, 3)]),  # the number
        ({"q": "gz_admin"}, [(FOREIGN_LABEL, 1)]),  # the publisher's name
    ],
    ids=[
        "user",
        "user-root",
        "city",
        "city-source",
        "other-source",
        "comment",
        "city-name",
        "code",
        "number",
        "username",
    ],
)
def test_releases_are_filtered_like_the_other_rows(admin_client, releases, params, expected):
    assert _releases(admin_client, **params) == expected


def test_source_filter_offers_releases_and_keeps_only_them(admin_client, releases):
    response = admin_client.get(reverse(TIMELINE), {"model": RELEASES})
    assert (RELEASES, "配置发布") in response.context["form"].fields["model"].choices
    page = response.context["page"]
    assert page.count == 4 and {e.source.key for e in page.entries} == {RELEASES}


def test_date_range_filter_applies_to_the_publish_time(admin_client, releases):
    moment = timezone.make_aware(datetime(2024, 1, 10, 23, 30))
    Release.objects.filter(pk=releases.gz.pk).update(published_at=moment)  # immutable to save(), not here
    january = _page(admin_client, date_from="2024-01-10", date_to="2024-01-10").entries
    assert [(e.source.key, e.history_id) for e in january] == [(RELEASES, releases.gz.pk)]
    assert _releases(admin_client, date_to="2024-01-09") == []
    assert (FOREIGN_LABEL, 1) not in _releases(admin_client, date_from="2024-01-11")


# ---- scope ------------------------------------------------------------------------------------------


def test_city_auditor_sees_only_their_citys_releases(client, releases):
    client.force_login(_user("auditor_zs", "auditor", OWN))
    assert _releases(client) == [(OWN_LABEL, 3), (OWN_LABEL, 2), (OWN_LABEL, 1)]
    assert _releases(client, q="广州") == []
    response = client.get(reverse(TIMELINE), {"city": FOREIGN})
    assert response.context["page"] is None  # not a choice for them
    rows = _xlsx_rows(client.get(reverse(EXPORT), {"model": RELEASES}))
    assert [row[4] for row in rows[1:]] == [OWN_LABEL] * 3


def test_another_citys_auditor_does_not_see_them(client, releases):
    client.force_login(_user("auditor_gz", "auditor", FOREIGN))
    assert _releases(client) == [(FOREIGN_LABEL, 1)]
    assert _releases(client, user="zs_admin") == []


def test_province_auditor_sees_every_citys_releases(client, releases):
    client.force_login(_user("auditor_gd", "auditor", PROVINCE))
    assert _releases(client, model=RELEASES) == [
        (FOREIGN_LABEL, 1),
        (OWN_LABEL, 3),
        (OWN_LABEL, 2),
        (OWN_LABEL, 1),
    ]


def test_city_administrator_without_view_audit_sees_no_release_entries(client, releases):
    client.force_login(releases.gz_admin)
    assert client.get(reverse(TIMELINE), {"model": RELEASES}).status_code == 403
    assert client.get(reverse(EXPORT), {"model": RELEASES}).status_code == 403


# ---- links ------------------------------------------------------------------------------------------


def test_a_release_entry_links_to_the_release_page_and_a_change_to_its_versions(client, releases):
    client.force_login(_user("auditor_zs", "auditor", OWN))
    response = client.get(reverse(TIMELINE), {"city": OWN})
    html = response.content.decode()
    links = {entry.history_id: link for entry, link in response.context["rows"] if entry.is_event}
    assert links == {
        release.pk: reverse("admin:config_center_release_change", args=[release.pk])
        for release in (releases.v1, releases.v2, releases.v3)
    }
    for link in links.values():
        assert f'href="{link}"' in html
        assert client.get(link).status_code == 200
    change = next(link for entry, link in response.context["rows"] if entry.reason == "缩短时限")
    assert change.startswith(
        reverse("admin:config_center_auditlog_object", args=["config_center.localmatter", releases.edit.pk])
    )
    assert "回滚到版本" in html and EMERGENCY in html
    # an event has no versions to compare: its own page is the release's
    object_page = reverse("admin:config_center_auditlog_object", args=[RELEASES, releases.v1.pk])
    assert client.get(object_page).status_code == 404


# ---- export -----------------------------------------------------------------------------------------


def _xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_lists_releases_with_the_screens_columns(admin_client, releases):
    rows = _xlsx_rows(admin_client.get(reverse(EXPORT), {"city": OWN}))
    shown = _page(admin_client, city=OWN)
    assert len(rows) - 1 == shown.count
    events = [row for row in rows[1:] if row[2] == "配置发布"]
    assert [row[1:] for row in events] == [
        [
            "zs_admin",
            "配置发布",
            "中山市（442000） · 第 3 版",
            OWN_LABEL,
            "回滚",
            "回滚到第 1 版",
            "版本号：3\n回滚到版本：1",
        ],
        [
            "root",
            "配置发布",
            "中山市（442000） · 第 2 版",
            OWN_LABEL,
            "发布",
            "紧急修正办理时限",
            f"版本号：2\n{EMERGENCY}：是",
        ],
        [
            "zs_admin",
            "配置发布",
            "中山市（442000） · 第 1 版",
            OWN_LABEL,
            "发布",
            "中山首次发布",
            "版本号：1",
        ],
    ]
    assert events[0][0] == timezone.localtime(releases.v3.published_at).strftime("%Y-%m-%d %H:%M:%S")
    # in their place: the export is the screen's order
    assert [row[6] for row in rows[1:5]] == [
        "回滚到第 1 版",
        "紧急修正办理时限",
        "再缩短时限",
        "开启发布审核",
    ]


# ---- queries ----------------------------------------------------------------------------------------


def _more_releases(releases: Releases, count: int) -> None:
    """``count`` more releases of each city, each with a snapshot far larger than a page of the timeline."""
    snapshot = {f"M{i:05d}": {"time_limit_days": i, "note": "长" * 200} for i in range(200)}
    for release in (releases.v3, releases.gz):
        last = Release.objects.filter(region=release.region).order_by("-number").first().number
        Release.objects.bulk_create(
            Release(
                region=release.region,
                number=last + n,
                kind=ReleaseKind.PUBLISH if n % 2 else ReleaseKind.ROLLBACK,
                rolled_back_to=None if n % 2 else 1,
                comment=f"批量发布 {n}",
                published_by=releases.zs_admin if release is releases.v3 else releases.gz_admin,
                snapshot=snapshot,
                matter_count=200,
            )
            for n in range(1, count + 1)
        )


def _measure(client, params) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse(TIMELINE), params)
    assert response.status_code == 200 and response.context["page"].entries
    return len(context.captured_queries), [q["sql"] for q in context.captured_queries]


@pytest.mark.parametrize(
    "params",
    [{}, {"model": RELEASES}, {"city": OWN}, {"user": "zs_admin"}, {"q": "发布"}],
    ids=["all", "source", "city", "user", "text"],
)
def test_query_count_does_not_grow_with_releases_and_no_snapshot_is_read(admin_client, releases, params):
    admin_client.get(reverse(TIMELINE), params)  # warm-up: session, content types, theme
    _more_releases(releases, 2)
    small, _sql = _measure(admin_client, params)
    _more_releases(releases, 150)
    assert Release.objects.count() > 300
    large, sql = _measure(admin_client, params)
    repeated = "\n".join(f"{n}× {q[:200]}" for q, n in Counter(sql).most_common(5) if n > 1)
    assert large <= small, f"{small} queries with 8 releases, {large} with 308:\n{repeated}"
    assert not [q for q in sql if "snapshot" in q]


def test_province_auditor_page_reads_releases_in_a_fixed_number_of_queries(releases):
    client = Client()
    client.force_login(_user("auditor_gd", "auditor", PROVINCE))
    client.get(reverse(TIMELINE), {"model": RELEASES})
    _more_releases(releases, 2)
    small, _sql = _measure(client, {"model": RELEASES})
    _more_releases(releases, 150)
    large, sql = _measure(client, {"model": RELEASES})
    assert large == small and not [q for q in sql if "snapshot" in q]
