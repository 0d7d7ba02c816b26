"""未发布的修改 on the 本地业务属性定义 screens: saving changes the draft only, the banner says so (issue 13).

The banner is the releases' (``config_center/releases/notices.py``), shown by the draft screens through
``core.registry``: per city, how many matters differ from the latest release, 查看差异, and 发布 for those
who may publish that city.
"""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter
from config_center.drafts.selectors import region_draft
from config_center.drafts.services import local_matter_bind
from config_center.releases.models import PublishPolicy, Release
from config_center.releases.selectors import draft_statuses
from config_center.releases.services import release_publish
from permissions.models import Role
from permissions.services import assignment_create
from tests.factories.admin_post import change_page_post
from tests.factories.config import province_configuration

pytestmark = pytest.mark.django_db

ZHONGSHAN = "442000"
GUANGZHOU = "440100"
CHANGELIST = "admin:config_center_localmatter_changelist"
NOTICE = re.compile(
    r'<div class="unpublished-notice (?P<kind>[\w-]+)" data-region="(?P<region>\d+)"[^>]*>(?P<body>.*?)</div>',
    re.S,
)


def user_with(role_code: str, region_code: str, name: str):
    user = get_user_model().objects.create_user(name, password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user, role=Role.objects.get(code=role_code), region=Region.objects.get(code=region_code)
    )
    return user


def notices(response) -> dict[str, dict]:
    """{region code: {"pending": bool, "text": …, "compare": url or None, "publish": url or None}}."""
    assert response.status_code == 200
    found = {}
    for match in NOTICE.finditer(response.content.decode()):
        body = match["body"]
        compare = re.search(r'href="([^"]+)" class="unpublished-compare"', body)
        publish = re.search(r'href="([^"]+)" class="button default unpublished-publish"', body)
        found[match["region"]] = {
            "pending": match["kind"] == "unpublished-pending",
            "text": re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", body)),
            "compare": html.unescape(compare[1]) if compare else None,
            "publish": html.unescape(publish[1]) if publish else None,
        }
    return found


def change_url(local: LocalMatter) -> str:
    return reverse("admin:config_center_localmatter_change", args=[local.pk])


@pytest.fixture
def cities(reference_data):
    return Region.objects.get(code=ZHONGSHAN), Region.objects.get(code=GUANGZHOU)


@pytest.fixture
def zs_admin(cities):
    return user_with("city_admin", ZHONGSHAN, "zs_admin")


@pytest.fixture
def published(cities, zs_admin):
    """中山 and 广州 bind two matters each and publish them (第 1 版 each)."""
    gz_admin = user_with("city_admin", GUANGZHOU, "gz_admin")
    for region, admin in zip(cities, (zs_admin, gz_admin), strict=True):
        local_matter_bind(
            region=region, matters=Matter.objects.filter(code__in=["GS0101", "GS0104"]), user=admin
        )
        release_publish(region=region, user=admin, comment="首次发布")
    return LocalMatter.objects.get(region=cities[0], matter__code="GS0101")


def save_time_limit(client, local: LocalMatter, days: int, *, keep_editing: bool = True):
    """保存 on the change page with a new 办理时限, as the browser posts it; returns the followed response."""
    data = change_page_post(client.get(change_url(local)))
    data["time_limit_days"] = str(days)
    if keep_editing:
        data["_continue"] = "1"
    response = client.post(change_url(local), data, follow=True)
    assert response.redirect_chain, response.context["errors"] if response.context else response
    return response


def test_a_save_shows_one_unpublished_matter_with_the_diff_and_publish_links(client, published, zs_admin):
    client.force_login(zs_admin)
    before = notices(client.get(change_url(published)))[ZHONGSHAN]
    assert not before["pending"] and "已发布，无待发布修改（线上为第1版）" in before["text"]
    assert before["publish"] is None

    response = save_time_limit(client, published, 9)
    assert 'class="messagelist"' in response.content.decode()
    notice = notices(response)[ZHONGSHAN]
    assert notice["pending"]
    assert "中山市有1个事项的修改尚未发布（草稿，共1处）" in notice["text"]
    assert "受理仍按线上第1版办理；发布后才对全省受理生效" in notice["text"]
    assert notice["compare"] == (
        reverse("admin:config_center_release_compare") + f"?region={ZHONGSHAN}&a=1&b=draft"
    )
    assert notice["publish"] == reverse("admin:config_center_release_publish") + f"?region={ZHONGSHAN}"

    diff = client.get(notice["compare"])
    assert diff.status_code == 200
    assert [(c.where, c.old, c.new) for c in diff.context["changes"]] == [
        ("工伤医疗费（GS0101） · 办理时限（工作日）", "20", "9")
    ]
    publish_screen = client.get(notice["publish"])
    assert publish_screen.context["region"].code == ZHONGSHAN and publish_screen.context["can_publish"]


def test_after_publishing_the_banner_says_nothing_is_pending(client, published, zs_admin):
    client.force_login(zs_admin)
    notice = notices(save_time_limit(client, published, 9))[ZHONGSHAN]
    # the banner's 发布 opens the publish screen; the publish itself is its form (comment required)
    refused = client.post(notice["publish"], {"region": ZHONGSHAN, "comment": " "}, follow=True)
    assert "请填写发布说明" in refused.content.decode()
    assert Release.objects.filter(region__code=ZHONGSHAN).count() == 1
    client.post(notice["publish"], {"region": ZHONGSHAN, "comment": "时限改为 9 天"}, follow=True)
    assert Release.objects.filter(region__code=ZHONGSHAN).count() == 2

    after = notices(client.get(change_url(published)))[ZHONGSHAN]
    assert not after["pending"] and "已发布，无待发布修改（线上为第2版）" in after["text"]
    assert after["compare"] is None and after["publish"] is None


