"""配置工作簿: the template download, the whole export for province-wide readers, and a workbook imported
all-or-nothing from the admin, checked first (issue 13)."""

import io

import openpyxl
import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Holiday, Region
from config_center.drafts.models import LocalMatter
from permissions.models import Role
from permissions.services import assignment_create

pytestmark = pytest.mark.django_db

URL = "admin:config_center_workbook"


def city_admin(code="442000", name="zs_admin"):
    user = get_user_model().objects.create_user(name, password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code=code)
    )
    return user


def upload(*datasets) -> SimpleUploadedFile:
    content = tablib.Databook(list(datasets)).export("xlsx")
    return SimpleUploadedFile("config.xlsx", content)


def sheet(title, headers, rows):
    dataset = tablib.Dataset(*rows, headers=headers)
    dataset.title = title
    return dataset


def bindings(*rows):
    return sheet(
        "事项绑定",
        ["地区编码", "事项编码", "分发模式", "主流程方式", "办理时限", "业务审核级别", "状态"],
        rows,
    )


def test_the_template_downloads_with_its_notes(reference_data, admin_client):
    response = admin_client.get(reverse("admin:config_center_workbook_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames[0] == "说明" and "打印配置" in book.sheetnames


def test_check_writes_nothing_and_import_writes_everything(reference_data, admin_client):
    page = reverse(URL)
    good = bindings(("442000", "GS0101", "全省模式", "即办件", 15, "一级", "有效"))
    response = admin_client.post(page, {"file": upload(good), "check": "1"})
    assert "检查通过" in response.content.decode() and not LocalMatter.objects.exists()
    response = admin_client.post(page, {"file": upload(good), "import": "1"})
    assert "导入完成" in response.content.decode()
    local = LocalMatter.objects.get()
    assert (local.flow_mode, local.review_levels, local.time_limit_days) == ("instant", 1, 15)


def test_an_error_anywhere_writes_nothing_and_names_sheet_row_and_column(reference_data, admin_client):
    holidays = sheet("节假日", ["日期", "名称", "调休上班"], [("2026-10-01", "国庆节", "否")])
    bad = bindings(("442000", "GS0101", "全省模式", "即办件", 15, "二级", "有效"))  # 即办件 with two levels
    response = admin_client.post(reverse(URL), {"file": upload(holidays, bad), "import": "1"})
    content = response.content.decode()
    assert "没有写入任何数据" in content
    assert "即办件受理后当场审核办结，只能设为一级审核（初审）。" in content
    assert response.context["report"].errors[0].row == 2
    assert response.context["report"].errors[0].column == "业务审核级别"
    assert not Holiday.objects.exists() and not LocalMatter.objects.exists()


def test_a_city_administrator_imports_for_the_own_city_only_and_cannot_export_everything(
    reference_data, client
):
    client.force_login(city_admin())
    page = reverse(URL)
    response = client.get(page)
    assert response.status_code == 200 and "workbook-export" not in response.content.decode()
    assert client.get(reverse("admin:config_center_workbook_export")).status_code == 403
    foreign = bindings(("440100", "GS0101", "本地模式", "", 20, "二级", "有效"))
    response = client.post(page, {"file": upload(foreign), "import": "1"})
    assert "您无权导入440100的数据" in response.content.decode()
    holidays = sheet("节假日", ["日期", "名称", "调休上班"], [("2026-10-01", "国庆节", "否")])
    response = client.post(page, {"file": upload(holidays), "import": "1"})
    assert "只有省级管理人员可以修改" in response.content.decode()
    assert not LocalMatter.objects.exists() and not Holiday.objects.exists()


def test_a_province_wide_user_exports_the_whole_configuration(reference_data, admin_client):
    response = admin_client.get(reverse("admin:config_center_workbook_export"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert "业务事项" in book.sheetnames and "标签" in book.sheetnames


def test_staff_without_a_configuration_role_cannot_open_the_screen(reference_data, client):
    user = get_user_model().objects.create_user("clerk", password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user, role=Role.objects.get(code="clerk"), region=Region.objects.get(code="442000")
    )
    client.force_login(user)
    assert client.get(reverse(URL)).status_code == 403


def test_a_file_that_is_no_workbook_is_refused_on_the_form(reference_data, admin_client):
    response = admin_client.post(
        reverse(URL), {"file": SimpleUploadedFile("config.csv", b"a,b\n1,2\n"), "import": "1"}
    )
    assert "请上传 .xlsx 工作簿" in response.content.decode()
    response = admin_client.post(
        reverse(URL), {"file": SimpleUploadedFile("config.xlsx", b"not a zip at all"), "import": "1"}
    )
    assert response.status_code == 200 and response.context["report"] is None
    assert response.context["form"].errors["file"]
