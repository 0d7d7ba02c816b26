"""The 定制本地业务 and 本地业务属性定义 screens through the test client."""

import pytest
from django.urls import reverse

from catalog.models import Channel, Material, Matter, Region
from config_center.drafts.models import ChecklistItem, LocalMatter, SmsSlot
from config_center.drafts.services import local_matter_bind, local_matter_copy_plan, local_matter_unbind
from sms_templates.models import SmsTemplate
from tests.factories.admin_post import change_page_post, formset_prefix

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhongshan(reference_data):
    return Region.objects.get(code="442000")


@pytest.fixture
def medical(zhongshan, superuser):
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    return LocalMatter.objects.get(region=zhongshan, matter__code="GS0101")


def change_url(local):
    return reverse("admin:config_center_localmatter_change", args=[local.pk])


def test_category_list_fuzzy_search_finds_the_counter_category(admin_client, reference_data):
    url = reverse("admin:config_center_bindingcategory_changelist")
    page = admin_client.get(url, {"q": "工伤待遇"}).content.decode()
    assert "工伤待遇（柜台）" in page and "查看该类别下的业务" in page
    assert "工伤待遇（柜台）" in admin_client.get(url, {"q": "gsdy"}).content.decode()


def test_bind_action_binds_ticked_matters_to_the_chosen_city(admin_client, zhongshan):
    matters = Matter.objects.filter(code__in=["GS0101", "GS0104"])
    url = reverse("admin:config_center_bindablematter_changelist") + "?city=442000"
    response = admin_client.post(
        url,
        {"action": "bind", "_selected_action": [m.pk for m in matters], "city": zhongshan.pk, "index": 0},
        follow=True,
    )
    assert "已绑定到中山市" in response.content.decode()
    assert set(
        LocalMatter.objects.filter(region=zhongshan, is_active=True).values_list("matter__code", flat=True)
    ) == {
        "GS0101",
        "GS0104",
    }
    listing = admin_client.get(url).content.decode()
    assert listing.count('class="bound"') == 2


def test_bind_action_without_a_city_changes_nothing(admin_client, reference_data):
    matter = Matter.objects.get(code="GS0101")
    url = reverse("admin:config_center_bindablematter_changelist")
    response = admin_client.post(
        url, {"action": "bind", "_selected_action": [matter.pk], "index": 0}, follow=True
    )
    assert "请先选择要绑定的地级市" in response.content.decode()
    assert not LocalMatter.objects.exists()


def test_unbind_keeps_the_configuration_and_rebinding_restores_it(superuser, medical, zhongshan):
    counter = Channel.objects.get(code="counter")
    ChecklistItem.objects.create(
        local_matter=medical, channel=counter, kind="main", material=Material.objects.get(code="CL001")
    )
    assert local_matter_unbind(region=zhongshan, matters=[medical.matter], user=superuser) == 1
    medical.refresh_from_db()
    assert not medical.is_active and medical.checklist_items.count() == 1
    result = local_matter_bind(region=zhongshan, matters=[medical.matter], user=superuser)
    assert (result.created, result.reactivated) == (0, 1)
    medical.refresh_from_db()
    assert medical.is_active
    assert [h.history_change_reason for h in medical.history.order_by("history_id")] == [
        "定制绑定",
        "取消绑定",
        "重新绑定",
    ]
    assert medical.history.first().history_user == superuser