def test_four_eyes_still_applies_to_a_publish_from_the_banner(client, published, zs_admin):
    PublishPolicy.objects.create(region=published.region, review_required=True)
    client.force_login(zs_admin)
    notice = notices(save_time_limit(client, published, 9))[ZHONGSHAN]
    response = client.post(notice["publish"], {"region": ZHONGSHAN, "comment": "自己发布"}, follow=True)
    assert "草稿的最后修改人不能自己发布" in response.content.decode()
    assert Release.objects.filter(region__code=ZHONGSHAN).count() == 1
    assert notices(client.get(change_url(published)))[ZHONGSHAN]["pending"]


def test_a_user_who_may_not_publish_sees_the_diff_but_no_publish(client, published):
    supervisor = user_with("supervisor", "440000", "gd_supervisor")  # configures, compares, never publishes
    client.force_login(supervisor)
    notice = notices(save_time_limit(client, published, 9))[ZHONGSHAN]
    assert notice["pending"] and notice["compare"] and notice["publish"] is None
    assert client.get(notice["compare"]).status_code == 200


def test_another_citys_change_does_not_count(client, published, zs_admin, cities):
    guangzhou_medical = LocalMatter.objects.get(region=cities[1], matter__code="GS0101")
    client.force_login(user_with("city_admin", GUANGZHOU, "gz_editor"))
    assert notices(save_time_limit(client, guangzhou_medical, 7))[GUANGZHOU]["pending"]

    client.force_login(zs_admin)
    shown = notices(client.get(reverse(CHANGELIST)))
    assert list(shown) == [ZHONGSHAN] and not shown[ZHONGSHAN]["pending"]
    assert [status.matters for status in draft_statuses(cities)] == [0, 1]


def test_saving_to_the_change_list_shows_the_message_then_the_banner(client, published, zs_admin):
    client.force_login(zs_admin)
    response = save_time_limit(client, published, 9, keep_editing=False)
    assert response.request["PATH_INFO"] == reverse(CHANGELIST)
    page = response.content.decode()
    assert page.index('class="messagelist"') < page.index('class="unpublished-notice')
    assert notices(response)[ZHONGSHAN]["pending"]


def test_a_user_who_only_views_local_matters_sees_no_banner(client, published):
    client.force_login(user_with("clerk", ZHONGSHAN, "zs_clerk"))
    assert notices(client.get(change_url(published))) == {}
    assert notices(client.get(reverse(CHANGELIST))) == {}


def test_province_wide_users_see_the_cities_they_changed_or_filter_on(admin_client, published, cities):
    zhongshan, guangzhou = cities
    assert notices(admin_client.get(reverse(CHANGELIST))) == {}  # nothing of theirs unpublished
    save_time_limit(admin_client, published, 9, keep_editing=False)
    shown = notices(admin_client.get(reverse(CHANGELIST)))
    assert list(shown) == [ZHONGSHAN] and shown[ZHONGSHAN]["pending"]
    filtered = notices(admin_client.get(reverse(CHANGELIST), {"region__id__exact": guangzhou.pk}))
    assert list(filtered) == [GUANGZHOU] and not filtered[GUANGZHOU]["pending"]


def test_a_city_never_published_counts_every_bound_matter(client, cities, zs_admin):
    local_matter_bind(
        region=cities[0], matters=Matter.objects.filter(code__in=["GS0101", "GS0104"]), user=zs_admin
    )
    client.force_login(zs_admin)
    notice = notices(client.get(reverse(CHANGELIST)))[ZHONGSHAN]
    assert notice["pending"] and "中山市有2个事项的修改尚未发布（草稿，共2处）" in notice["text"]
    assert "本市尚未发布过配置" in notice["text"]
    assert notice["compare"].endswith("a=0&b=draft")  # against nothing, not the draft against itself
    changes = client.get(notice["compare"]).context["changes"]
    assert [(c.where, c.new) for c in changes] == [
        ("工伤医疗费（GS0101）", "绑定"),
        ("住院伙食补助费（GS0104）", "绑定"),
    ]


def _count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_the_banner_runs_a_fixed_number_of_queries(client, cities, zs_admin):
    zhongshan = cities[0]
    province_configuration(region_codes=[ZHONGSHAN], matters=3, materials_per_list=2)
    Release.objects.create(
        region=zhongshan, number=1, comment="v1", published_by=zs_admin, snapshot=region_draft(zhongshan)
    )
    client.force_login(zs_admin)
    url = reverse(CHANGELIST)
    client.get(url)  # warm-up
    small, small_page = _count(client, url)
    assert "已发布，无待发布修改" in small_page

    province_configuration(region_codes=[ZHONGSHAN], matters=30, materials_per_list=8)
    province_configuration(region_codes=[GUANGZHOU], matters=30, materials_per_list=8)
    large, large_page = _count(client, url)
    assert "中山市有 30 个事项的修改尚未发布" in large_page
    assert large == small
