"""待遇计算 in a real browser (issue 16): a city administrator finds it in 系统管理, computes seed 001's Yongkang
example, then asks for a grade the benefit has no standard for and reads the refusal at its field.
Screenshots in ``tests/artifacts/benefit_compute_*.png``."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import (  # noqa: F401 (console: fixture)
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    console,
    log_in,
    menu_group,
    shot,
)

pytestmark = [pytest.mark.browser]


@pytest.mark.usefixtures("console")
def test_a_city_administrator_computes_the_yongkang_benefit(live_server, browser_page, artifacts_dir):
    page = browser_page
    base = live_server.url
    log_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(f"{base}/admin/")
    menu_group(page, "系统管理").get_by_role("link", name="待遇计算", exact=True).click()
    expect(page.get_by_role("heading", name="待遇计算")).to_be_visible()

    page.locator("#id_benefit").select_option(label="一次性伤残补助金")
    page.locator("#id_grade").select_option(label="十级")
    page.locator("#id_monthly_wage").fill("3,083.20")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#benefit-amount")).to_have_text("21582.40")
    expect(page.locator("#benefit-rule")).to_contain_text(
        "一次性伤残补助金：十级伤残 7 个月 × 本人工资 3083.20 元 = 21582.40 元"
    )
    shot(page, artifacts_dir, "benefit_compute_1_yongkang")

    page.locator("#id_benefit").select_option(label="一次性工伤医疗补助金")
    page.locator("#id_grade").select_option(label="三级")
    page.get_by_role("button", name="计算").click()
    expect(page.locator(".errorlist")).to_contain_text("一次性工伤医疗补助金没有三级伤残的标准")
    expect(page.locator("#benefit-amount")).to_have_count(0)
    shot(page, artifacts_dir, "benefit_compute_2_refused")
