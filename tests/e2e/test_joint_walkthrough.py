"""Issue 16's "Done when", in a real browser. A 中山 clerk submits ONE joint application for 工伤认定申请 +
劳动能力鉴定申请 + 伤残待遇申领 (GS0106 伤残待遇核定) with the bank account details (银行账户资料) missing: the union
checklist asks for each shared material once, the parent's page shows the one notice and the dependency picture.
A reviewer passes 工伤认定 → its decision is handed on and 劳动能力鉴定 starts by itself; passes 劳动能力鉴定 (伤残十级)
→ 伤残待遇 would start but owes the bank details, so it is suspended (中止) alone; the clerk hands them in on the
parent's page → it resumes; the reviewer computes the one-off disability subsidy through
``POST /api/v1/benefits/compute`` (Yongkang: grade 10, 3,083.20 yuan → 21,582.40) and passes it → 已办结.
A second application sees 工伤认定 refused and its dependants terminated with the reason.
Screenshots in ``tests/artifacts/joint_*.png``."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.e2e.test_sms_and_releases import log_in, menu_group, shot, success_message
from tests.e2e.test_task_list import choose_pass, open_task_list, take

pytestmark = [pytest.mark.browser]

PASSWORD = "pw-for-tests"  # tests.factories.cases.staff
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHAIN = ["GS0301", "GS0302", "GS0106"]


@pytest.fixture
def zhongshan(transactional_db):
    """Reference data, the demo and the 工伤「一件事」 matters published in 中山, a 中山 clerk and a first reviewer
    (one review level, so each case is 办结 at 初审)."""
    from django.contrib.auth import get_user_model

    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from tests.factories.cases import ZHONGSHAN_AGENCY, staff
    from tests.factories.joint import publish_joint

    runtime.reset()
    reference_data_load_all()
    root = get_user_model().objects.create_superuser("e2e-joint-root", "root@example.invalid", None)
    publish_joint(root)
    yield SimpleNamespace(
        clerk=staff("e2e-joint-clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        first=staff("e2e-joint-first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
    )
    runtime.reset()


def _graph_states(page) -> dict[str, str]:
    nodes = page.locator("#joint-graph svg g.joint-node")
    return {
        nodes.nth(i).get_attribute("data-matter"): nodes.nth(i).get_attribute("data-status")
        for i in range(nodes.count())
    }


def _review(page, base, reviewer, matter_name: str, *, opinion: str, outcome: str = "通过") -> None:
    """The reviewer takes the one task in the 初审 pool (随机获取) — the case of ``matter_name`` — and decides."""
    log_in(page, base, reviewer.username, PASSWORD)
    open_task_list(page, base)
    expect(page.locator("#task-pool-1 [data-role=count]")).to_have_text("1")
    take(page, 1)
    expect(page.locator("#content")).to_contain_text(matter_name)
    if outcome == "通过":
        choose_pass(page, opinion)
    else:
        review = page.locator("#task-review")
        review.get_by_label(outcome, exact=True).check()
        review.locator("textarea[name=opinion]").fill(opinion)
    page.locator("#task-review").get_by_role("button", name="提交审核结果").click()
    expect(success_message(page)).to_be_visible()


def test_one_application_suspended_resumed_and_handed_on_to_the_benefit(
    zhongshan, live_server, browser_page, artifacts_dir, tmp_path
):
    from routing import states
    from routing.joint.models import JointApplication
    from routing.models import Case
    from sms_templates.models import SmsMessage
    from tests.factories.cases import id_card

    page, base = browser_page, live_server.url

    # 业务受理 → 联办申请: three matters, one application.
    log_in(page, base, zhongshan.clerk.username, PASSWORD)
    menu_group(page, "业务受理").get_by_role("link", name="联办申请", exact=True).click()
    for code in CHAIN:
        page.locator(f"input[name=matters][value={code}]").check()
    expect(page.locator("#id_accepting_agency")).to_have_value("442099")
    page.locator("#id_insured_agency").fill("442099")
    page.locator("#id_injury_date").fill("2024-07-11")
    page.locator("#id_applicant_name").fill("罗明")
    page.locator("#id_id_number").fill(id_card("33078419850101123"))
    page.locator("#id_phone").fill("13900000000")
    page.locator("#joint-prepare").click()

    # The union: 居民身份证 once for all three; the decisions are passed on internally, never asked.
    expect(page.locator("#joint-plan")).to_contain_text("GS0301 → GS0302 → GS0106")
    expect(page.locator("#joint-row-CL001")).to_contain_text("共用，只需一份")
    expect(page.locator("#joint-row-CL003")).to_contain_text("内部流转")
    expect(page.locator("#material-CL003")).to_have_count(0)
    for code in ("CL001", "CL017", "CL007", "CL006"):  # not CL008 银行账户资料
        page.locator(f"#material-{code}").check()
    scan = tmp_path / "居民身份证.pdf"
    scan.write_bytes(PDF)
    page.locator("#file-CL001").set_input_files(str(scan))
    shot(page, artifacts_dir, "joint_01_union_checklist")
    page.locator("#joint-submit").click()

    # The parent's page: one notice, 工伤认定 in review, the others waiting; the picture says so.
    expect(page).to_have_url(re.compile(r"/admin/routing/joint/LB442000\d{10}/$"))
    application = JointApplication.objects.get()
    expect(page.locator("#joint-notice")).to_contain_text("银行账户资料（CL008），用于：伤残待遇核定")
    assert _graph_states(page) == {"GS0301": "scanned", "GS0302": "waiting", "GS0106": "waiting"}
    expect(page.locator("#joint-case-GS0302")).to_contain_text("待前置")
    shot(page, artifacts_dir, "joint_02_submitted")

    # 工伤认定 passes → its decision flows to 劳动能力鉴定, which starts by itself.
    _review(page, base, zhongshan.first, "工伤认定申请", opinion="认定为工伤。")
    _review(page, base, zhongshan.first, "劳动能力鉴定申请", opinion="鉴定为伤残十级。")

    # 伤残待遇 would start, but owes 银行账户资料: suspended alone, told by SMS.
    disability = Case.objects.get(matter__code="GS0106")
    assert disability.status == states.SUSPENDED
    log_in(page, base, zhongshan.clerk.username, PASSWORD)
    page.goto(f"{base}/admin/routing/joint/{application.number}/")
    expect(page.locator("#joint-case-GS0106")).to_contain_text("中止")
    expect(page.locator("#joint-case-GS0106")).to_contain_text("银行账户资料（CL008）")
    assert _graph_states(page) == {"GS0301": "completed", "GS0302": "completed", "GS0106": "suspended"}
    shot(page, artifacts_dir, "joint_03_suspended")

    # The clerk hands the bank details in: 伤残待遇 resumes.
    page.locator("#deliver-CL008").check()
    page.locator("#joint-deliver-submit").click()
    expect(success_message(page)).to_contain_text("已恢复办理")
    expect(page.locator("#joint-case-GS0106")).to_contain_text("已扫描")

    # The reviewer computes the one-off disability subsidy (Yongkang: grade 10) and passes 伤残待遇.
    log_in(page, base, zhongshan.first.username, PASSWORD)
    answer = page.request.post(
        f"{base}/api/v1/benefits/compute",
        data={"benefit": "一次性伤残补助金", "grade": "十级", "monthly_wage": "3083.20"},
    )
    assert answer.status == 200, answer.text()
    computed = answer.json()
    assert computed["amount"] == "21582.40" and computed["months"] in ("7", "7.00", 7)
    _review(
        page, base, zhongshan.first, "伤残待遇核定", opinion=f"核定一次性伤残补助金 {computed['amount']} 元。"
    )

    # Everything 办结: the picture is green, the benefit case holds both decisions, its 追踪 tells the story.
    log_in(page, base, zhongshan.clerk.username, PASSWORD)
    page.goto(f"{base}/admin/routing/joint/{application.number}/")
    expect(page.locator("#joint-status")).to_have_text("已办结")
    assert set(_graph_states(page).values()) == {"completed"}
    shot(page, artifacts_dir, "joint_04_completed")
    page.locator("#joint-case-GS0106 a").click()
    expect(page.locator("#case-joint")).to_contain_text(application.number)
    files = page.locator("#case-files")
    expect(files).to_contain_text("工伤认定决定书")
    expect(files).to_contain_text("劳动能力鉴定结论书")
    expect(files).to_contain_text("居民身份证.pdf")
    shot(page, artifacts_dir, "joint_05_benefit_case")
    events = [row.locator("td").nth(1).inner_text() for row in page.locator("#case-events tbody tr").all()]
    for step in (
        "等待前置事项办结",
        "前置事项文书内部流转",
        "中止",
        "联办申请收到材料",
        "恢复办理",
        "初审通过（办结）",
    ):
        assert step in events, (step, events)
    sent = set(
        SmsMessage.objects.filter(case_reference=disability.receipt_no).values_list("event", flat=True)
    )
    assert {"accepted", "suspended", "received", "completed"} <= sent


def test_a_refused_recognition_terminates_its_dependants(zhongshan, live_server, browser_page, artifacts_dir):
    from routing import states
    from routing.models import Case, CaseEvent
    from sms_templates.models import SmsMessage
    from tests.factories.joint import submit

    page, base = browser_page, live_server.url
    application = submit(zhongshan.clerk)

    _review(page, base, zhongshan.first, "工伤认定申请", opinion="不属于工伤认定范围。", outcome="不通过")

    log_in(page, base, zhongshan.clerk.username, PASSWORD)
    page.goto(f"{base}/admin/routing/joint/{application.number}/")
    expect(page.locator("#joint-status")).to_have_text("未办结（已终止）")
    assert _graph_states(page) == {"GS0301": "review_failed", "GS0302": "terminated", "GS0106": "terminated"}
    expect(page.locator("#joint-case-GS0302")).to_contain_text("终止")
    expect(page.locator("#joint-graph svg g.joint-ended")).to_have_count(3)
    shot(page, artifacts_dir, "joint_06_refused")
    for code in ("GS0302", "GS0106"):
        case = Case.objects.get(matter__code=code)
        assert case.status == states.TERMINATED
        reason = CaseEvent.objects.filter(case=case).last().opinion
        assert "审核不通过：不属于工伤认定范围。" in reason
        [text] = SmsMessage.objects.filter(case_reference=case.receipt_no, event="terminated").values_list(
            "text", flat=True
        )
        assert "不属于工伤认定范围" in text
