"""A city sends province-wide SMS templates and its own only (issue 11): 广州's own template is not offered to
中山, refused by the form, the 短信配置 sheet, copying and publishing, and not shown by the preview API;
a city administrator cannot create a province-wide category."""

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter, SmsSlot
from config_center.drafts.services import (
    local_matter_bind,
    local_matter_copy_to_regions,
    local_matter_save_slots,
)
from config_center.releases.services import PublishRefused, release_publish
from config_center.workbook import config_import
from permissions.models import Role
from permissions.services import assignment_create
from sms_templates.models import SmsTemplate, SmsTemplateCategory
from tests.factories.admin_post import change_page_post

pytestmark = pytest.mark.django_db

FOREIGN = "%s选择的短信模板 GZ_PRIV_01 是其他城市的模板；只能使用全省通用或本市的短信模板。"


@pytest.fixture
def cities(reference_data):
    return Region.objects.get(code="442000"), Region.objects.get(code="440100")


@pytest.fixture
def templates(cities):
    zhongshan, guangzhou = cities
    own = {}
    for city, code in ((zhongshan, "ZS_PRIV_01"), (guangzhou, "GZ_PRIV_01")):
        category = SmsTemplateCategory.objects.create(name=f"{city.name}短信", region=city)
        own[city.code] = SmsTemplate.objects.create(
            category=category, name="本市办结", function_code=code, content=f"{city.name}：您的业务已办结。"
        )
    return own


def city_admin(city, name):
    user = get_user_model().objects.create_user(name, password="pw-for-tests", is_staff=True)
    assignment_create(user=user, role=Role.objects.get(code="city_admin"), region=city)
    return user


@pytest.fixture
def medical(cities, superuser):
    zhongshan, _ = cities
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    return LocalMatter.objects.get(region=zhongshan, matter__code="GS0101")


def test_the_form_offers_and_accepts_only_the_citys_and_province_wide_templates(
    admin_client, medical, templates
):
    url = reverse("admin:config_center_localmatter_change", args=[medical.pk])
    response = admin_client.get(url)
    offered = set(
        response.context["adminform"]
        .form.fields["sms_completed"]
        .queryset.values_list("function_code", flat=True)
    )
    assert "ZS_PRIV_01" in offered and "GS_BJ_01" in offered and "GZ_PRIV_01" not in offered
    data = change_page_post(response)
    data["sms_completed"] = templates["440100"].pk
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "sms_completed" in response.context["adminform"].form.errors
    assert not SmsSlot.objects.filter(local_matter=medical).exists()


def test_the_slot_service_refuses_another_citys_template(medical, templates, superuser):
    with pytest.raises(ValidationError) as refused:
        local_matter_save_slots(
            local_matter=medical, sms={"completed": templates["440100"]}, prints={}, user=superuser
        )
    assert refused.value.message_dict == {"sms_completed": [FOREIGN % "办结短信"]}


def test_the_sms_sheet_refuses_another_citys_template(medical, templates, superuser):
    sheet = tablib.Dataset(
        ["442000", "GS0101", "办结短信", "GZ_PRIV_01"],
        headers=["地区编码", "事项编码", "短信环节", "功能代码"],
    )
    report = config_import({"短信配置": sheet}, user=superuser)
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "功能代码", FOREIGN % "办结短信")]
    assert not SmsSlot.objects.exists()


def test_copying_a_citys_own_template_to_another_city_is_refused(medical, templates, superuser, cities):
    local_matter_save_slots(
        local_matter=medical, sms={"completed": templates["442000"]}, prints={}, user=superuser
    )
    with pytest.raises(ValidationError, match="ZS_PRIV_01 是其他城市的模板"):
        local_matter_copy_to_regions(source=medical, regions=[cities[1]], user=superuser)
    assert not LocalMatter.objects.filter(region=cities[1]).exists()


def test_publishing_a_draft_holding_another_citys_template_is_a_configuration_error(
    medical, templates, superuser
):
    SmsSlot.objects.create(
        local_matter=medical, event="completed", template=templates["440100"]
    )  # written before the rule
    with pytest.raises(PublishRefused) as refused:
        release_publish(region=medical.region, user=superuser, comment="发布")
    assert refused.value.reason_code == "configuration_errors"
    assert "GZ_PRIV_01 是其他城市的模板" in refused.value.message


def test_the_preview_shows_only_templates_the_user_may_see(client, cities, templates):
    zhongshan, guangzhou = cities
    url = "/api/v1/sms/preview"
    client.force_login(city_admin(zhongshan, "zs_admin"))
    refused = client.post(url, {"template": "GZ_PRIV_01"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["reason_code"] == "unknown_template"
    assert "广州" not in refused.content.decode()
    assert client.post(url, {"template": "ZS_PRIV_01"}, content_type="application/json").status_code == 200
    assert client.post(url, {"template": "GS_BJ_01"}, content_type="application/json").status_code == 200


def test_a_huge_preview_is_refused_quickly_and_briefly(client, cities):
    client.force_login(city_admin(cities[0], "zs_admin"))
    response = client.post("/api/v1/sms/preview", {"content": "{ZZ}" * 500}, content_type="application/json")
    assert (
        response.status_code == 422
        and len(response.json()["errors"]) == 20
        and len(response.content) < 20_000
    )
    response = client.post("/api/v1/sms/preview", {"content": "{ZZ}" * 600}, content_type="application/json")
    assert response.status_code == 400 and response.json()["reason_code"] == "invalid_parameter"


def test_a_city_administrator_cannot_create_a_province_wide_category(client, cities):
    zhongshan, _ = cities
    client.force_login(city_admin(zhongshan, "zs_admin"))
    url = reverse("admin:sms_templates_smstemplatecategory_add")
    response = client.post(url, {"name": "全省分类？", "region": "", "sort_order": 100})
    assert response.status_code == 200
    assert "全省通用的内容由省级人员维护" in str(response.context["adminform"].form.non_field_errors())
    assert not SmsTemplateCategory.objects.filter(name="全省分类？").exists()
    response = client.post(url, {"name": "中山分类", "region": zhongshan.pk, "sort_order": 100})
    assert (
        response.status_code == 302 and SmsTemplateCategory.objects.get(name="中山分类").region == zhongshan
    )
