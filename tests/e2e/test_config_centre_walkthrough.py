"""The annex-3 walkthrough in a real browser: 定制本地业务 → 本地业务属性定义 → 复制渠道材料.

A superuser (the city administrator role comes with the permissions work) binds two 工伤待遇 matters
to 中山市, configures 工伤医疗费 tab by tab, is refused 全省模式 for a matter that is not 可全省通办,
and copies the counter lists to two other channels. Every step leaves a full-page screenshot in
``tests/artifacts/walkthrough_*.png``.
"""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser]

USERNAME = "e2e-walker"
PASSWORD = "e2e-Pw-walkthrough-only-5188"
CITY_CODE = "442000"
CITY_NAME = "中山市"


@pytest.fixture
def console_superuser(transactional_db):
    """Reference data and theme as ``load_reference_data`` loads them, plus a superuser with a password."""
    from django.contrib.auth import get_user_model

    from config_center.project.reference import reference_data_load_all

    reference_data_load_all()
    return get_user_model().objects.create_superuser(USERNAME, "e2e-walker@example.invalid", PASSWORD)


def shot(page: Page, artifacts_dir, name: str) -> None:
    page.screenshot(path=artifacts_dir / f"walkthrough_{name}.png", full_page=True)


def open_tab(page: Page, title: str):
    """Click a tab of the 本地业务属性定义 page; its panel must be the only visible one. Returns the panel."""
    tab = page.locator("#tabbed-changeform-tabs .tabbed-changeform-tablink").filter(
        has_text=re.compile("^" + re.escape(title) + "$")
    )
    expect(tab).to_have_count(1)
    tab.click()
    expect(tab).to_have_class(re.compile(r"\bactive\b"))
    slug = tab.get_attribute("id").removeprefix("tablink-")
    panel = page.locator(f"#tabcontent-{slug}")
    expect(panel).to_be_visible()
    expect(page.locator(".tabbed-changeform-tabcontent:visible")).to_have_count(1)
    return panel


def material_rows(panel, list_title: str):
    """The saved or added rows of one material list (e.g. 柜台主材料信息设置) inside a tab panel."""
    group = panel.locator(".inline-group").filter(
        has=panel.page.get_by_role("heading", name=list_title, exact=True)
    )
    expect(group).to_have_count(1)
    return group.locator("tbody tr.form-row:not(.empty-form)")


def choose(select, text_start: str) -> str:
    """Select the option whose visible text starts with ``text_start``; returns that text."""
    option = select.locator("option").filter(has_text=re.compile("^" + re.escape(text_start))).first
    label = option.inner_text().strip()
    select.select_option(value=option.get_attribute("value"))
    return label


def local_matter(region_code: str, matter_code: str):
    from config_center.drafts.models import LocalMatter

    return LocalMatter.objects.get(region__code=region_code, matter__code=matter_code)


def material_codes(local, channel_code: str = "counter", kind: str = "main") -> list[str]:
    """Material codes of one saved list of a local matter, in list order."""
    return list(
        local.checklist_items.filter(channel__code=channel_code, kind=kind)
        .order_by("position", "id")
        .values_list("material__code", flat=True)
    )


def add_material_row(page: Page, group_id: str, search: str, option: str) -> None:
    """Add one row to an inline list and pick its material through the select2 autocomplete."""
    group = page.locator(f"#{group_id}")
    rows_before = group.locator("tr.form-row.dynamic-" + group_id.removesuffix("-group")).count()
    group.locator(".add-row a").click()
    rows = group.locator("tr.form-row.dynamic-" + group_id.removesuffix("-group"))
    expect(rows).to_have_count(rows_before + 1)
    row = rows.nth(rows_before)
    row.locator(".select2-container").click()
    search_box = page.locator(".select2-container--open .select2-search__field")
    search_box.fill(search)
    page.locator(".select2-results__option", has_text=option).click()
    expect(row.locator(".select2-selection__rendered")).to_contain_text(option)


