"""工作台 in a real browser (issue 15): what a superuser, a 中山 clerk and a 中山 reviewer see after logging in,
with the menu beside the figures. Screenshots in ``tests/artifacts/home_*.png``."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot

pytestmark = [pytest.mark.browser]

ROOT, ROOT_PASSWORD = "e2e-home-root", "e2e-Pw-home-root-5521"
CLERK, REVIEWER, PASSWORD = "e2e-home-clerk", "e2e-home-first", "pw-for-tests"  # tests.factories.cases.staff
CITY_ADMIN = "e2e-home-admin"


@pytest.fixture
def office(transactional_db):
    """中山 and 广州 published; cases of both cities, one 超期 and one 临期 in 中山, a 中山 reviewer holding an
    overdue task, finished and remote cases for the province table, failed SMS, an unpublished 广州 change."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from catalog.models import Region
    from config_center.drafts.models import LocalMatter
    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from routing import states
    from routing.models import Case
    from routing.services import Applicant, case_scan, task_acquire
    from sms_templates.models import SmsEvent, SmsMessage, SmsStatus
    from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, id_card, publish_demo, staff

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser(ROOT, "home-root@example.invalid", ROOT_PASSWORD)
    publish_demo(root)
    clerk = staff(CLERK, "clerk", agency=ZHONGSHAN_AGENCY)
    reviewer = staff(REVIEWER, "first_reviewer", agency=ZHONGSHAN_AGENCY)
    gz_clerk = staff("e2e-home-gz", "clerk", agency=GUANGZHOU_AGENCY)
    staff(CITY_ADMIN, "city_admin", region="442000")

    def case(user, agency, number):
        applicant = Applicant(
            name="黄林", id_number=id_card(f"44200019900101{number:03d}"), phone="13800000000"
        )
        return accept(user, accepting_agency=agency, insured_agency=agency, applicant=applicant)

    today = timezone.localdate()
    zhongshan = [case(clerk, ZHONGSHAN_AGENCY, number) for number in range(6)]
    guangzhou = [case(gz_clerk, GUANGZHOU_AGENCY, number) for number in range(10, 14)]
    for item in zhongshan[:3]:
        case_scan(receipt_no=item.receipt_no, user=clerk, defer=True)
    task = task_acquire(user=reviewer, level=1)
    Case.objects.filter(pk=task.case_id).update(deadline=today - datetime.timedelta(days=2))  # 超期, taken
    Case.objects.filter(pk=zhongshan[4].pk).update(deadline=today)  # 临期
    for item, days in zip(zhongshan[5:] + guangzhou[:2], (3, 9, 12), strict=True):
        Case.objects.filter(pk=item.pk).update(
            status=states.COMPLETED,
            finished_at=item.accepted_at + datetime.timedelta(days=days),
            deadline=timezone.localtime(item.accepted_at).date() + datetime.timedelta(days=10),
        )
    Case.objects.filter(pk=guangzhou[3].pk).update(remote=True)
    for number in range(4):
        SmsMessage.objects.create(
            recipient="13800000000",
            text="测试短信",
            region=Region.objects.get(code="440100" if number else "442000"),
            case_reference=f"e2e-home-{number}",
            event=SmsEvent.ACCEPTED,
            status=SmsStatus.FAILED,
        )
    local = LocalMatter.objects.filter(region__code="440100", is_active=True).order_by("pk").first()
    local.time_limit_days += 1
    local.save()  # a save after the release (the history records it)
    yield {"overdue": task.case.receipt_no, "task": task, "guangzhou": guangzhou}
    runtime.reset()


