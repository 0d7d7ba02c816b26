"""SMS template editing, publishing and rolling back, and the auditors' timeline, in a real browser.

1. A 中山 city administrator creates a 中山 SMS category, writes a template with the live preview (rendered
   text with highlighted substitutions, length, billed segments, the 13-code vocabulary, an error for
   ``{ABC}``, a warning for ``HOLIDAY``), saves it, and is refused 501 characters in Chinese.
2. The same administrator publishes 中山's demo configuration (第 1 版), changes one 办理时限, sees only that
   change in the diff, publishes 第 2 版, rolls back to 第 1 版 (第 3 版, 回滚), and the runtime API answers
   with release 3; on 变更记录 the three releases stand among the edit, filtered by 对象类型 配置发布.
3. A superuser reads 变更记录: the administrator's edits with old → new values, filtered by user and by
   region, one object's versions compared.

Two tests guard bugs found on the way: the 模板分类 choices are scoped to the administrator's city, and line
breaks count once on save as in the preview.

Every step leaves a full-page screenshot in ``tests/artifacts/sms_*.png``, ``release_*.png``, ``audit_*.png``.
"""

import re
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser]

CITY_CODE = "442000"
CITY_NAME = "中山市"
OTHER_CITY_CODE = "440100"  # 广州市: configured by the demo data too
ADMIN_USERNAME = "e2e-zs-admin"
ADMIN_PASSWORD = "e2e-Pw-city-admin-only-6624"
ROOT_USERNAME = "e2e-sms-root"
ROOT_PASSWORD = "e2e-Pw-sms-root-only-3907"
SAMPLE_CONTENT = "尊敬的 XM 先生/女士,你好, 您办理的YWMC在SLSJ受理成功。"
TOO_LONG_ERROR = "短信模板共 501 个字符，超过上限 500 个字符。"
RUNTIME_RELOAD_SECONDS = 3.0


# ---- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def console(transactional_db):
    """Reference data, a superuser and a 中山 city administrator (市级系统管理员), both with passwords.

    The runtime engine is a per-process singleton: it is reset so that a snapshot left by an earlier test
    (whose database is gone) cannot answer for this one.
    """
    from django.contrib.auth import get_user_model

    from catalog.models import Region
    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from permissions.models import Role
    from permissions.services import assignment_create

    runtime.reset()
    reference_data_load_all()
    User = get_user_model()
    root = User.objects.create_superuser(ROOT_USERNAME, "e2e-sms-root@example.invalid", ROOT_PASSWORD)
    city_admin = User.objects.create_user(
        ADMIN_USERNAME, "e2e-zs-admin@example.invalid", ADMIN_PASSWORD, is_staff=True
    )
    assignment_create(
        user=city_admin, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code=CITY_CODE)
    )
    yield SimpleNamespace(root=root, city_admin=city_admin)
    runtime.reset()


@pytest.fixture
def demo(console):
    """The demo data: 中山 and 广州 have configured bindings (loaded by nobody, like ``load_demo_data``)."""
    from config_center.project.demo import demo_data_load

    demo_data_load()
    return console


# ---- helpers ----------------------------------------------------------------------------------------


def shot(page: Page, artifacts_dir, name: str) -> None:
    """A full-page screenshot taken with a viewport as tall as the page.

    The theme's submit row sticks to the bottom of the viewport; in a plain full-page capture it lands in
    the middle of a long form and hides what lies under it (the preview's errors, for one).
    """
    size = page.viewport_size
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    try:
        page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)
    finally:
        page.set_viewport_size(size)


def log_in(page: Page, base: str, username: str, password: str) -> None:
    """Log in through the login form (after forgetting any earlier session)."""
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def menu_group(page: Page, title: str):
    """One menu group (地级市业务管理, 系统管理, …) of the admin index."""
    group = page.locator("#content-main .module").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(group).to_have_count(1)
    return group


def success_message(page: Page):
    return page.locator(".messagelist .success")


def open_tab(page: Page, title: str):
    """Click a tab of the 本地业务属性定义 page and return its (only visible) panel."""
    tab = page.locator("#tabbed-changeform-tabs .tabbed-changeform-tablink").filter(
        has_text=re.compile("^" + re.escape(title) + "$")
    )
    tab.click()
    expect(tab).to_have_class(re.compile(r"\bactive\b"))
    panel = page.locator("#tabcontent-" + tab.get_attribute("id").removeprefix("tablink-"))
    expect(panel).to_be_visible()
    return panel


