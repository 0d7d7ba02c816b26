"""业务受理 in a real browser (issue 14): a 中山 clerk (综合柜员) accepts a 工伤医疗费 case with one material
missing → the 补充材料告知单 names it → 补正 → the 受理回执单 → 影像扫描 with a small PDF → the case is 已扫描
and waits in the 初审 pool. Screenshots in ``tests/artifacts/counter_*.png``."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot

pytestmark = [pytest.mark.browser]

CLERK = "e2e-zs-clerk"
PASSWORD = "pw-for-tests"  # tests.factories.cases.staff
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def clerk(transactional_db):
    """The reference data, 中山's demo configuration published, and a 综合柜员 of the 中山 agency.

    The runtime engine is a per-process singleton: reset so that no snapshot of an earlier test answers.
    """
    from django.contrib.auth import get_user_model

    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from tests.factories.cases import ZHONGSHAN_AGENCY, publish_demo, staff

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("e2e-counter-root", "root@example.invalid", "x-Pw-8812")
    publish_demo(root)
    yield staff(CLERK, "clerk", agency=ZHONGSHAN_AGENCY)
    runtime.reset()


def test_a_clerk_accepts_corrects_prints_and_scans_a_case(
    clerk, live_server, browser_page, artifacts_dir, tmp_path
):
    from routing import states
    from routing.models import Case, Task
    from tests.factories.cases import GS0101_MAIN, id_card

    page = browser_page
    base = live_server.url
    log_in(page, base, CLERK, PASSWORD)
    menu_group(page, "业务受理").get_by_role("link", name="综合受理", exact=True).click()
    expect(page.get_by_role("heading", name="综合受理")).to_be_visible()
    expect(page.locator("#id_accepting_agency")).to_have_value("442099")
    expect(page.locator("#id_channel")).to_have_value("counter")

    page.locator("#id_matter").select_option("GS0101")
    page.locator("#id_insured_agency").fill("442099")
    page.locator("#id_injury_date").fill("2024-03-01")
    page.locator("#id_applicant_name").fill("黄林")
    page.locator("#id_id_number").fill(id_card())
    page.locator("#id_phone").fill("13800000000")
    page.locator("#id_contact").fill("杨某")
    page.locator("#id_employer_code").fill("111800611461")
    page.locator("#id_employer_name").fill("中山市名震龙牌小商品社")
    page.locator("#counter-route").click()
    expect(page.locator("#counter-routing")).to_contain_text("本地受理")
    expect(page.locator("#counter-checklist tbody tr")).to_have_count(len(GS0101_MAIN) + 3)
    for code in GS0101_MAIN[:-1]:  # everything but the last material (CL006)
        page.locator(f"#material-{code}").check()
    shot(page, artifacts_dir, "counter_1_checklist")

    page.locator("#counter-accept").click()
    expect(page).to_have_url(re.compile(r"/correction-notice/$"))
    expect(page.locator("#document-title")).to_have_text("补充材料告知单")
    expect(page.locator("#document-missing li")).to_have_count(1)
    expect(page.locator("#document-missing")).to_contain_text(GS0101_MAIN[-1])
    expect(page.locator("#document-applicant")).to_have_text("黄**")
    case = Case.objects.get()
    assert case.status == states.PENDING_CORRECTION
    shot(page, artifacts_dir, "counter_2_correction_notice")

    page.locator("#link-correct").click()
    expect(page.locator("#case-status")).to_have_text("待补正")
    page.locator(f"#material-{GS0101_MAIN[-1]}").check()
    shot(page, artifacts_dir, "counter_3_correct")
    page.locator("#correct-submit").click()

    expect(page).to_have_url(re.compile(r"/receipt/$"))
    expect(page.locator("#document-title")).to_have_text("受理回执单")
    expect(page.locator("#document-receipt-no")).to_have_text(case.receipt_no)
    expect(page.locator("#document-materials li")).to_have_count(len(GS0101_MAIN))
    expect(page.locator("#print-button")).to_be_visible()
    shot(page, artifacts_dir, "counter_4_receipt")
    page.emulate_media(media="print")
    expect(page.locator("#print-toolbar")).to_be_hidden()
    shot(page, artifacts_dir, "counter_4_receipt_print")
    page.emulate_media(media="screen")

    page.locator("#link-scan").click()
    expect(page.locator("#case-status")).to_have_text("已受理")
    scan = tmp_path / "工伤保险待遇申请表.pdf"
    scan.write_bytes(PDF)
    page.locator("#id_files").set_input_files(str(scan))
    shot(page, artifacts_dir, "counter_5_scan")
    page.locator("#scan-upload").click()
    expect(page.locator(".messagelist .success")).to_contain_text("已进入初审队列")
    expect(page.locator("#case-status")).to_have_text("已扫描")
    expect(page.locator("#scan-files tbody tr")).to_have_count(1)
    expect(page.locator("#scan-files")).to_contain_text("工伤保险待遇申请表.pdf")
    shot(page, artifacts_dir, "counter_6_scanned")
    case.refresh_from_db()
    assert case.status == states.SCANNED and Task.objects.filter(case=case, level=1).count() == 1


def test_refusals_field_errors_the_completion_slip_and_archiving(
    clerk, live_server, browser_page, artifacts_dir
):
    """A 广州 clerk: a remote 工伤医疗费 is routed to 中山, 中山's local-mode GS0201 is refused (local_only), a
    wrong ID number is said on its field with nothing typed lost. A 中山 clerk prints the 不予受理通知单 of a
    refused case and the 业务办结单 (验伪码) of a completed one, and records the paper 归档."""
    from routing.anti_forgery import anti_forgery_code
    from routing.models import ArchiveStatus, Case
    from routing.services import case_scan, task_acquire, task_complete
    from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, id_card, staff

    page = browser_page
    base = live_server.url
    staff("e2e-gz-clerk", "clerk", agency=GUANGZHOU_AGENCY)
    log_in(page, base, "e2e-gz-clerk", PASSWORD)
    page.goto(f"{base}/admin/routing/counter/")
    page.locator("#id_matter").select_option("GS0101")
    page.locator("#id_insured_agency").fill(ZHONGSHAN_AGENCY)
    page.locator("#id_injury_date").fill("2024-03-01")
    page.locator("#id_applicant_name").fill("黄林")
    page.locator("#id_id_number").fill(id_card())
    page.locator("#counter-route").click()
    expect(page.locator("#counter-routing")).to_contain_text("异地受理（全省通办）")
    expect(page.locator("#counter-routing")).to_contain_text("中山市社会保险基金管理局")
    shot(page, artifacts_dir, "counter_7_remote")

    page.locator("#id_matter").select_option("GS0201")
    page.locator("#counter-route").click()
    expect(page.locator("#counter-refusal")).to_contain_text("local_only")
    expect(page.locator("#counter-refusal")).to_contain_text("不能异地受理")
    expect(page.locator("#counter-accept")).to_have_count(0)
    shot(page, artifacts_dir, "counter_8_refused_local_only")

    page.locator("#id_matter").select_option("GS0101")
    page.locator("#id_id_number").fill(id_card()[:-1] + ("0" if id_card()[-1] != "0" else "1"))
    page.locator("#counter-route").click()
    expect(page.locator("#field-id_number .errorlist")).to_have_text("居民身份证号码校验位不正确，请核对")
    expect(page.locator("#id_applicant_name")).to_have_value("黄林")
    expect(page.locator("#id_insured_agency")).to_have_value(ZHONGSHAN_AGENCY)
    shot(page, artifacts_dir, "counter_9_field_error")

    first = staff("e2e-zs-first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    second = staff("e2e-zs-second", "second_reviewer", agency=ZHONGSHAN_AGENCY)
    refused = accept(clerk, received=["CL009"])
    from routing.services import case_refuse

    case_refuse(
        receipt_no=refused.receipt_no, user=clerk, reason="申请人未能提供工伤认定决定书原件，逾期未补正"
    )
    done = accept(clerk)
    case_scan(receipt_no=done.receipt_no, user=clerk, defer=True)
    task = task_acquire(user=first, level=1)
    task_complete(user=first, task_id=task.pk, outcome="pass", opinion="材料齐全")
    task = task_acquire(user=second, level=2)
    task_complete(user=second, task_id=task.pk, outcome="pass")

    log_in(page, base, CLERK, PASSWORD)
    page.goto(f"{base}/admin/routing/counter/{refused.receipt_no}/refusal-notice/")
    expect(page.locator("#document-title")).to_have_text("不予受理通知单")
    expect(page.locator("#document-reason")).to_contain_text("逾期未补正")
    shot(page, artifacts_dir, "counter_10_refusal_notice")

    page.goto(f"{base}/admin/routing/counter/{done.receipt_no}/completion/")
    expect(page.locator("#document-title")).to_have_text("业务办结单")
    expect(page.locator("#document-anti-forgery")).to_have_text(anti_forgery_code(done.receipt_no))
    expect(page.locator("#archive-electronic")).to_be_visible()  # 中山 handles it too
    page.locator("#archive-paper").click()
    expect(page.locator(".messages .success")).to_contain_text("纸质归档")
    expect(page.locator("#document-archive-status")).to_have_text("纸质已归档")
    expect(page.locator("#archive-paper")).to_have_count(0)
    shot(page, artifacts_dir, "counter_11_completion")
    assert Case.objects.get(pk=done.pk).archive_status == ArchiveStatus.PAPER
