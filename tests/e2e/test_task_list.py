"""任务列表 in a real browser (issue 14): a case accepted at the 中山 counter and scanned (后续扫描) through the
services waits in 中山's 初审 pool; a 中山 first reviewer opens 任务列表, 随机获取 hands it to them, they pass it
with an opinion (已转复审); a different second reviewer takes the 复审 the same way, reads the first opinion
in the 追踪 and passes it: the case is 已办结. Screenshots in ``tests/artifacts/tasks_*.png``."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot, success_message

pytestmark = [pytest.mark.browser]

FIRST_USERNAME, FIRST_PASSWORD = "e2e-zs-first", "e2e-Pw-first-review-4417"
SECOND_USERNAME, SECOND_PASSWORD = "e2e-zs-second", "e2e-Pw-second-review-9052"
OPINION = "材料齐全，医疗票据与病历一致。"


@pytest.fixture
def scanned_case(transactional_db):
    """The demo configuration published, one case accepted and scanned (后续扫描) in 中山, two reviewers."""
    from django.contrib.auth import get_user_model

    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from routing.services import case_scan
    from tests.factories.cases import ZHONGSHAN_AGENCY, accept, publish_demo, staff

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("e2e-tasks-root", "root@example.invalid", None)
    publish_demo(root)
    clerk = staff("e2e-zs-clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    case = accept(clerk)
    case = case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    reviewers = {}
    for username, password, role in (
        (FIRST_USERNAME, FIRST_PASSWORD, "first_reviewer"),
        (SECOND_USERNAME, SECOND_PASSWORD, "second_reviewer"),
    ):
        user = staff(username, role, agency=ZHONGSHAN_AGENCY)
        user.set_password(password)
        user.save(update_fields=["password"])
        reviewers[role] = user
    yield SimpleNamespace(case=case, **reviewers)
    runtime.reset()


def open_task_list(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/")
    # The group's heading and its one entry are both called 任务列表: the entry is the screen's link.
    menu_group(page, "任务列表").locator("a[href$='/admin/routing/tasks/']").first.click()
    expect(page).to_have_url(re.compile(r"/admin/routing/tasks/$"))


def take(page: Page, level: int) -> None:
    pool = page.locator(f"#task-pool-{level}")
    pool.locator("form[data-role=random]").get_by_role("button", name="随机获取").click()
    expect(page).to_have_url(re.compile(r"/admin/routing/tasks/\d+/$"))
    expect(success_message(page)).to_contain_text("已获取")


def choose_pass(page: Page, opinion: str) -> None:
    review = page.locator("#task-review")
    review.get_by_label("通过", exact=True).check()
    review.locator("textarea[name=opinion]").fill(opinion)


def test_a_first_and_a_different_second_reviewer_take_and_pass_a_case_to_completion(
    live_server, browser_page, artifacts_dir, scanned_case
):
    from routing import states
    from routing.models import Case

    page, base, receipt_no = browser_page, live_server.url, scanned_case.case.receipt_no

    log_in(page, base, FIRST_USERNAME, FIRST_PASSWORD)
    open_task_list(page, base)
    first_pool = page.locator("#task-pool-1")
    expect(first_pool.locator("h2")).to_have_text("初审")
    expect(first_pool.locator("[data-role=count]")).to_have_text("1")
    expect(page.locator("#task-pool-2")).to_have_count(0)  # no 复审 role
    expect(page.locator("#my-tasks tbody")).to_contain_text("您名下没有待审核的任务")
    shot(page, artifacts_dir, "tasks_1_first_list")

    take(page, 1)
    expect(page.locator("#content h1")).to_contain_text(receipt_no)
    page.locator(".breadcrumbs").get_by_role("link", name="任务列表").click()
    mine = page.locator("#my-tasks tbody tr")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("初审")
    expect(mine).to_contain_text("黄**")
    expect(mine).to_contain_text("中山市社会保险基金管理局")
    expect(first_pool.locator("[data-role=count]")).to_have_text("0")
    shot(page, artifacts_dir, "tasks_2_first_taken")
    mine.get_by_role("link", name=receipt_no).click()
    review = page.locator("#task-review")
    review.get_by_label("不通过", exact=True).check()
    review.get_by_role("button", name="提交审核结果").click()
    expect(review.locator(".errorlist")).to_have_text("审核不通过须填写审核意见。")
    shot(page, artifacts_dir, "tasks_3_reject_needs_opinion")
    choose_pass(page, OPINION)
    expect(page.locator("#task-events")).to_contain_text("获取初审任务")
    expect(page.locator("table.task-fields").nth(1)).to_contain_text("黄**")
    shot(page, artifacts_dir, "tasks_3_first_review")
    page.locator("#task-review").get_by_role("button", name="提交审核结果").click()
    expect(page).to_have_url(re.compile(r"/admin/routing/tasks/$"))
    expect(success_message(page)).to_have_text(f"受理回执号 {receipt_no}：初审通过，已转复审。")
    expect(first_pool.locator("[data-role=empty]")).to_have_text("没有可获取的任务。")
    shot(page, artifacts_dir, "tasks_4_first_passed")

    log_in(page, base, SECOND_USERNAME, SECOND_PASSWORD)
    open_task_list(page, base)
    second_pool = page.locator("#task-pool-2")
    expect(second_pool.locator("h2")).to_have_text("复审")
    expect(second_pool.locator("[data-role=count]")).to_have_text("1")
    expect(page.locator("#task-pool-1")).to_have_count(0)
    take(page, 2)
    choose_pass(page, "同意初审意见。")
    events = page.locator("#task-events")
    expect(events).to_contain_text("初审通过")
    expect(events).to_contain_text(OPINION)
    shot(page, artifacts_dir, "tasks_5_second_review")
    page.locator("#task-review").get_by_role("button", name="提交审核结果").click()
    expect(success_message(page)).to_have_text(f"受理回执号 {receipt_no}：复审通过，业务已办结。")
    expect(second_pool.locator("[data-role=empty]")).to_have_text("没有可获取的任务。")
    shot(page, artifacts_dir, "tasks_6_completed")

    case = Case.objects.get(receipt_no=receipt_no)
    assert case.status == states.COMPLETED
    assert case.first_reviewer == scanned_case.first_reviewer
    assert case.second_reviewer == scanned_case.second_reviewer