def change_time_limit(page: Page, base: str, matter_name: str, days: int) -> None:
    """本地业务属性定义 → the matter of 中山市 → 流转与分发 → 办理时限, saved."""
    page.goto(f"{base}/admin/")
    menu_group(page, "地级市业务管理").get_by_role("link", name="本地业务属性定义", exact=True).click()
    page.locator("#searchbar").fill(matter_name)
    page.locator("#searchbar").press("Enter")
    row = page.locator("#result_list tbody tr").filter(has_text=CITY_NAME)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=matter_name).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/localmatter/\d+/change/"))
    open_tab(page, "流转与分发")
    page.locator("#id_time_limit_days").fill(str(days))
    page.get_by_role("button", name="保存并继续编辑").first.click()
    expect(success_message(page)).to_be_visible()
    expect(page.locator("#id_time_limit_days")).to_have_value(str(days))


def preview_panel(page: Page):
    panel = page.locator("#sms-preview")
    expect(panel).to_be_visible()
    return SimpleNamespace(
        panel=panel,
        text=panel.locator("[data-role=text]"),
        marks=panel.locator("[data-role=text] mark"),
        source_length=panel.locator("[data-role=source-length]"),
        length=panel.locator("[data-role=length]"),
        segments=panel.locator("[data-role=segments]"),
        errors=panel.locator("[data-role=errors] li"),
        warnings=panel.locator("[data-role=warnings] li"),
    )


def type_content(page: Page, text: str) -> None:
    """Replace 模板内容 the way a person does: select all, then type (input events, debounced preview)."""
    content = page.locator("#id_content")
    content.click()
    content.press("Control+a")
    content.press("Delete")
    content.press_sequentially(text)


def release_rows(page: Page):
    return page.locator("#result_list tbody tr")


def release_row(page: Page, number: int):
    """The row of release ``number`` in the release list (the 版本号 column links to it)."""
    rows = release_rows(page).filter(has=page.get_by_role("link", name=str(number), exact=True))
    expect(rows).to_have_count(1)
    return rows


def diff_rows(page: Page):
    return page.locator("table.changes-table tbody tr")


# ---- 1. SMS template editing --------------------------------------------------------------------------


