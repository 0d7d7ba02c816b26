"""业务状态查询 in a real browser (issue 14, 003 附件 4): a 中山 clerk opens the screen from its menu group, sees
the cases 中山 accepted or handles (not 广州's own), masked (黄**), filters by 流程状态, opens 追踪 and 详情,
exports the selection, and reads a bad 受理回执号 refused in words. Screenshots in ``tests/artifacts/query_*.png``."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot

pytestmark = [pytest.mark.browser]

CLERK = "e2e-query-clerk"
PASSWORD = "pw-for-tests"  # tests.factories.cases.staff
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cases(transactional_db):
    """中山's and 广州's demo configuration published; a 中山 case in each of four states, a 广州-only case and
    a remote case 广州 accepted for a person insured in 中山."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from routing.services import Applicant, case_add_files, case_scan, task_acquire
    from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, id_card, publish_demo, staff

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("e2e-query-root", "root@example.invalid", "x-Pw-5521")
    publish_demo(root)
    clerk = staff(CLERK, "clerk", agency=ZHONGSHAN_AGENCY)
    reviewer = staff("e2e-query-first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    gz_clerk = staff("e2e-query-gz", "clerk", agency=GUANGZHOU_AGENCY)
    made = {
        "accepted": accept(clerk),
        "incomplete": accept(
            clerk,
            received=["CL009"],
            applicant=Applicant(name="李四", id_number=id_card("44200019920505123")),
        ),
        "scanned": accept(clerk, applicant=Applicant(name="欧阳修", id_number=id_card("44200019800303123"))),
        "reviewing": accept(clerk, applicant=Applicant(name="王五", id_number=id_card("44200019930606123"))),
        "guangzhou": accept(
            gz_clerk,
            accepting_agency=GUANGZHOU_AGENCY,
            insured_agency=GUANGZHOU_AGENCY,
            applicant=Applicant(name="陈明", id_number=id_card("44010019850202123")),
        ),
        "remote": accept(
            gz_clerk,
            accepting_agency=GUANGZHOU_AGENCY,
            insured_agency=ZHONGSHAN_AGENCY,
            applicant=Applicant(name="张三", id_number=id_card("44200019700707123")),
        ),
    }
    for key in ("scanned", "reviewing"):
        case_scan(receipt_no=made[key].receipt_no, user=clerk, defer=True)
    task_acquire(user=reviewer, level=1, receipt_no=made["reviewing"].receipt_no)
    upload = SimpleUploadedFile("申请表.pdf", PDF, content_type="application/pdf")
    case_add_files(receipt_no=made["reviewing"].receipt_no, user=clerk, uploads=[upload])  # 补扫
    yield made
    runtime.reset()


def test_a_clerk_queries_filters_traces_and_exports(
    cases, live_server, browser_page, artifacts_dir, tmp_path
):
    page = browser_page
    base = live_server.url
    log_in(page, base, CLERK, PASSWORD)
    menu_group(page, "业务状态查询").locator("#menu-status-casequery").get_by_role("link").click()
    expect(page.get_by_role("heading", name="业务状态查询")).to_be_visible()
    rows = page.locator("#case-results tbody tr")
    expect(rows).to_have_count(5)  # not 广州's own case
    expect(page.locator(f'tr[data-receipt="{cases["guangzhou"].receipt_no}"]')).to_have_count(0)
    expect(page.locator(f'tr[data-receipt="{cases["remote"].receipt_no}"]')).to_have_count(1)
    first = page.locator(f'tr[data-receipt="{cases["accepted"].receipt_no}"]')
    expect(first.locator(".case-name")).to_have_text("黄**")
    expect(first.locator(".case-id")).to_have_text(re.compile(r"^4\*{16}\w$"))
    expect(page.locator("#case-count")).to_contain_text("共 5 笔业务")
    shot(page, artifacts_dir, "query_1_list")

    page.locator("#id_status").select_option(label="已分配待初审")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    row = page.locator(f'tr[data-receipt="{cases["reviewing"].receipt_no}"]')
    expect(row.locator(".case-status")).to_have_text("已分配待初审")
    expect(row.locator(".case-name")).to_have_text("王**")
    expect(page.locator("#id_status")).to_have_value("first_assigned")
    shot(page, artifacts_dir, "query_2_filtered")

    row.get_by_role("link", name="追踪").click()
    expect(page).to_have_url(re.compile(rf"/routing/cases/{cases['reviewing'].receipt_no}/trace/$"))
    events = page.locator("#case-events tbody tr")
    expect(events).to_have_count(4)
    expect(events.nth(0)).to_contain_text("受理")
    expect(events.nth(1)).to_contain_text("后续扫描")
    expect(events.nth(2)).to_contain_text("获取初审任务")
    expect(events.nth(2)).to_contain_text("已分配待初审")
    expect(events.nth(2)).to_contain_text("e2e-query-first")
    expect(events.nth(3)).to_contain_text("补扫")
    shot(page, artifacts_dir, "query_3_trace")

    page.get_by_role("link", name="详情").first.click()
    expect(page.get_by_role("heading", name=re.compile("业务详情"))).to_be_visible()
    expect(page.locator("#case-tasks tbody tr")).to_have_count(1)
    expect(page.locator("#case-tasks")).to_contain_text("已获取")
    expect(page.locator("#case-materials tbody tr")).not_to_have_count(0)
    expect(page.locator("#case-files a")).to_have_text("申请表.pdf")
    expect(page.locator("#case-files a")).to_have_attribute("href", re.compile(r"/files/\d+/$"))
    shot(page, artifacts_dir, "query_4_detail")

    page.goto(f"{base}/admin/routing/cases/?status=pending_correction")
    expect(rows).to_have_count(1)
    with page.expect_download() as download:
        page.locator("#case-export").click()
    saved = tmp_path / "cases.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("业务状态查询-")
    import openpyxl

    sheet = openpyxl.load_workbook(saved)["业务状态查询"]
    body = list(sheet.values)[1:]
    assert [record[0] for record in body] == [cases["incomplete"].receipt_no]
    assert "李**" in body[0]

    page.locator("#id_receipt_no").fill("12345")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#case-query-errors")).to_have_text("受理回执号：应为 16 位数字。")
    expect(page.locator("#case-results")).to_have_count(0)
    shot(page, artifacts_dir, "query_5_error")