def test_a_superuser_sees_every_section_and_chooses_a_period(
    office, live_server, browser_page, artifacts_dir
):
    page = browser_page
    base = live_server.url
    log_in(page, base, ROOT, ROOT_PASSWORD)
    expect(page.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    for section in ("#home-tasks", "#home-cases", "#home-config", "#home-province"):
        expect(page.locator(section)).to_be_visible()
    expect(page.locator("#home-cases [data-figure=overdue] .home-tile-count")).to_have_text("1")
    expect(page.locator("#home-cases [data-figure=near] .home-tile-count")).to_have_text("1")
    expect(page.locator('#home-config tr[data-city="440100"] [data-figure=failed_sms]')).to_contain_text(
        "3 条"
    )
    guangzhou = page.locator('#home-province-table tr[data-city="440100"] td')
    expect(guangzhou.nth(0)).to_have_text("4")
    expect(guangzhou.nth(1)).to_have_text("1")
    expect(page.locator("#home-chart svg")).to_be_visible()
    expect(page.locator("#home-chart svg title")).to_contain_text("各地级市受理量")
    # the menu is on the page: every group, and its screens one click away
    menu_group(page, "系统管理")
    menu_group(page, "业务状态查询")
    shot(page, artifacts_dir, "home_superuser")

    page.locator("#id_start").fill("2024-01-01")
    page.locator("#id_end").fill("2024-12-31")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("#home-period-errors")).to_contain_text("统计期间最长 92 天")
    shot(page, artifacts_dir, "home_superuser_period_refused")

    today = datetime.date.today()
    page.locator("#id_start").fill((today - datetime.timedelta(days=6)).isoformat())
    page.locator("#id_end").fill(today.isoformat())
    page.get_by_role("button", name="统计").click()
    expect(page).to_have_url(re.compile(r"[?&]start=\d{4}-\d{2}-\d{2}"))
    expect(page.locator("#home-period-errors")).to_have_count(0)
    expect(page.locator("#home-province-table caption")).to_contain_text("（7 天）")

    menu_group(page, "业务状态查询").get_by_role("link", name="业务状态查询", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/(menu/status|routing/cases)/"))


def test_a_city_clerk_sees_the_cities_cases_and_opens_the_overdue_ones(
    office, live_server, browser_page, artifacts_dir
):
    page = browser_page
    base = live_server.url
    log_in(page, base, CLERK, PASSWORD)
    expect(page.locator("#home-cases")).to_be_visible()
    for absent in ("#home-tasks", "#home-config", "#home-province", "#home-reminders"):
        expect(page.locator(absent)).to_have_count(0)
    expect(page.locator("#home-status-open caption")).to_contain_text("办理中（共 5 件）")
    expect(page.locator("#content")).not_to_contain_text("广州")
    shot(page, artifacts_dir, "home_clerk")

    page.locator("#home-cases [data-figure=overdue] a").click()
    expect(page).to_have_url(re.compile(r"/admin/routing/cases/\?warning=overdue"))
    expect(page.locator("#content")).to_contain_text(office["overdue"])


def test_a_reviewer_is_reminded_of_the_overdue_task_and_opens_it(
    office, live_server, browser_page, artifacts_dir
):
    page = browser_page
    base = live_server.url
    log_in(page, base, REVIEWER, PASSWORD)
    reminders = page.locator("#home-reminders")
    expect(reminders).to_contain_text("催办")
    expect(reminders.locator(".home-warning-overdue")).to_have_text("超期")
    expect(page.locator("#home-tasks [data-figure=taken]").first).to_have_text("1")
    shot(page, artifacts_dir, "home_reviewer")
    reminders.get_by_role("link", name=office["overdue"]).click()
    expect(page).to_have_url(re.compile(rf"/admin/routing/tasks/{office['task'].pk}/$"))


def test_a_city_admin_sees_the_citys_configuration_and_sms(office, live_server, browser_page, artifacts_dir):
    page = browser_page
    base = live_server.url
    log_in(page, base, CITY_ADMIN, PASSWORD)
    config = page.locator("#home-config")
    expect(config.locator('tr[data-city="442000"]')).to_be_visible()
    expect(config.locator('tr[data-city="440100"]')).to_have_count(0)
    expect(config.locator('tr[data-city="442000"] [data-figure=failed_sms]')).to_have_text("1 条")
    expect(config.locator('tr[data-city="442000"] [data-figure=incomplete]')).to_contain_text("项事项")
    expect(page.locator("#home-province")).to_have_count(0)
    shot(page, artifacts_dir, "home_city_admin")
    config.get_by_role("link", name="查看事项").click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/localmatter/\?"))