def test_city_admin_edits_sms_template_with_live_preview(
    browser_page: Page, live_server, console, artifacts_dir
):
    from sms_templates.models import PlaceholderCode, SmsTemplate, SmsTemplateCategory

    page = browser_page
    base = live_server.url
    vocabulary = list(PlaceholderCode.objects.values_list("code", "meaning", "sample_value"))
    assert len(vocabulary) == 13
    samples = {code: sample for code, _, sample in vocabulary}

    log_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)
    city_group = menu_group(page, "地级市业务管理")

    # ---- a 中山 category of the city administrator's own (province-wide ones need province scope)
    city_group.get_by_role("link", name="短信模板大类", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/sms_templates/smstemplatecategory/$"))
    page.locator(".object-tools").get_by_role("link", name=re.compile("增加")).click()
    page.locator("#id_name").fill("中山工伤待遇")
    region = page.locator("#id_region")
    expect(region.locator("option")).to_have_text(["---------", f"{CITY_NAME}（{CITY_CODE}）"])
    region.select_option(label=f"{CITY_NAME}（{CITY_CODE}）")
    shot(page, artifacts_dir, "sms_1_category_add")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(success_message(page)).to_contain_text("中山工伤待遇")
    category_row = page.locator("#result_list tbody tr").filter(has_text="中山工伤待遇")
    expect(category_row).to_contain_text(CITY_NAME)

    # ---- 短信模板列表 → 增加: the vocabulary beside the editor
    page.goto(f"{base}/admin/")
    menu_group(page, "地级市业务管理").get_by_role("link", name="短信模板列表", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/sms_templates/smstemplate/$"))
    shot(page, artifacts_dir, "sms_2_template_list")
    page.locator(".object-tools").get_by_role("link", name=re.compile("增加")).click()
    expect(page).to_have_url(re.compile(r"/admin/sms_templates/smstemplate/add/$"))
    preview = preview_panel(page)
    expect(preview.source_length).to_have_text("0")
    expect(preview.errors).to_have_count(0)  # nothing typed yet: nothing to complain about
    vocabulary_rows = page.locator(".sms-preview-vocabulary tbody tr")
    expect(vocabulary_rows).to_have_count(13)
    expect(vocabulary_rows.locator("td:first-child")).to_have_text([code for code, _, _ in vocabulary])
    expect(vocabulary_rows.locator("td:nth-child(2)")).to_have_text([meaning for _, meaning, _ in vocabulary])
    expect(vocabulary_rows.filter(has_text="XM").first).to_contain_text("姓名")
    # the preview sits beside the editor, the vocabulary beside the preview
    editor_box = page.locator("#id_content").bounding_box()
    vocabulary_box = page.locator(".sms-preview-vocabulary").bounding_box()
    preview_box = page.locator(".sms-preview-main").bounding_box()
    assert vocabulary_box["x"] > preview_box["x"] + preview_box["width"] - 1
    assert preview_box["y"] > editor_box["y"]

    page.locator("#id_category").select_option(label="中山工伤待遇")
    page.locator("#id_name").fill("中山工伤医疗费受理通知")
    page.locator("#id_function_code").fill("ZS_SL_01")

    # ---- the live preview: rendered text, highlighted substitutions, length and billed segments
    type_content(page, SAMPLE_CONTENT)
    expected = (
        SAMPLE_CONTENT.replace("XM", samples["XM"])
        .replace("YWMC", samples["YWMC"])
        .replace("SLSJ", samples["SLSJ"])
    )
    expect(preview.text).to_have_text(expected)
    expect(preview.marks).to_have_text([samples["XM"], samples["YWMC"], samples["SLSJ"]])
    expect(preview.marks.first).to_have_attribute("title", "XM")
    background = preview.marks.first.evaluate("mark => getComputedStyle(mark).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    expect(preview.source_length).to_have_text(str(len(SAMPLE_CONTENT)))
    expect(preview.length).to_have_text(str(len(expected)))
    expect(preview.segments).to_have_text("1")
    expect(preview.errors).to_have_count(0)
    expect(preview.warnings).to_have_count(0)
    shot(page, artifacts_dir, "sms_3_live_preview")

    # ---- an unknown explicit code is an error; the preview text is cleared
    page.locator("#id_content").press("End")
    page.locator("#id_content").press_sequentially("{ABC}")
    expect(preview.errors).to_have_count(1)
    expect(preview.errors).to_contain_text("“{ABC}”不是已登记的占位符代码")
    expect(preview.text).to_have_text("")
    expect(preview.source_length).to_have_text(str(len(SAMPLE_CONTENT) + len("{ABC}")))
    expect(preview.length).to_have_text("-")
    expect(preview.segments).to_have_text("-")
    shot(page, artifacts_dir, "sms_4_unknown_code_error")

    # ---- a word hiding a code (HOLIDAY holds DAY) is a warning; the text still renders
    type_content(page, SAMPLE_CONTENT + "HOLIDAY")
    expect(preview.errors).to_have_count(0)
    expect(preview.warnings).to_have_count(1)
    expect(preview.warnings).to_contain_text("HOLIDAY")
    expect(preview.warnings).to_contain_text("{DAY}")
    expect(preview.text).to_have_text(expected + "HOLIDAY")
    shot(page, artifacts_dir, "sms_5_hidden_code_warning")

    # ---- two billed messages past 70 characters
    type_content(page, SAMPLE_CONTENT + "请携带身份证原件到经办机构JBJG领取。" * 2)
    expect(preview.segments).to_have_text("2")

    # ---- save a valid template
    type_content(page, SAMPLE_CONTENT)
    expect(preview.text).to_have_text(expected)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/sms_templates/smstemplate/$"))
    expect(success_message(page)).to_contain_text("中山工伤医疗费受理通知")
    saved_row = page.locator("#result_list tbody tr").filter(has_text="ZS_SL_01")
    expect(saved_row).to_have_count(1)
    expect(saved_row).to_contain_text("中山工伤待遇")
    shot(page, artifacts_dir, "sms_6_saved")
    template = SmsTemplate.objects.get(function_code="ZS_SL_01")
    assert template.content == SAMPLE_CONTENT
    assert template.category == SmsTemplateCategory.objects.get(name="中山工伤待遇")

    # ---- open it again: the saved content is previewed at once; 501 characters are refused in Chinese
    saved_row.get_by_role("link", name="ZS_SL_01").click()
    expect(page).to_have_url(re.compile(r"/admin/sms_templates/smstemplate/\d+/change/$"))
    preview = preview_panel(page)
    expect(preview.text).to_have_text(expected)
    expect(preview.source_length).to_have_text(str(len(SAMPLE_CONTENT)))
    too_long = SAMPLE_CONTENT + "办" * (501 - len(SAMPLE_CONTENT))
    assert len(too_long) == 501
    page.locator("#id_content").fill(too_long)
    expect(preview.errors).to_contain_text(TOO_LONG_ERROR)
    expect(preview.source_length).to_have_text("501")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    field_errors = page.locator(".field-content .errorlist")
    expect(field_errors).to_have_text(TOO_LONG_ERROR)
    expect(page.locator("#id_content")).to_have_value(too_long)  # nothing was cut off
    shot(page, artifacts_dir, "sms_7_too_long_refused")
    template.refresh_from_db()
    assert template.content == SAMPLE_CONTENT


def test_city_admin_is_offered_only_own_city_sms_categories(
    browser_page: Page, live_server, console, artifacts_dir
):
    from catalog.models import Region
    from sms_templates.models import SmsTemplateCategory

    SmsTemplateCategory.objects.create(name="中山工伤待遇", region=Region.objects.get(code=CITY_CODE))
    SmsTemplateCategory.objects.create(name="广州工伤待遇", region=Region.objects.get(code=OTHER_CITY_CODE))
    page = browser_page
    log_in(page, live_server.url, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/admin/sms_templates/smstemplate/add/")
    options = page.locator("#id_category option")
    expect(options.first).to_be_attached()
    shot(page, artifacts_dir, "sms_8_category_choices")
    assert options.all_inner_texts() == ["---------", "中山工伤待遇"]


def test_line_breaks_count_once_as_in_the_preview(browser_page: Page, live_server, console, artifacts_dir):
    from catalog.models import Region
    from sms_templates.models import SmsTemplate, SmsTemplateCategory

    SmsTemplateCategory.objects.create(name="中山工伤待遇", region=Region.objects.get(code=CITY_CODE))
    page = browser_page
    log_in(page, live_server.url, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/admin/sms_templates/smstemplate/add/")
    page.locator("#id_category").select_option(label="中山工伤待遇")
    page.locator("#id_name").fill("分行的短信")
    page.locator("#id_function_code").fill("ZS_NL_01")
    lines = "尊敬的 XM：\n您办理的YWMC已受理。\n受理回执号SLHZH。\n"
    content = lines + "办" * (500 - len(lines))
    assert len(content) == 500
    page.locator("#id_content").fill(content)
    preview = preview_panel(page)
    expect(preview.source_length).to_have_text("500")
    expect(preview.segments).not_to_have_text("-")
    expect(preview.errors).to_have_count(0)
    page.get_by_role("button", name="保存", exact=True).click()
    refused = page.locator(".errornote")
    expect(success_message(page).or_(refused)).to_be_visible()
    if refused.count():  # the form again: let its preview answer before the screenshot
        expect(preview_panel(page).segments).not_to_have_text("-")
    shot(page, artifacts_dir, "sms_9_line_breaks")
    expect(success_message(page)).to_be_visible(timeout=1_000)
    assert SmsTemplate.objects.get(function_code="ZS_NL_01").content == content


# ---- 2. publishing and rolling back -------------------------------------------------------------------


def test_city_admin_publishes_changes_and_rolls_back(browser_page: Page, live_server, demo, artifacts_dir):
    from catalog.models import Region
    from config_center.releases.models import Release

    page = browser_page
    base = live_server.url
    zhongshan = Region.objects.get(code=CITY_CODE)

    log_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)

    # ---- 配置发布 → 发布配置 → 中山市: the whole draft is new
    menu_group(page, "地级市业务管理").get_by_role("link", name="配置发布", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/release/$"))
    expect(release_rows(page)).to_have_count(0)
    page.locator(".object-tools").get_by_role("link", name="发布配置").click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/release/publish/$"))
    expect(page.locator("#id_region option")).to_have_text(["（选择城市）", f"{CITY_NAME}（{CITY_CODE}）"])
    page.locator("#id_region").select_option(value=CITY_CODE)  # submits itself
    expect(page).to_have_url(re.compile(rf"/publish/\?region={CITY_CODE}$"))
    expect(page.locator("#content")).to_contain_text("尚未发布过")
    expect(diff_rows(page).filter(has_text="工伤医疗费（GS0101）").first).to_be_visible()
    expect(diff_rows(page).filter(has_text="住院伙食补助费（GS0104）").first).to_be_visible()
    expect(diff_rows(page).filter(has_text="广州")).to_have_count(0)
    shot(page, artifacts_dir, "release_1_publish_diff")
    page.locator("#id_comment").fill("中山市首次发布：工伤待遇四项")
    page.get_by_role("button", name="发布", exact=True).click()

    # ---- the release list: 第 1 版
    expect(page).to_have_url(re.compile(r"/admin/config_center/release/\?region__id__exact=\d+$"))
    expect(success_message(page)).to_have_text(f"已发布{CITY_NAME}第 1 版。")
    expect(release_rows(page)).to_have_count(1)
    first = release_row(page, 1)
    expect(first).to_contain_text("中山市首次发布：工伤待遇四项")
    expect(first).to_contain_text(ADMIN_USERNAME)
    expect(first).to_contain_text("发布")
    shot(page, artifacts_dir, "release_2_list_v1")

    # ---- change one 办理时限; only that change is in the next diff
    change_time_limit(page, base, "工伤医疗费", 15)
    page.goto(f"{base}/admin/config_center/release/")
    page.locator(".object-tools").get_by_role("link", name="发布配置").click()
    page.locator("#id_region").select_option(value=CITY_CODE)
    expect(page.locator("#content")).to_contain_text("线上版本：第 1 版")
    expect(diff_rows(page)).to_have_count(1)
    only = diff_rows(page).first
    expect(only.locator("td")).to_have_text(["工伤医疗费（GS0101） · 办理时限（工作日）", "修改", "20", "15"])
    shot(page, artifacts_dir, "release_3_publish_diff_one_change")
    page.locator("#id_comment").fill("工伤医疗费办理时限缩短为 15 个工作日")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(success_message(page)).to_have_text(f"已发布{CITY_NAME}第 2 版。")
    expect(release_rows(page)).to_have_count(2)
    expect(release_row(page, 2)).to_contain_text("与上一版对比")

    # nothing left to publish now
    page.goto(f"{base}/admin/config_center/release/publish/?region={CITY_CODE}")
    expect(page.locator(".no-changes")).to_have_text("草稿与线上版本相同，无需发布。")
    expect(page.locator("#publish-form")).to_have_count(0)

    # ---- 第 1 版 → 回滚到第 1 版 → 第 3 版 (回滚)
    page.goto(f"{base}/admin/config_center/release/?region__id__exact={zhongshan.pk}")
    release_row(page, 1).get_by_role("link", name="1", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/release/\d+/change/(\?.*)?$"))
    expect(page.locator("#content")).to_contain_text("中山市首次发布：工伤待遇四项")
    rollback = page.get_by_role("button", name="回滚到第 1 版")
    expect(rollback).to_be_visible()
    shot(page, artifacts_dir, "release_4_v1_detail")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    rollback.click()
    expect(success_message(page)).to_have_text("已回滚到第 1 版，新版本为第 3 版。")
    assert dialogs and "回滚到第 1 版" in dialogs[0]  # the confirmation was asked
    expect(release_rows(page)).to_have_count(3)
    expect(release_rows(page).first.locator("th, td").filter(has_text=re.compile(r"^3$"))).to_have_count(1)
    third = release_row(page, 3)
    expect(third).to_contain_text("回滚")
    shot(page, artifacts_dir, "release_5_list_after_rollback")

    releases = list(Release.objects.filter(region=zhongshan).order_by("number"))
    assert [(r.number, r.kind) for r in releases] == [(1, "publish"), (2, "publish"), (3, "rollback")]
    assert releases[2].rolled_back_to == 1
    assert releases[2].snapshot == releases[0].snapshot

    # ---- the runtime API answers from release 3 (the engine reloads in the background: poll)
    url = f"{base}/api/v1/checklist?matter=GS0101&region={CITY_CODE}&channel=counter"
    deadline = time.monotonic() + RUNTIME_RELOAD_SECONDS
    while True:
        response = page.request.get(url)
        assert response.ok, response.text()
        body = response.json()
        if body["release"] == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["release"] == 3, body
    assert body["time_limit_days"] == 20
    assert body["distribution_mode"] == "province"
    assert [m["code"] for m in body["main"]] == ["CL009", "CL001", "CL003", "CL005", "CL006"]
    page.goto(url)
    expect(page.locator("body")).to_contain_text(re.compile(r'"release":\s*3\b'))  # JSON, spaced or not
    shot(page, artifacts_dir, "release_6_api_checklist")

    # ---- 变更记录 (a superuser): the three releases beside the edit, newest first, each linking to its page
    log_in(page, base, ROOT_USERNAME, ROOT_PASSWORD)
    page.goto(f"{base}/admin/config_center/auditlog/?city={CITY_CODE}")
    timeline = page.locator("#audit-timeline tbody tr")
    expect(timeline.nth(0).locator("td").nth(5)).to_have_text("回滚")
    expect(timeline.nth(0).locator(".audit-facts li")).to_have_text(["版本号：3", "回滚到版本：1"])
    expect(timeline.nth(1)).to_contain_text("工伤医疗费办理时限缩短为 15 个工作日")
    expect(timeline.nth(2).locator(".audit-changes li")).to_have_text(["办理时限（工作日）：20 → 15"])
    expect(timeline.nth(3)).to_contain_text("中山市首次发布：工伤待遇四项")
    shot(page, artifacts_dir, "audit_6_releases_among_changes")
    page.locator("#audit-filters #id_model").select_option(label="配置发布")
    page.locator("#audit-filters").get_by_role("button", name="查询").click()
    expect(page.locator(".audit-count")).to_have_text("共 3 条变更记录")
    expect(timeline.locator("td:nth-child(4)")).to_have_text(
        [f"{CITY_NAME}（{CITY_CODE}） · 第 {n} 版" for n in (3, 2, 1)]
    )
    expect(timeline.locator("td:nth-child(2)")).to_have_text([ADMIN_USERNAME] * 3)
    timeline.nth(2).get_by_role("link", name=re.compile("第 1 版")).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/release/\d+/change/$"))
    expect(page.locator("#content")).to_contain_text("中山市首次发布：工伤待遇四项")


# ---- 3. the auditors' timeline ------------------------------------------------------------------------


def test_superuser_reads_audit_timeline(browser_page: Page, live_server, demo, artifacts_dir):
    from config_center.drafts.models import LocalMatter

    page = browser_page
    base = live_server.url

    # the city administrator changes two things through the console
    log_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)
    change_time_limit(page, base, "工伤医疗费", 15)
    change_time_limit(page, base, "工伤医疗费", 12)
    change_time_limit(page, base, "住院伙食补助费", 18)
    medical = LocalMatter.objects.get(region__code=CITY_CODE, matter__code="GS0101")

    # ---- a superuser: 系统管理 → 变更记录
    log_in(page, base, ROOT_USERNAME, ROOT_PASSWORD)
    menu_group(page, "系统管理").get_by_role("link", name="变更记录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/auditlog/$"))
    timeline = page.locator("#audit-timeline tbody tr")
    newest = timeline.first
    expect(newest).to_contain_text(ADMIN_USERNAME)
    expect(newest).to_contain_text("住院伙食补助费")
    expect(newest).to_contain_text(f"{CITY_NAME}（{CITY_CODE}）")
    expect(newest.locator(".audit-changes li")).to_have_text(["办理时限（工作日）：20 → 18"])
    expect(timeline.nth(1).locator(".audit-changes li")).to_have_text(["办理时限（工作日）：15 → 12"])
    expect(timeline.nth(2).locator(".audit-changes li")).to_have_text(["办理时限（工作日）：20 → 15"])
    shot(page, artifacts_dir, "audit_1_timeline")

    # ---- filter by user: only the administrator's three edits
    filters = page.locator("#audit-filters")
    filters.locator("#id_user").fill(ADMIN_USERNAME)
    filters.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(rf"[?&]user={ADMIN_USERNAME}"))
    expect(page.locator(".audit-count")).to_have_text("共 3 条变更记录")
    expect(timeline).to_have_count(3)
    for index in range(3):
        expect(timeline.nth(index).locator("td").nth(1)).to_have_text(ADMIN_USERNAME)
    shot(page, artifacts_dir, "audit_2_filter_user")

    # ---- an unknown user name is said so
    filters.locator("#id_user").fill("nobody-here")
    filters.get_by_role("button", name="查询").click()
    expect(filters.locator(".errorlist")).to_contain_text("没有用户名为“nobody-here”的用户")

    # ---- filter by region: 广州 has only the demo data (by nobody); with the administrator: nothing
    filters.locator("#id_user").fill("")
    filters.locator("#id_city").select_option(value=OTHER_CITY_CODE)
    filters.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(rf"[?&]city={OTHER_CITY_CODE}"))
    expect(timeline.first).to_be_visible()
    regions = timeline.locator("td:nth-child(5)").all_inner_texts()
    # 广州市 itself and its districts (越秀区 440104, 天河区 440106), nothing of 中山
    assert "广州市（440100）" in regions, regions
    assert all(re.search(rf"（{OTHER_CITY_CODE[:4]}\d\d）$", region) for region in regions), regions
    shot(page, artifacts_dir, "audit_3_filter_region")
    filters.locator("#id_user").fill(ADMIN_USERNAME)
    filters.get_by_role("button", name="查询").click()
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text("没有符合条件的变更记录")

    filters.locator("#id_city").select_option(value=CITY_CODE)
    filters.get_by_role("button", name="查询").click()
    expect(timeline).to_have_count(3)

    # ---- one object's versions; compare the first with the newest
    timeline.filter(has_text="工伤医疗费").first.get_by_role("link", name=re.compile("工伤医疗费")).click()
    expect(page).to_have_url(re.compile(rf"/admin/config_center/auditlog/[\w.-]+/{medical.pk}/\?b=\d+$"))
    versions = page.locator("#audit-versions tbody tr")
    expect(page.locator(".audit-compare li")).to_have_text(["办理时限（工作日）：15 → 12"])
    shot(page, artifacts_dir, "audit_4_object_versions")
    # newest first: 15 → 12, 20 → 15, then what the demo data wrote
    expect(versions.nth(0).locator(".audit-changes li")).to_have_text(["办理时限（工作日）：15 → 12"])
    expect(versions.nth(1).locator(".audit-changes li")).to_have_text(["办理时限（工作日）：20 → 15"])
    count = versions.count()
    assert count >= 3
    numbers = versions.locator("td:nth-child(3)").all_inner_texts()
    assert numbers == [str(n) for n in range(count, 0, -1)], numbers

    # ---- compare the version before the administrator's edits with the newest: 20 → 12
    versions.nth(2).locator("input[name=a]").check()
    versions.nth(0).locator("input[name=b]").check()
    page.get_by_role("button", name="对比所选版本").click()
    expect(page).to_have_url(re.compile(r"[?&]a=\d+"))
    expect(page.locator("#audit-compare-form h2")).to_contain_text(f"版本 {count - 2} → 版本 {count}")
    expect(page.locator(".audit-compare li")).to_have_text(["办理时限（工作日）：20 → 12"])
    shot(page, artifacts_dir, "audit_5_compare_versions")

    # ---- the other way round, A = the newest and B = the first version (the demo binding, 20 days)
    versions.nth(count - 1).locator("input[name=b]").check()
    versions.nth(0).locator("input[name=a]").check()
    page.get_by_role("button", name="对比所选版本").click()
    expect(page.locator("#audit-compare-form h2")).to_contain_text(f"版本 {count} → 版本 1")
    expect(page.locator(".audit-compare li").filter(has_text="办理时限")).to_have_text(
        "办理时限（工作日）：12 → 20"
    )