def test_annex3_walkthrough_as_superuser(browser_page: Page, live_server, console_superuser, artifacts_dir):
    from catalog.models import Matter, Region
    from config_center.drafts.models import SmsSlot
    from config_center.drafts.services import local_matter_bind

    page = browser_page
    base = live_server.url

    # ---- 1. log in; the 地级市业务管理 group is on the index ------------------------------------------
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill(USERNAME)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    city_group = page.locator("#content-main .module").filter(
        has=page.get_by_role("link", name="地级市业务管理", exact=True)
    )
    expect(city_group).to_have_count(1)
    expect(city_group.get_by_role("link", name="定制本地业务", exact=True)).to_be_visible()
    expect(city_group.get_by_role("link", name="本地业务属性定义", exact=True)).to_be_visible()
    shot(page, artifacts_dir, "1_index")

    # ---- 2. 定制本地业务: search the category, open its matters, bind two to 中山市 -------------------
    city_group.get_by_role("link", name="定制本地业务", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/bindingcategory/$"))
    page.locator("#searchbar").fill("工伤待遇")
    page.locator("#searchbar").press("Enter")
    category_row = page.locator("#result_list tbody tr").filter(has_text="工伤待遇（柜台）")
    expect(category_row).to_have_count(1)
    shot(page, artifacts_dir, "2a_categories")

    page.locator("#searchbar").fill("GSDY")
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list tbody tr").filter(has_text="工伤待遇（柜台）")).to_have_count(1)
    page.locator("#result_list tbody tr").filter(has_text="工伤待遇（柜台）").get_by_role(
        "link", name="查看该类别下的业务"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/bindablematter/\?category__id__exact=\d+"))
    shot(page, artifacts_dir, "2b_matters_no_city")

    # the right-hand filter 绑定城市 (a dropdown with the theme's list_filter_dropdown)
    city_filter = page.locator("#changelist-filter")
    city_select = city_filter.locator("select").filter(has=page.locator("option", has_text=CITY_NAME)).first
    if city_select.count():
        option_value = city_select.locator("option", has_text=CITY_NAME).first.get_attribute("value")
        city_select.select_option(value=option_value)
    else:
        city_filter.get_by_role("link", name=CITY_NAME, exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]city={CITY_CODE}"))
    expect(page.locator("#content h1, #content h2").first).to_contain_text(CITY_NAME)
    shot(page, artifacts_dir, "2c_matters_city")

    for name in ("工伤医疗费", "住院伙食补助费"):
        row = page.locator("#result_list tbody tr").filter(has=page.get_by_text(name, exact=True))
        expect(row).to_have_count(1)
        expect(row).to_contain_text("未绑定")
        row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="定制绑定")
    action_city = page.locator("#changelist-form select[name=city]")
    if action_city.count():
        city_option = action_city.locator("option", has_text=CITY_NAME).first
        action_city.select_option(value=city_option.get_attribute("value"))
    shot(page, artifacts_dir, "2d_bind_action")
    page.locator("#changelist-form button[name=index]").click()

    expect(page.locator(".messagelist .success")).to_contain_text(f"已绑定到{CITY_NAME}")
    for name in ("工伤医疗费", "住院伙食补助费"):
        row = page.locator("#result_list tbody tr").filter(has=page.get_by_text(name, exact=True))
        expect(row.locator("span.bound")).to_have_text("已绑定")
    shot(page, artifacts_dir, "2e_bound")

    # ---- 3. 本地业务属性定义 of 中山市 · 工伤医疗费, tab by tab ---------------------------------------
    page.goto(f"{base}/admin/")
    page.get_by_role("link", name="本地业务属性定义", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/localmatter/$"))
    page.locator("#searchbar").fill("工伤医疗费")
    page.locator("#searchbar").press("Enter")
    row = page.locator("#result_list tbody tr").filter(has_text=CITY_NAME)
    expect(row).to_have_count(1)
    shot(page, artifacts_dir, "3a_local_matters")
    row.get_by_role("link", name="工伤医疗费").click()
    expect(page).to_have_url(re.compile(r"/admin/config_center/localmatter/\d+/change/(\?.*)?$"))
    change_path = re.search(r"/admin/config_center/localmatter/\d+/change/", page.url).group(0)
    change_url = f"{base}{change_path}"
    on_change_page = re.compile(re.escape(change_url) + r"(\?.*)?$")

    tabs = page.locator("#tabbed-changeform-tabs .tabbed-changeform-tablink")
    expected_tabs = [
        "流转与分发",
        "柜台材料",
        "网厅材料",
        "自助机材料",
        "APP材料",
        "粤省事材料",
        "职业伤害材料",
        "属性配置",
        "短信配置",
        "打印模板",
        "标签",
    ]
    expect(tabs).to_have_text(expected_tabs)
    shot(page, artifacts_dir, "3b_change_flow_tab")

    open_tab(page, "流转与分发")
    choose(page.locator("#id_review_levels"), "二级")
    page.locator("#id_time_limit_days").fill("15")
    choose(page.locator("#id_distribution_mode"), "全省模式")
    shot(page, artifacts_dir, "3c_flow_filled")

    counter_panel = open_tab(page, "柜台材料")
    main_group = counter_panel.locator(".inline-group").filter(
        has=page.get_by_role("heading", name="柜台主材料信息设置", exact=True)
    )
    expect(main_group).to_have_count(1)
    group_id = main_group.get_attribute("id")
    add_material_row(page, group_id, "身份证", "居民身份证（CL001）")
    add_material_row(page, group_id, "认定决定书", "工伤认定决定书（CL003）")
    shot(page, artifacts_dir, "3d_counter_materials")

    for slug, title in (
        ("3e_properties", "属性配置"),
        ("3f_print", "打印模板"),
        ("3g_tags", "标签"),
    ):
        open_tab(page, title)
        shot(page, artifacts_dir, slug)
    open_tab(page, "短信配置")
    sms_select = page.locator("#id_sms_accepted")
    sms_label = sms_select.locator("option", has_text="GS_SL_01").first.inner_text()
    sms_select.select_option(label=sms_label)
    shot(page, artifacts_dir, "3h_sms")

    page.get_by_role("button", name="保存并继续编辑").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page).to_have_url(on_change_page)
    findings = page.locator("#config-findings")
    expect(findings).to_be_visible()
    expect(findings.locator("li.finding-error")).to_have_count(0)
    expect(findings.locator("li.finding-incomplete")).to_have_count(0)
    if not findings.locator("li").count():
        expect(findings).to_contain_text("配置完整")
    expect(page.locator("#id_distribution_mode option:checked")).to_have_text(re.compile(r"^全省模式"))
    expect(page.locator("#id_time_limit_days")).to_have_value("15")
    shot(page, artifacts_dir, "3i_saved")
    saved_rows = material_rows(open_tab(page, "柜台材料"), "柜台主材料信息设置")
    expect(saved_rows.locator(".select2-selection__rendered")).to_have_text(
        ["居民身份证（CL001）", "工伤认定决定书（CL003）"]
    )

    medical = local_matter(CITY_CODE, "GS0101")
    assert medical.distribution_mode == "province"
    assert medical.review_levels == 2
    assert medical.time_limit_days == 15
    assert material_codes(medical) == ["CL001", "CL003"]
    assert SmsSlot.objects.get(local_matter=medical, event="accepted").template.function_code == "GS_SL_01"

    # ---- 4. 全省模式 is refused for a matter that is not 可全省通办 -------------------------------------
    zhongshan = Region.objects.get(code=CITY_CODE)
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0301")], user=console_superuser)
    injury = local_matter(CITY_CODE, "GS0301")
    before = (injury.distribution_mode, injury.review_levels, injury.time_limit_days, injury.updated_at)
    page.goto(f"{base}/admin/config_center/localmatter/{injury.pk}/change/")
    open_tab(page, "流转与分发")
    choose(page.locator("#id_distribution_mode"), "全省模式")
    page.get_by_role("button", name="保存并继续编辑").first.click()
    expect(page.locator(".errornote")).to_be_visible()
    error = page.locator("#tabcontent-flow .errorlist").filter(has_text="可全省通办")
    expect(error).to_be_visible()
    expect(error).to_contain_text("工伤认定申请")
    shot(page, artifacts_dir, "4_not_province_wide")
    injury.refresh_from_db()
    assert (
        injury.distribution_mode,
        injury.review_levels,
        injury.time_limit_days,
        injury.updated_at,
    ) == before

    # ---- 5. 复制渠道材料: 柜台 → 网厅, 自助机 --------------------------------------------------------
    page.goto(change_url)
    page.locator(".object-tools").get_by_role("link", name="复制渠道材料").click()
    expect(page).to_have_url(re.compile(r"/copy-channel/$"))
    page.locator("#id_source").select_option(label="柜台")
    for channel in ("网厅", "自助机"):
        page.locator("#copy-channel-form label", has_text=channel).locator("input").check()
    shot(page, artifacts_dir, "5a_copy_channel")
    page.get_by_role("button", name="复制").click()
    expect(page).to_have_url(on_change_page)
    expect(page.locator(".messagelist .success")).to_contain_text("已把柜台材料复制到")
    for title, channel in (("网厅材料", "网厅"), ("自助机材料", "自助机")):
        copied = material_rows(open_tab(page, title), f"{channel}主材料信息设置")
        expect(copied.locator(".select2-selection__rendered")).to_have_text(
            ["居民身份证（CL001）", "工伤认定决定书（CL003）"]
        )
        if channel == "网厅":
            shot(page, artifacts_dir, "5b_copied_web")
    expect(material_rows(open_tab(page, "APP材料"), "APP主材料信息设置")).to_have_count(0)

    medical.refresh_from_db()
    assert material_codes(medical, "web") == ["CL001", "CL003"]
    assert material_codes(medical, "kiosk") == ["CL001", "CL003"]
    assert material_codes(medical, "app") == []
    assert material_codes(medical) == ["CL001", "CL003"]
