"""全省通办业务移交 in a real browser: issue 15's example from 003 附件 4, end to end.

Set up through the services (as tests/routing/integration/test_transfer.py): 个人欠费删除 (UCA402) bound in 中山
with two review levels, accepted at the 中山 counter with the annex's receipt number 2201091444546597, scanned
(后续扫描), passed by a 中山 first reviewer and taken for 复审 by a 中山 second reviewer (已分配待复审).

In the browser: the provincial supervisor opens 业务受理 → 全省通办业务移交, queries by the receipt number, picks
the case, moves it to 广东省社会保险基金管理局 (440099) with a reason → the transfer's 受理回执单 → 影像扫描
(后续扫描); a provincial first reviewer and a different provincial second reviewer finish the transfer in 任务列表
(指定获取 by the transfer's receipt number). Then 业务状态查询 shows the original case handled by the province and
back at 已扫描, the 中山 second reviewer's 任务列表 no longer holds it, and a provincial first reviewer takes it
by 指定获取 2201091444546597. Screenshots in ``tests/artifacts/transfer_*.png``."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot, success_message
from tests.e2e.test_task_list import choose_pass, open_task_list

pytestmark = [pytest.mark.browser]

PASSWORD = "pw-for-tests"  # tests.factories.cases.staff
ANNEX_RECEIPT = "2201091444546597"
PROVINCE_AGENCY = "440099"
PROVINCE_AGENCY_NAME = "广东省社会保险基金管理局"
REASON = "疑难业务上移，由省局审核"


@pytest.fixture
def annex_case(transactional_db):
    """The annex's example up to 已分配待复审 in 中山, and the people of the walk (passwords pw-for-tests)."""
    from django.contrib.auth import get_user_model

    from catalog.models import Matter, Region
    from config_center.drafts.models import LocalMatter
    from config_center.drafts.services import local_matter_bind
    from config_center.project.reference import reference_data_load_all
    from config_center.releases.services import release_publish
    from config_center.runtime.holder import runtime
    from routing import states
    from routing.models import Case
    from routing.services import case_scan, task_acquire, task_complete
    from tests.factories.cases import ZHONGSHAN_AGENCY, accept, publish_demo, staff

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("e2e-transfer-root", "root@example.invalid", None)
    publish_demo(root)
    zhongshan = Region.objects.get(code="442000")
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="UCA402")], user=root)
    LocalMatter.objects.filter(region=zhongshan, matter__code="UCA402").update(
        review_levels=2, time_limit_days=5
    )
    release_publish(region=zhongshan, user=root, comment="个人欠费删除")
    runtime.reset()
    people = SimpleNamespace(
        clerk=staff("e2e-tr-zs-clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        zs_first=staff("e2e-tr-zs-first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        zs_second=staff("e2e-tr-zs-second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
        supervisor=staff("e2e-tr-supervisor", "supervisor", region="440000"),
        gd_first=staff("e2e-tr-gd-first", "first_reviewer", agency=PROVINCE_AGENCY),
        gd_second=staff("e2e-tr-gd-second", "second_reviewer", agency=PROVINCE_AGENCY),
    )
    case = accept(people.clerk, matter="UCA402", received=[])
    Case.objects.filter(pk=case.pk).update(receipt_no=ANNEX_RECEIPT)
    case_scan(receipt_no=ANNEX_RECEIPT, user=people.clerk, defer=True)
    first = task_acquire(user=people.zs_first, level=1)
    task_complete(user=people.zs_first, task_id=first.pk, outcome="pass")
    task_acquire(user=people.zs_second, level=2)
    assert Case.objects.get(receipt_no=ANNEX_RECEIPT).status == states.SECOND_ASSIGNED
    yield people
    runtime.reset()


def take_assigned(page: Page, level: int, receipt_no: str) -> None:
    """指定获取 in one pool of 任务列表, by receipt number; the review page opens."""
    form = page.locator(f"#task-pool-{level} form[data-role=assigned]")
    form.locator("input[name=receipt_no]").fill(receipt_no)
    form.get_by_role("button", name="指定获取").click()
    expect(page).to_have_url(re.compile(r"/admin/routing/tasks/\d+/$"))
    expect(success_message(page)).to_contain_text("已获取")
    expect(page.locator("#content h1")).to_contain_text(receipt_no)


def submit_pass(page: Page, opinion: str) -> None:
    choose_pass(page, opinion)
    page.locator("#task-review").get_by_role("button", name="提交审核结果").click()
    expect(page).to_have_url(re.compile(r"/admin/routing/tasks/$"))


def test_the_annex_4_example_in_the_browser(annex_case, live_server, browser_page, artifacts_dir):
    from routing import states
    from routing.models import Case, Task, TaskStatus

    people = annex_case
    page, base = browser_page, live_server.url

    # The supervisor: 业务受理 → 全省通办业务移交, query, pick, target, reason, submit.
    log_in(page, base, people.supervisor.username, PASSWORD)
    menu_group(page, "业务受理").get_by_role("link", name="全省通办业务移交", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/routing/transfer/$"))
    query = page.locator("#transfer-query")
    query.locator("input[name=receipt_no]").fill(ANNEX_RECEIPT)
    query.get_by_role("button", name="查询").click()
    candidates = page.locator("#transfer-candidates tbody tr")
    expect(candidates).to_have_count(1)
    expect(candidates).to_contain_text("个人欠费删除")
    expect(candidates).to_contain_text("中山市社会保险基金管理局")
    expect(candidates).to_contain_text("已分配待复审")
    candidates.get_by_role("radio", name=ANNEX_RECEIPT).check()
    form = page.locator("#transfer-form")
    form.locator("select[name=target_agency]").select_option(PROVINCE_AGENCY)
    form.locator("textarea[name=reason]").fill(REASON)
    shot(page, artifacts_dir, "transfer_1_form")
    form.get_by_role("button", name="提交").click()

    expect(page).to_have_url(re.compile(r"/receipt/$"))
    # The print page has its own message list (.messages, not the admin's .messagelist).
    expect(page.locator(".messages .success")).to_contain_text("已受理全省通办业务移交")
    expect(page.locator("#document-title")).to_have_text("受理回执单")
    transfer = Case.objects.get(target_case__receipt_no=ANNEX_RECEIPT)
    assert transfer.handling_agency.code == PROVINCE_AGENCY and transfer.status == states.ACCEPTED
    expect(page.locator("#document-receipt-no")).to_have_text(transfer.receipt_no)
    shot(page, artifacts_dir, "transfer_2_receipt")

    page.locator("#link-scan").click()
    expect(page.locator("#case-status")).to_have_text("已受理")
    page.locator("#scan-defer").click()
    expect(page.locator("#case-status")).to_have_text("已扫描")
    shot(page, artifacts_dir, "transfer_3_scan_deferred")

    # The province reviews the transfer: 指定获取 by the transfer's receipt number, 初审 then 复审.
    log_in(page, base, people.gd_first.username, PASSWORD)
    open_task_list(page, base)
    take_assigned(page, 1, transfer.receipt_no)
    expect(page.locator("#content")).to_contain_text(REASON)
    shot(page, artifacts_dir, "transfer_4_first_review")
    submit_pass(page, "同意移交。")
    expect(success_message(page)).to_contain_text("初审通过，已转复审")

    log_in(page, base, people.gd_second.username, PASSWORD)
    open_task_list(page, base)
    take_assigned(page, 2, transfer.receipt_no)
    shot(page, artifacts_dir, "transfer_5_second_review")
    submit_pass(page, "同意移交，由省局分管。")
    expect(success_message(page)).to_contain_text("复审通过，业务已办结")
    transfer.refresh_from_db()
    assert transfer.status == states.COMPLETED

    # 业务状态查询 (the supervisor): the original case is the province's, back at 已扫描.
    log_in(page, base, people.supervisor.username, PASSWORD)
    menu_group(page, "业务状态查询").locator("#menu-status-casequery").get_by_role("link").click()
    page.locator("#id_receipt_no").fill(ANNEX_RECEIPT)
    page.get_by_role("button", name="查询").click()
    row = page.locator(f'tr[data-receipt="{ANNEX_RECEIPT}"]')
    expect(row).to_have_count(1)
    expect(row.locator(".case-agency").nth(1)).to_have_text(PROVINCE_AGENCY_NAME)
    expect(row.locator(".case-status")).to_have_text("已扫描")
    shot(page, artifacts_dir, "transfer_6_query")
    row.get_by_role("link", name="追踪").click()
    events = page.locator("#case-events tbody tr")
    expect(events.nth(-2).locator("td").nth(1)).to_have_text("发起全省通办业务移交")
    expect(events.nth(-2)).to_contain_text(REASON)
    expect(events.nth(-1).locator("td").nth(1)).to_have_text("移交后重新分配")
    expect(events.nth(-1)).to_contain_text(PROVINCE_AGENCY_NAME)
    expect(page.locator("#case-events")).not_to_contain_text("transfer_")
    shot(page, artifacts_dir, "transfer_7_trace")

    # The 中山 second reviewer's 任务列表 no longer holds it.
    log_in(page, base, people.zs_second.username, PASSWORD)
    open_task_list(page, base)
    expect(page.locator("#my-tasks")).not_to_contain_text(ANNEX_RECEIPT)
    expect(page.locator("#my-tasks tbody")).to_contain_text("您名下没有待审核的任务")
    shot(page, artifacts_dir, "transfer_8_zhongshan_tasks")

    # A provincial first reviewer takes the original case: 指定获取 2201091444546597.
    log_in(page, base, people.gd_first.username, PASSWORD)
    open_task_list(page, base)
    take_assigned(page, 1, ANNEX_RECEIPT)
    expect(page.locator("#task-events")).to_contain_text("发起全省通办业务移交")
    expect(page.locator("#task-events")).not_to_contain_text("transfer_")
    shot(page, artifacts_dir, "transfer_9_province_takes_it")
    case = Case.objects.get(receipt_no=ANNEX_RECEIPT)
    assert case.status == states.FIRST_ASSIGNED
    assert Task.objects.get(case=case, level=1, status=TaskStatus.TAKEN).assignee == people.gd_first
    assert case.handling_agency.code == PROVINCE_AGENCY
