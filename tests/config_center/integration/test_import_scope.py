"""Every sheet refuses a city administrator's rows outside their city, row by row (issue 19).

A 中山 administrator imports, sheet by sheet, a row of their own city (accepted: the row is valid) and the
same row for 广州 (refused on the column that names the city, nothing written). The province's own
tables refuse the administrator altogether, while a superuser may import the same rows. Each refusal is
the sheet's own row-level check: the foreign rows are otherwise valid (广州 has bound the matter, the
category exists), so without that check they would be imported.
"""

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from catalog.models import Matter, Region
from config_center.drafts.models import PrintTemplate
from config_center.drafts.services import local_matter_bind
from config_center.workbook import config_import
from core.registry import registry
from permissions.models import Assignment, Role
from permissions.services import assignment_create
from sms_templates.models import SmsTemplate, SmsTemplateCategory

pytestmark = pytest.mark.django_db

OWN, FOREIGN = "442000", "440100"  # 中山 (the administrator's city) and 广州
REFUSED = f"您无权导入{FOREIGN}的数据"

# sheet -> (the column a refusal names, the own-city row, the same row for the other city)
SCOPED_SHEETS = {
    "事项绑定": (
        "地区编码",
        ("442000", "GS0104", "本地模式", "承诺件", "20", "二级", "有效"),
        ("440100", "GS0104", "本地模式", "承诺件", "20", "二级", "有效"),
    ),
    "属性配置": (
        "地区编码",
        ("442000", "GS0101", "是", "是", "是", "否", "", "否", "", "", "否", "是", "是", "否", ""),
        ("440100", "GS0101", "是", "是", "是", "否", "", "否", "", "", "否", "是", "是", "否", ""),
    ),
    "标签": (
        "地区编码",
        ("442000", "GS0101", "SL_QSTB", ""),
        ("440100", "GS0101", "SL_QSTB", ""),
    ),
    "材料清单": (
        "地区编码",
        ("442000", "GS0101", "柜台", "主材料", "1", "CL001", "", "是"),
        ("440100", "GS0101", "柜台", "主材料", "1", "CL001", "", "是"),
    ),
    "短信配置": (
        "地区编码",
        ("442000", "GS0101", "受理短信", "GS_SL_01"),
        ("440100", "GS0101", "受理短信", "GS_SL_01"),
    ),
    "打印配置": (
        "地区编码",
        ("442000", "GS0101", "业务办结单", "PT_BJD_01", "否", "是"),
        ("440100", "GS0101", "业务办结单", "PT_BJD_01", "否", "是"),
    ),
    "短信模板": (
        "地区编码",
        ("中山本地短信", "442000", "中山受理通知", "ZS_SL_09", "有效", "{XM}您好，您的{YWMC}已受理。"),
        ("广州本地短信", "440100", "广州受理通知", "GZ_SL_09", "有效", "{XM}您好，您的{YWMC}已受理。"),
    ),
    "短信模板大类": (
        "地区编码",
        ("中山专用短信", "442000", "100"),
        ("广州专用短信", "440100", "100"),
    ),
    "打印模板": (
        "地区编码",
        ("PT_ZS_BJD9", "中山业务办结单", "业务办结单", "442000", "有效"),
        ("PT_GZ_BJD9", "广州业务办结单", "业务办结单", "440100", "有效"),
    ),
    "岗位分配": (
        "机构编码",
        ("zs_clerk", "综合柜员", "442099"),
        ("gz_clerk", "综合柜员", "440199"),
    ),
}
PROVINCE_SHEETS = ["行政区划", "节假日", "经办机构", "材料", "业务事项", "查询标签", "待遇项目", "待遇标准"]


def _headers(name: str) -> list[str]:
    [sheet] = [sheet for sheet in registry.sheets if sheet.name == name]
    return [field.column_name for field in sheet.resource().get_export_fields()]


def _example(name: str) -> tuple:
    [sheet] = [sheet for sheet in registry.sheets if sheet.name == name]
    return sheet.resource().example


def _import(name: str, rows, user, *, dry_run: bool = False):
    return config_import({name: tablib.Dataset(*rows, headers=_headers(name))}, user=user, dry_run=dry_run)


@pytest.fixture
def world(reference_data, superuser):
    """Both cities have bound GS0101; each has its own SMS category; the clerks to assign exist."""
    medical = Matter.objects.get(code="GS0101")
    for code, name in ((OWN, "中山本地短信"), (FOREIGN, "广州本地短信")):
        region = Region.objects.get(code=code)
        local_matter_bind(region=region, matters=[medical], user=superuser)
        SmsTemplateCategory.objects.create(name=name, region=region)
    User = get_user_model()
    for username in ("zs_clerk", "gz_clerk"):
        User.objects.create_user(username, password="pw-for-tests")


