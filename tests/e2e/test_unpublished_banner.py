"""未发布的修改 in a real browser (issue 13): saving a local matter changes the draft only, and the page says so.

A 中山 city administrator opens 本地业务属性定义 on the demo data: the banner counts the unpublished matters
and offers 发布, which opens the publish screen for 中山; after publishing the banner says nothing is
pending; a saved 办理时限 makes it count one matter again, 查看差异 shows that one change, and 发布 from
the banner publishes 第 2 版. Screenshots in ``tests/artifacts/banner_*.png``.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_sms_and_releases import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    CITY_CODE,
    CITY_NAME,
    diff_rows,
    log_in,
    open_tab,
    shot,
    success_message,
)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def city_admin_with_demo(transactional_db):
    """Reference and demo data (中山 and 广州 bound, never published) and a 中山 city administrator."""
    from django.contrib.auth import get_user_model

    from catalog.models import Region
    from config_center.project.demo import demo_data_load
    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from permissions.models import Role
    from permissions.services import assignment_create

    runtime.reset()
    reference_data_load_all()
    demo_data_load()
    user = get_user_model().objects.create_user(
        ADMIN_USERNAME, "e2e-zs-admin@example.invalid", ADMIN_PASSWORD, is_staff=True
    )
    assignment_create(
        user=user, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code=CITY_CODE)
    )
    yield user
    runtime.reset()


def banner(page: Page):
    notice = page.locator(f'.unpublished-notice[data-region="{CITY_CODE}"]')
    expect(notice).to_have_count(1)
    return notice


def publish_from_banner(page: Page, comment: str, number: int) -> None:
    banner(page).get_by_role("link", name="发布", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/config_center/release/publish/\?region={CITY_CODE}$"))
    expect(page.locator("#id_region")).to_have_value(CITY_CODE)
    page.locator("#id_comment").fill(comment)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(success_message(page)).to_have_text(f"已发布{CITY_NAME}第 {number} 版。")


def test_the_banner_counts_unpublished_changes_and_publishes_from_there(
    browser_page: Page, live_server, city_admin_with_demo, artifacts_dir
):
    from config_center.drafts.models import LocalMatter

    page = browser_page
    base = live_server.url
    bound = LocalMatter.objects.filter(region__code=CITY_CODE, is_active=True).count()
    medical = LocalMatter.objects.get(region__code=CITY_CODE, matter__code="GS0101")
    log_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)

    # ---- the list: 中山's whole draft is unpublished (never published)
    page.goto(f"{base}/admin/config_center/localmatter/")
    expect(banner(page)).to_contain_text(f"{CITY_NAME}有 {bound} 个事项的修改尚未发布")
    expect(banner(page)).to_contain_text("本市尚未发布过配置；发布后才对全省受理生效。")
    expect(page.locator(".unpublished-notice")).to_have_count(1)  # not 广州's
    # the text starts clear of the sidebar's toggle, which overlaps the top of the content
    toggle = page.locator("#toggle-nav-sidebar").bounding_box()
    text = banner(page).locator("strong").bounding_box()
    assert text["x"] >= toggle["x"] + toggle["width"], (text, toggle)
    shot(page, artifacts_dir, "banner_1_list_never_published")
    publish_from_banner(page, "中山市首次发布", 1)

    # ---- the change page: nothing pending
    page.goto(f"{base}/admin/config_center/localmatter/{medical.pk}/change/")
    expect(banner(page)).to_have_text(
        re.compile(rf"^\s*{CITY_NAME}：已发布，无待发布修改（线上为第 1 版）。\s*$")
    )
    expect(banner(page).get_by_role("link")).to_have_count(0)

    # ---- 保存 a new 办理时限: the saved message, then the banner with one matter
    open_tab(page, "流转与分发")
    page.locator("#id_time_limit_days").fill("15")
    page.get_by_role("button", name="保存并继续编辑").first.click()
    expect(success_message(page)).to_be_visible()
    expect(banner(page)).to_contain_text(f"{CITY_NAME}有 1 个事项的修改尚未发布（草稿，共 1 处）")
    expect(banner(page)).to_contain_text("保存只改了草稿，受理仍按线上第 1 版办理；发布后才对全省受理生效。")
    message_box = success_message(page).bounding_box()
    banner_box = banner(page).bounding_box()
    assert banner_box["y"] >= message_box["y"] + message_box["height"] - 1  # right under the message
    background = banner(page).evaluate("node => getComputedStyle(node).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background  # the stylesheet loaded
    page.screenshot(path="/tmp/banner.png")
    shot(page, artifacts_dir, "banner_2_saved_one_pending")

    # ---- 查看差异: the one change, draft against 第 1 版
    banner(page).get_by_role("link", name="查看差异").click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/release/compare/\?"))
    expect(diff_rows(page)).to_have_count(1)
    expect(diff_rows(page).first.locator("td")).to_have_text(
        ["工伤医疗费（GS0101） · 办理时限（工作日）", "修改", "20", "15"]
    )
    shot(page, artifacts_dir, "banner_3_diff")

    # ---- back to the page, 发布 from the banner: 第 2 版, and nothing pending again
    page.go_back()
    publish_from_banner(page, "工伤医疗费办理时限缩短为 15 个工作日", 2)
    page.goto(f"{base}/admin/config_center/localmatter/{medical.pk}/change/")
    expect(banner(page)).to_contain_text("已发布，无待发布修改（线上为第 2 版）")
    shot(page, artifacts_dir, "banner_4_published")
