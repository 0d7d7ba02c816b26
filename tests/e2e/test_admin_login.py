"""The admin login as a person sees it: Chinese login page, the themed index with the 大集中 menu groups."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser]

USERNAME = "e2e-root"
PASSWORD = "e2e-Pw-for-tests-only-7431"


@pytest.fixture
def console_superuser(transactional_db):
    """Reference data and theme loaded as ``load_reference_data`` does, plus a superuser with a password."""
    from django.contrib.auth import get_user_model

    from config_center.project.reference import reference_data_load_all

    reference_data_load_all()
    return get_user_model().objects.create_superuser(USERNAME, "e2e-root@example.invalid", PASSWORD)


def open_login_page(page: Page, live_server) -> None:
    """Go to /admin/ unauthenticated: it must redirect to the Chinese login page."""
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_text("用户名", exact=False).first).to_be_visible()
    expect(page.get_by_text("密码", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def submit_login(page: Page, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()


def test_superuser_logs_in_and_sees_chinese_menu_groups(
    browser_page: Page, live_server, console_superuser, artifacts_dir
):
    page = browser_page
    open_login_page(page, live_server)
    page.screenshot(path=artifacts_dir / "admin_login.png", full_page=True)

    submit_login(page, USERNAME, PASSWORD)

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_contain_text("工伤保险经办配置中心")
    expect(page).to_have_title(re.compile("工伤保险经办配置中心"))

    system_group = page.locator("#content-main .module").filter(
        has=page.get_by_role("link", name="系统管理", exact=True)
    )
    expect(system_group).to_have_count(1)
    for model_name in ("行政区划", "经办机构", "办理渠道", "业务大类", "业务事项", "材料"):
        expect(system_group.get_by_role("link", name=model_name, exact=True)).to_be_visible()

    page.screenshot(path=artifacts_dir / "admin_index.png", full_page=True)


def test_wrong_password_shows_chinese_error_and_stays_on_login(
    browser_page: Page, live_server, console_superuser, artifacts_dir
):
    page = browser_page
    open_login_page(page, live_server)

    submit_login(page, USERNAME, "definitely-not-the-password")

    expect(page).to_have_url(re.compile(r"/admin/login/"))
    error = page.locator(".errornote")
    expect(error).to_be_visible()
    # Django zh-hans: 请输入一个正确的工作人员账号 用户名 和密码。注意他们都是区分大小写的。
    expect(error).to_contain_text("正确")
    expect(error).to_contain_text("密码")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.locator("#id_password")).to_have_value("")

    page.screenshot(path=artifacts_dir / "admin_login_wrong_password.png", full_page=True)
