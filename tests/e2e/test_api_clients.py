"""系统管理 → 接口调用方 in the browser: an administrator adds a client, reads its token once, the token works against
the running server, and the list shows only its prefix."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_admin_login import PASSWORD, USERNAME, console_superuser, submit_login  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("console_superuser")]


def test_an_administrator_adds_a_client_and_its_token_works_once_shown(
    browser_page: Page, live_server, artifacts_dir, settings
):
    settings.API_READS_REQUIRE_CLIENT = True
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/permissions/apiclient/add/")
    submit_login(page, USERNAME, PASSWORD)
    expect(page.get_by_role("heading", name="增加 接口调用方")).to_be_visible()
    page.locator("#id_name").fill("自助机")
    page.locator("#id_description").fill("中山市政务服务中心自助终端")
    page.locator("input[name=scopes][value=reads]").check()
    page.locator("input[name=scopes][value='cases:write']").check()
    page.screenshot(path=artifacts_dir / "api_client_add.png", full_page=True)
    page.locator("input[name=_save]").click()

    token_cell = page.locator("#api-tokens .api-token")
    expect(token_cell).to_have_text(re.compile(r"^gsk_[A-Za-z0-9_\-]{43}$"))
    expect(page.get_by_text("令牌只显示这一次")).to_be_visible()
    page.screenshot(path=artifacts_dir / "api_client_token.png", full_page=True)
    token = token_cell.inner_text().strip()

    request = urllib.request.Request(
        f"{live_server.url}/api/v1/channels", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as answer:  # noqa: S310 (the test's own server)
        assert answer.status == 200 and json.load(answer)["count"] >= 1

    page.get_by_role("link", name="返回接口调用方列表").click()
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("自助机")
    expect(row).to_contain_text(token[:12])
    assert token not in page.content()
    page.screenshot(path=artifacts_dir / "api_client_list.png", full_page=True)