def test_binding_to_a_province_or_county_is_refused(superuser, reference_data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        local_matter_bind(
            region=Region.objects.get(code="440000"),
            matters=[Matter.objects.get(code="GS0101")],
            user=superuser,
        )


def test_change_page_shows_the_annex_3_tabs(admin_client, medical):
    page = admin_client.get(change_url(medical)).content.decode()
    for title in (
        "流转与分发",
        "柜台材料",
        "网厅材料",
        "自助机材料",
        "APP材料",
        "粤省事材料",
        "职业伤害材料",
        "属性配置",
        "短信配置",
        "打印事项模板配置",
        "柜台主材料信息设置",
        "柜台辅助材料信息设置",
        "柜台申请事项材料信息设置",
        "非职业伤害或不予受理办结短信",
        "配置验伪码",
    ):
        assert title in page, title


def test_saving_province_mode_materials_and_sms_slot(admin_client, medical):
    response = admin_client.get(change_url(medical))
    data = change_page_post(response)
    prefix = formset_prefix(response, "counter", "main")
    data.update(
        {
            "distribution_mode": "province",
            "review_levels": "2",
            "time_limit_days": "15",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-0-position": "0",
            f"{prefix}-0-material": Material.objects.get(code="CL001").pk,
            f"{prefix}-1-position": "0",
            f"{prefix}-1-material": Material.objects.get(code="CL003").pk,
            f"{prefix}-1-send_to_ministry": "on",
            "sms_accepted": SmsTemplate.objects.get(function_code="GS_SL_01").pk,
            "_continue": "1",
        }
    )
    response = admin_client.post(change_url(medical), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    medical.refresh_from_db()
    assert (medical.distribution_mode, medical.review_levels, medical.time_limit_days) == ("province", 2, 15)
    items = list(medical.checklist_items.filter(channel__code="counter", kind="main").order_by("position"))
    assert [(i.material.code, i.send_to_ministry) for i in items] == [("CL001", False), ("CL003", True)]
    assert [i.position for i in items] == [1, 2]  # rows left at 排序 0 are numbered in entry order
    assert SmsSlot.objects.get(local_matter=medical, event="accepted").template.function_code == "GS_SL_01"
    assert medical.history.first().history_user.username == "root"


def test_province_mode_for_an_ineligible_matter_is_refused_with_a_reason(admin_client, superuser, zhongshan):
    local_matter_bind(region=zhongshan, matters=[Matter.objects.get(code="GS0301")], user=superuser)
    local = LocalMatter.objects.get(region=zhongshan, matter__code="GS0301")
    data = change_page_post(admin_client.get(change_url(local)))
    data["distribution_mode"] = "province"
    response = admin_client.post(change_url(local), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "distribution_mode" in errors and "可全省通办" in errors["distribution_mode"][0]
    local.refresh_from_db()
    assert local.distribution_mode == "local"


def test_a_material_twice_in_one_list_is_refused_and_nothing_is_saved(admin_client, medical):
    response = admin_client.get(change_url(medical))
    data = change_page_post(response)
    prefix = formset_prefix(response, "counter", "main")
    material = Material.objects.get(code="CL001").pk
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-0-material": material,
            f"{prefix}-0-position": "1",
            f"{prefix}-1-material": material,
            f"{prefix}-1-position": "2",
            "time_limit_days": "9",
        }
    )
    response = admin_client.post(change_url(medical), data)
    assert response.status_code == 200
    assert "只能出现一次" in response.content.decode()
    assert not ChecklistItem.objects.exists()
    medical.refresh_from_db()
    assert medical.time_limit_days != 9


def test_copy_channel_copies_the_three_lists(admin_client, medical):
    counter = Channel.objects.get(code="counter")
    for position, code in enumerate(["CL001", "CL003"], start=1):
        ChecklistItem.objects.create(
            local_matter=medical,
            channel=counter,
            kind="main",
            position=position,
            material=Material.objects.get(code=code),
        )
    ChecklistItem.objects.create(
        local_matter=medical,
        channel=counter,
        kind="auxiliary",
        name="近亲属代办",
        material=Material.objects.get(code="CL022"),
    )
    url = reverse("admin:config_center_localmatter_copy_channel", args=[medical.pk])
    response = admin_client.post(url, {"source": "counter", "targets": ["web", "kiosk"]}, follow=True)
    assert "已把柜台材料复制到" in response.content.decode()
    for channel in ("web", "kiosk"):
        rows = medical.checklist_items.filter(channel__code=channel).order_by("kind", "position")
        assert [(r.kind, r.material.code, r.name) for r in rows] == [
            ("auxiliary", "CL022", "近亲属代办"),
            ("main", "CL001", ""),
            ("main", "CL003", ""),
        ]


def test_copy_to_cities_previews_then_applies(admin_client, medical, superuser):
    counter = Channel.objects.get(code="counter")
    ChecklistItem.objects.create(
        local_matter=medical, channel=counter, kind="main", material=Material.objects.get(code="CL001")
    )
    medical.time_limit_days = 12
    medical.save()
    url = reverse("admin:config_center_localmatter_copy_to_cities", args=[medical.pk])
    preview = admin_client.post(url, {"cities": ["440100", "440300"]})
    page = preview.content.decode()
    assert "预览" in page and "广州市" in page and "柜台主材料" in page
    assert not LocalMatter.objects.filter(region__code="440100").exists()
    admin_client.post(url, {"cities": ["440100", "440300"], "confirm": "1"})
    copied = LocalMatter.objects.get(region__code="440100", matter=medical.matter)
    assert copied.time_limit_days == 12
    assert list(copied.checklist_items.values_list("material__code", flat=True)) == ["CL001"]
    again = local_matter_copy_plan(source=medical, regions=Region.objects.filter(code__in=["440100"]))
    assert again.change_count == 0


def test_changelist_flags_incomplete_configuration(admin_client, medical):
    medical.distribution_mode = "province"
    medical.save()
    page = admin_client.get(reverse("admin:config_center_localmatter_changelist")).content.decode()
    assert "待完善" in page and "全省模式的事项须配置柜台主材料" in page