@pytest.fixture
def zs_admin(world, superuser):
    """中山's 市级系统管理员, who also holds a city role for print templates (the reference roles give them to
    province-wide staff only, so without it the 打印模板 sheet would be refused whatever the row's city)."""
    user = get_user_model().objects.create_user("zs_admin", password="pw-for-tests", is_staff=True)
    zhongshan = Region.objects.get(code=OWN)
    assignment_create(user=user, role=Role.objects.get(code="city_admin"), region=zhongshan, actor=superuser)
    templates = Role.objects.create(name="市级打印模板管理", code="city_print_templates", allow_agency=False)
    templates.permissions.set(
        Permission.objects.filter(
            content_type__app_label="config_center",
            codename__in=["view_printtemplate", "change_printtemplate"],
        )
    )
    assignment_create(user=user, role=templates, region=zhongshan, actor=superuser)
    return user


def test_every_sheet_is_either_scoped_by_city_or_the_provinces_own():
    assert {sheet.name for sheet in registry.sheets} == set(SCOPED_SHEETS) | set(PROVINCE_SHEETS)


@pytest.mark.parametrize("name", list(SCOPED_SHEETS))
def test_a_city_administrator_imports_rows_of_their_own_city(zs_admin, name):
    _column, own, _foreign = SCOPED_SHEETS[name]
    report = _import(name, [own], zs_admin)
    assert report.ok, [str(error) for error in report.errors]


@pytest.mark.parametrize("name", list(SCOPED_SHEETS))
def test_a_city_administrator_cannot_import_a_row_of_another_city(zs_admin, name):
    column, _own, foreign = SCOPED_SHEETS[name]
    before = _counts()
    report = _import(name, [foreign], zs_admin)
    assert [(error.sheet, error.row, error.column) for error in report.errors] == [(name, 2, column)]
    assert REFUSED in report.errors[0].message
    assert _counts() == before


@pytest.mark.parametrize("name", list(SCOPED_SHEETS))
def test_the_refused_row_of_another_city_is_valid_for_someone_in_scope(world, superuser, name):
    _column, _own, foreign = SCOPED_SHEETS[name]
    report = _import(name, [foreign], superuser, dry_run=True)
    assert report.ok, [str(error) for error in report.errors]


def test_a_stored_sms_template_of_another_city_is_not_taken_over_by_naming_its_code(zs_admin):
    SmsTemplate.objects.create(
        category=SmsTemplateCategory.objects.get(region__code=FOREIGN),
        name="广州受理通知",
        function_code="GZ_SL_09",
        content="{XM}您好，您的{YWMC}已受理。",
    )
    row = ("中山本地短信", OWN, "中山受理通知", "GZ_SL_09", "有效", "{XM}您好，您的{YWMC}已受理。")
    report = _import("短信模板", [row], zs_admin)
    assert [(error.row, error.column) for error in report.errors] == [(2, "功能代码")]
    assert REFUSED in report.errors[0].message
    assert SmsTemplate.objects.get(function_code="GZ_SL_09").category.region.code == FOREIGN


def test_a_new_sms_category_of_another_city_is_not_created_on_the_way(zs_admin):
    row = ("广州新分类", FOREIGN, "广州受理通知", "GZ_SL_10", "有效", "{XM}您好，您的{YWMC}已受理。")
    report = _import("短信模板", [row], zs_admin)
    assert REFUSED in report.errors[0].message
    assert not SmsTemplateCategory.objects.filter(name="广州新分类").exists()


def test_a_stored_print_template_of_another_city_is_not_taken_over_by_naming_its_code(zs_admin):
    PrintTemplate.objects.create(
        code="PT_GZ_BJD9",
        name="广州业务办结单",
        document="completion",
        region=Region.objects.get(code=FOREIGN),
    )
    row = ("PT_GZ_BJD9", "中山业务办结单", "业务办结单", OWN, "有效")
    report = _import("打印模板", [row], zs_admin)
    assert [(error.row, error.column) for error in report.errors] == [(2, "模板编码")]
    assert REFUSED in report.errors[0].message
    assert PrintTemplate.objects.get(code="PT_GZ_BJD9").region.code == FOREIGN


@pytest.mark.parametrize("name", PROVINCE_SHEETS)
def test_a_city_administrator_cannot_import_a_province_table(zs_admin, name):
    before = _counts()
    report = _import(name, [_example(name)], zs_admin)
    assert [(error.sheet, error.row) for error in report.errors] == [(name, 2)]
    assert "您无权导入" in report.errors[0].message
    assert _counts() == before


@pytest.mark.parametrize("name", PROVINCE_SHEETS)
def test_the_province_tables_example_row_is_valid_for_a_superuser(world, superuser, name):
    report = _import(name, [_example(name)], superuser, dry_run=True)
    assert report.ok, [str(error) for error in report.errors]


def _counts() -> tuple:
    from catalog.models import Agency, Holiday, Material
    from config_center.drafts.models import ChecklistItem, LocalMatter, PrintSlot, SmsSlot, Tag

    models = [
        Region,
        Holiday,
        Agency,
        Material,
        Matter,
        Tag,
        LocalMatter,
        ChecklistItem,
        SmsSlot,
        PrintSlot,
        PrintTemplate,
        SmsTemplate,
        SmsTemplateCategory,
        Assignment,
    ]
    return tuple((model.objects.count(), model.history.count()) for model in models)
