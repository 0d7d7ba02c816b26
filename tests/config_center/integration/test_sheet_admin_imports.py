"""Each new sheet is also an admin list's 导入 with the library's preview (issue 13): the province's
tables for province-wide staff only, 打印配置 in the city's scope."""

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Holiday, Matter, Region
from config_center.drafts.models import LocalMatter, PrintSlot
from config_center.drafts.services import local_matter_bind
from permissions.models import Role
from permissions.services import assignment_create

pytestmark = pytest.mark.django_db


def csv_upload(headers, rows) -> SimpleUploadedFile:
    content = tablib.Dataset(*rows, headers=headers).export("csv").encode("utf-8")
    return SimpleUploadedFile("sheet.csv", content)


def city_admin(code="442000", name="zs_admin"):
    user = get_user_model().objects.create_user(name, password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code=code)
    )
    return user


def preview(client, url_name, upload):
    """The admin's first import step: the dry-run preview (format 1 = csv)."""
    return client.post(reverse(url_name), {"resource": 0, "format": 1, "import_file": upload})


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:catalog_region_import",
        "admin:catalog_holiday_import",
        "admin:catalog_agency_import",
        "admin:catalog_material_import",
        "admin:catalog_matter_import",
        "admin:config_center_printtemplate_import",
        "admin:config_center_tag_import",
        "admin:sms_templates_smstemplatecategory_import",
        "admin:config_center_printslot_import",
    ],
)
def test_every_new_sheet_has_an_admin_import_page(reference_data, admin_client, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_the_holiday_preview_shows_the_rows_and_writes_nothing(reference_data, admin_client):
    response = preview(
        admin_client,
        "admin:catalog_holiday_import",
        csv_upload(
            ["日期", "名称", "调休上班"],
            [("2026/10/1", "国庆节", "否"), ("2026年10月10日", "调休上班", "是")],
        ),
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2 and not Holiday.objects.exists()


def test_a_matter_row_with_a_prerequisite_cycle_is_refused_in_the_preview(reference_data, admin_client):
    headers = ["事项编码", "事项名称", "业务大类", "前置事项"]
    rows = [("GS0901", "甲", "GSDY_GT", "GS0902"), ("GS0902", "乙", "GSDY_GT", "GS0901")]
    response = preview(admin_client, "admin:catalog_matter_import", csv_upload(headers, rows))
    errors = [str(error.error) for error in response.context["result"].base_errors]
    assert any("前置事项形成循环：GS0901 → GS0902 → GS0901" in error for error in errors)
    assert not Matter.objects.filter(code__in=["GS0901", "GS0902"]).exists()


def test_a_print_slot_row_of_another_city_is_refused(reference_data, client, superuser):
    for code in ("442000", "440100"):
        local_matter_bind(
            region=Region.objects.get(code=code), matters=[Matter.objects.get(code="GS0101")], user=superuser
        )
    client.force_login(city_admin())
    headers = ["地区编码", "事项编码", "打印事项", "模板编码", "电子印章", "验伪码"]
    rows = [("440100", "GS0101", "业务办结单", "PT_BJD_01", "否", "是")]
    response = preview(client, "admin:config_center_printslot_import", csv_upload(headers, rows))
    [invalid] = response.context["result"].invalid_rows
    assert "您无权导入440100的数据" in str(invalid.error_dict)
    assert not PrintSlot.objects.exists()


def test_a_city_administrator_cannot_import_a_province_table(reference_data, client):
    client.force_login(city_admin())
    # the import page itself needs the change permission, which the role does not grant
    assert client.get(reverse("admin:catalog_matter_import")).status_code == 403


def test_anti_forgery_on_a_receipt_and_e_seal_without_the_property_are_refused_in_the_sheet(
    reference_data, admin_client, superuser
):
    zhongshan = Region.objects.get(code="442000")
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    headers = ["地区编码", "事项编码", "打印事项", "模板编码", "电子印章", "验伪码"]
    rows = [
        ("442000", "GS0101", "受理回执单", "PT_SLHZ_01", "否", "是"),
        ("442000", "GS0101", "业务办结单", "PT_BJD_01", "是", "否"),
        ("442000", "GS0101", "收件回执单", "PT_BJD_01", "否", "否"),
    ]
    response = preview(admin_client, "admin:config_center_printslot_import", csv_upload(headers, rows))
    messages = {
        invalid.number: str(invalid.error_dict) for invalid in response.context["result"].invalid_rows
    }
    assert "只有业务办结单可以配置验伪码" in messages[2]
    assert "未启用电子印章" in messages[3]
    assert "不是收件回执单模板" in messages[4]
    assert LocalMatter.objects.get().print_slots.count() == 0


def test_a_workbook_with_a_prerequisite_cycle_writes_nothing(reference_data, superuser):
    from config_center.workbook import config_import

    matters = tablib.Dataset(
        ("GS0901", "甲", "GSDY_GT", "GS0902"),
        ("GS0902", "乙", "GSDY_GT", "GS0901"),
        headers=["事项编码", "事项名称", "业务大类", "前置事项"],
    )
    report = config_import({"业务事项": matters}, user=superuser)
    assert [(e.sheet, e.column, e.message) for e in report.errors] == [
        ("业务事项", "前置事项", "前置事项形成循环：GS0901 → GS0902 → GS0901")
    ]
    assert not Matter.objects.filter(code__in=["GS0901", "GS0902"]).exists()


def test_the_local_matter_list_imports_properties_and_tags_too(reference_data, admin_client, superuser):
    zhongshan = Region.objects.get(code="442000")
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    upload = csv_upload(
        ["地区编码", "事项编码", "受理标签", "审核标签"], [("442000", "GS0101", "SL_QSTB、SL_YDSL", "SH_YJ")]
    )
    response = admin_client.post(
        reverse("admin:config_center_localmatter_import"), {"resource": 2, "format": 1, "import_file": upload}
    )
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    wrong_kind = csv_upload(["地区编码", "事项编码", "受理标签"], [("442000", "GS0101", "SH_YJ")])
    response = admin_client.post(
        reverse("admin:config_center_localmatter_import"),
        {"resource": 2, "format": 1, "import_file": wrong_kind},
    )
    [invalid] = response.context["result"].invalid_rows
    assert "SH_YJ 是审核标签，不能填在“受理标签”中" in str(invalid.error_dict)
    assert not LocalMatter.objects.get().acceptance_tags.exists()
