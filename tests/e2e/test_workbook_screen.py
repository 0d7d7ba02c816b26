"""配置工作簿 in a real browser (issue 13): a superuser finds it in 系统管理, downloads the template, checks the
whole demo configuration exported from the same screen (检查通过: nothing to change), then uploads a workbook
with a mistake and reads the error by sheet, row and column. Screenshots in ``tests/artifacts/workbook_*.png``."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import (  # noqa: F401 (console, demo: fixtures)
    ROOT_PASSWORD,
    ROOT_USERNAME,
    console,
    demo,
    log_in,
    menu_group,
    shot,
)

pytestmark = [pytest.mark.browser]


@pytest.mark.usefixtures("demo")
def test_template_export_check_and_an_error_on_the_workbook_screen(
    live_server, browser_page, artifacts_dir, tmp_path
):
    page = browser_page
    base = live_server.url
    log_in(page, base, ROOT_USERNAME, ROOT_PASSWORD)
    page.goto(f"{base}/admin/")
    menu_group(page, "系统管理").get_by_role("link", name="配置工作簿", exact=True).click()
    expect(page.get_by_role("heading", name="配置工作簿")).to_be_visible()

    with page.expect_download() as template:
        page.locator("#workbook-template").click()
    assert template.value.suggested_filename == "配置导入模板.xlsx"
    with page.expect_download() as export:
        page.locator("#workbook-export").click()
    exported = tmp_path / "export.xlsx"
    export.value.save_as(exported)

    page.locator("#id_file").set_input_files(str(exported))
    page.get_by_role("button", name="检查（不写入）").click()
    expect(page.locator("#workbook-result")).to_contain_text("检查通过")
    counts = page.locator("#workbook-counts tbody tr").filter(has_text="事项绑定")
    expect(counts.locator("td").nth(4)).to_have_text("8")  # the demo's eight bindings, all unchanged
    shot(page, artifacts_dir, "workbook_1_checked")

    import openpyxl

    book = openpyxl.load_workbook(exported)
    book["事项绑定"]["F2"] = "三级"  # 业务审核级别 of the first binding
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    page.locator("#id_file").set_input_files(str(broken))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#workbook-result")).to_contain_text("没有写入任何数据")
    row = page.locator("#workbook-errors tbody tr").first
    expect(row.locator("td").nth(0)).to_have_text("事项绑定")
    expect(row.locator("td").nth(1)).to_have_text("2")
    expect(row.locator("td").nth(2)).to_have_text("业务审核级别")
    shot(page, artifacts_dir, "workbook_2_error")
