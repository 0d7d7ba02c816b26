"""Issue 14's "Done when", one case end to end in a real browser: a 中山 clerk (agency 442099) accepts a 工伤医疗费
case at the counter with one material missing → the 补充材料告知单 lists it → 补正 → 受理回执单 → 影像扫描 (a small
PDF) → a 中山 first reviewer takes it from 任务列表 (随机获取) and passes it → a different 中山 second reviewer takes
the 复审 the same way and passes it → 业务状态查询 shows it 已办结 and its 追踪 lists every step.
Screenshots in ``tests/artifacts/walk_*.png``."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot, success_message
from tests.e2e.test_task_list import choose_pass, open_task_list, take

pytestmark = [pytest.mark.browser]

PASSWORD = "pw-for-tests"  # tests.factories.cases.staff
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def zhongshan(transactional_db):
    """The reference data, the demo configuration published, and three 中山 (442099) staff: a 综合柜员, a first
    and a (different) second reviewer. The runtime engine singleton is reset before and after."""
    from django.contrib.auth import get_user_model

    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from tests.factories.cases import ZHONGSHAN_AGENCY, publish_demo, staff

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("e2e-walk-root", "root@example.invalid", None)
    publish_demo(root)
    yield SimpleNamespace(
        clerk=staff("e2e-walk-clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        first=staff("e2e-walk-first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        second=staff("e2e-walk-second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
    )
    runtime.reset()


def test_a_case_from_the_counter_through_both_reviews_to_completed(
    zhongshan, live_server, browser_page, artifacts_dir, tmp_path
):
    from routing import states
    from routing.models import Case
    from tests.factories.cases import GS0101_MAIN, id_card

    page, base = browser_page, live_server.url

    # 业务受理 → 综合受理, one material (the last) not ticked.
    log_in(page, base, zhongshan.clerk.username, PASSWORD)
    menu_group(page, "业务受理").get_by_role("link", name="综合受理", exact=True).click()
    expect(page.locator("#id_accepting_agency")).to_have_value("442099")
    page.locator("#id_matter").select_option("GS0101")
    page.locator("#id_insured_agency").fill("442099")
    page.locator("#id_injury_date").fill("2024-03-01")
    page.locator("#id_applicant_name").fill("黄林")
    page.locator("#id_id_number").fill(id_card())
    page.locator("#id_phone").fill("13800000000")
    page.locator("#id_employer_code").fill("111800611461")
    page.locator("#id_employer_name").fill("中山市名震龙牌小商品社")
    page.locator("#counter-route").click()
    expect(page.locator("#counter-routing")).to_contain_text("本地受理")
    for code in GS0101_MAIN[:-1]:
        page.locator(f"#material-{code}").check()
    shot(page, artifacts_dir, "walk_01_accept")
    page.locator("#counter-accept").click()

    # 补充材料告知单: the one missing material.
    expect(page).to_have_url(re.compile(r"/correction-notice/$"))
    expect(page.locator("#document-title")).to_have_text("补充材料告知单")
    expect(page.locator("#document-missing li")).to_have_count(1)
    expect(page.locator("#document-missing")).to_contain_text(GS0101_MAIN[-1])
    case = Case.objects.get()
    receipt_no = case.receipt_no
    assert case.status == states.PENDING_CORRECTION
    shot(page, artifacts_dir, "walk_02_correction_notice")

    # 补正 → 受理回执单.
    page.locator("#link-correct").click()
    expect(page.locator("#case-status")).to_have_text("待补正")
    page.locator(f"#material-{GS0101_MAIN[-1]}").check()
    page.locator("#correct-submit").click()
    expect(page).to_have_url(re.compile(r"/receipt/$"))
    expect(page.locator("#document-title")).to_have_text("受理回执单")
    expect(page.locator("#document-receipt-no")).to_have_text(receipt_no)
    expect(page.locator("#document-materials li")).to_have_count(len(GS0101_MAIN))
    shot(page, artifacts_dir, "walk_03_receipt")

    # 影像扫描 with a small PDF → 已扫描, in the 初审 pool.
    page.locator("#link-scan").click()
    scan = tmp_path / "工伤保险待遇申请表.pdf"
    scan.write_bytes(PDF)
    page.locator("#id_files").set_input_files(str(scan))
    page.locator("#scan-upload").click()
    expect(success_message(page)).to_contain_text("已进入初审队列")
    expect(page.locator("#case-status")).to_have_text("已扫描")
    expect(page.locator("#scan-files")).to_contain_text("工伤保险待遇申请表.pdf")
    shot(page, artifacts_dir, "walk_04_scanned")

    # 初审: 任务列表 → 随机获取 → 通过.
    log_in(page, base, zhongshan.first.username, PASSWORD)
    open_task_list(page, base)
    expect(page.locator("#task-pool-1 [data-role=count]")).to_have_text("1")
    take(page, 1)
    expect(page.locator("#content h1")).to_contain_text(receipt_no)
    choose_pass(page, "材料齐全，同意。")
    shot(page, artifacts_dir, "walk_05_first_review")
    page.locator("#task-review").get_by_role("button", name="提交审核结果").click()
    expect(success_message(page)).to_have_text(f"受理回执号 {receipt_no}：初审通过，已转复审。")

    # 复审 by a different reviewer: 随机获取 → 通过 → 已办结.
    log_in(page, base, zhongshan.second.username, PASSWORD)
    open_task_list(page, base)
    expect(page.locator("#task-pool-2 [data-role=count]")).to_have_text("1")
    take(page, 2)
    expect(page.locator("#content h1")).to_contain_text(receipt_no)
    expect(page.locator("#task-events")).to_contain_text("初审通过")
    choose_pass(page, "同意初审意见。")
    shot(page, artifacts_dir, "walk_06_second_review")
    page.locator("#task-review").get_by_role("button", name="提交审核结果").click()
    expect(success_message(page)).to_have_text(f"受理回执号 {receipt_no}：复审通过，业务已办结。")

    # 业务状态查询 (the clerk): 已办结; 追踪 lists every step.
    log_in(page, base, zhongshan.clerk.username, PASSWORD)
    menu_group(page, "业务状态查询").locator("#menu-status-casequery").get_by_role("link").click()
    page.locator("#id_receipt_no").fill(receipt_no)
    page.get_by_role("button", name="查询").click()
    row = page.locator(f'tr[data-receipt="{receipt_no}"]')
    expect(row).to_have_count(1)
    expect(row.locator(".case-status")).to_have_text("已办结")
    shot(page, artifacts_dir, "walk_07_query")
    row.get_by_role("link", name="追踪").click()
    expect(page).to_have_url(re.compile(rf"/routing/cases/{receipt_no}/trace/$"))
    events = page.locator("#case-events tbody tr")
    steps = [
        ("受理（材料不全，一次性告知）", "待补正", "e2e-walk-clerk"),
        ("补正材料", "已受理", "e2e-walk-clerk"),
        ("影像扫描", "已扫描", "e2e-walk-clerk"),
        ("获取初审任务", "已分配待初审", "e2e-walk-first"),
        ("初审通过", None, "e2e-walk-first"),
        ("获取复审任务", "已分配待复审", "e2e-walk-second"),
        ("复审通过（办结）", "已办结", "e2e-walk-second"),
    ]
    expect(events).to_have_count(len(steps))
    for index, (action, status, user) in enumerate(steps):
        cells = events.nth(index).locator("td")
        expect(cells.nth(1)).to_have_text(action)
        if status:
            expect(cells.nth(3)).to_have_text(status)
        expect(cells.nth(4)).to_contain_text(user)
    expect(page.locator("#case-events")).to_contain_text("材料齐全，同意。")
    shot(page, artifacts_dir, "walk_08_trace")

    case.refresh_from_db()
    assert case.status == states.COMPLETED
    assert case.first_reviewer == zhongshan.first and case.second_reviewer == zhongshan.second
