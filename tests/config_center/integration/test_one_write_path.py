"""One write path for a local matter: the admin form and the spreadsheet importer refuse the same invalid
local matter with the same Chinese message (a mode, a property and a print-slot rule), and write nothing."""

import pytest
import tablib
from django.urls import reverse

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter, PrintTemplate
from config_center.drafts.services import local_matter_bind, local_matter_save, local_matter_save_slots
from config_center.workbook import config_import
from tests.factories.admin_post import change_page_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(reference_data, superuser):
    """中山 GS0101 with the e-seal on and its 业务办结单 sealed: valid, one step from two rules."""
    city = Region.objects.get(code="442000")
    local_matter_bind(region=city, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    local = LocalMatter.objects.get(region=city, matter__code="GS0101")
    local.e_seal_enabled, local.e_seal_code = True, "ZS0001SEAL"
    local_matter_save(local_matter=local, user=superuser)
    template = PrintTemplate.objects.filter(document="completion").first()
    local_matter_save_slots(
        local_matter=local, sms={}, prints={"completion": (template, True, True)}, user=superuser
    )
    return local


def form_errors(admin_client, local, **changes) -> dict[str, list[str]]:
    url = reverse("admin:config_center_localmatter_change", args=[local.pk])
    data = change_page_post(admin_client.get(url))
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    response = admin_client.post(url, data)
    assert response.status_code == 200, "the form should have refused the change"
    return {field: list(messages) for field, messages in response.context["adminform"].form.errors.items()}


def import_errors(superuser, sheet: str, headers: list[str], row: list) -> list:
    report = config_import({sheet: tablib.Dataset(row, headers=headers)}, user=superuser)
    assert not report.ok, "the importer should have refused the row"
    return report.errors


def snapshot(local) -> tuple:
    local.refresh_from_db()
    return (
        local.distribution_mode,
        local.post_enabled,
        local.e_seal_enabled,
        local.history.count(),
        list(local.print_slots.values_list("document", "e_seal")),
    )


def test_a_property_rule_refuses_the_same_in_the_form_and_the_importer(admin_client, superuser, sealed):
    before = snapshot(sealed)
    in_form = form_errors(admin_client, sealed, post_enabled="on", post_fee_payer="")
    in_import = import_errors(
        superuser,
        "属性配置",
        ["地区编码", "事项编码", "支持邮政寄送结果", "寄送费用承担"],
        ["442000", "GS0101", "是", ""],
    )
    assert in_form == {"post_fee_payer": ["已开启邮政寄送，请选择寄送费用由谁承担。"]}
    assert [(e.sheet, e.row, e.column, e.message) for e in in_import] == [
        ("属性配置", 2, "寄送费用承担", "已开启邮政寄送，请选择寄送费用由谁承担。")
    ]
    assert snapshot(sealed) == before


def test_a_print_slot_rule_refuses_the_same_in_the_form_and_the_importer(admin_client, superuser, sealed):
    before = snapshot(sealed)
    in_form = form_errors(admin_client, sealed, e_seal_enabled=False)
    in_import = import_errors(
        superuser, "属性配置", ["地区编码", "事项编码", "启用电子印章"], ["442000", "GS0101", "否"]
    )
    message = "业务办结单要求加盖电子印章，但本事项未启用电子印章。"
    assert in_form == {"print_completion_e_seal": [message]}
    assert [(e.row, e.message) for e in in_import] == [(2, message)]
    assert snapshot(sealed) == before


def test_a_mode_rule_refuses_the_same_in_the_form_and_the_importer(admin_client, superuser, reference_data):
    city = Region.objects.get(code="442000")
    local_matter_bind(region=city, matters=[Matter.objects.get(code="GS0301")], user=superuser)
    local = LocalMatter.objects.get(region=city, matter__code="GS0301")
    before = snapshot(local)
    in_form = form_errors(admin_client, local, distribution_mode="province")
    in_import = import_errors(
        superuser,
        "事项绑定",
        ["地区编码", "事项编码", "分发模式", "办理时限", "业务审核级别"],
        ["442000", "GS0301", "全省模式", 20, "二级"],
    )
    assert list(in_form) == ["distribution_mode"]
    assert [(e.column, e.message) for e in in_import] == [("分发模式", in_form["distribution_mode"][0])]
    assert snapshot(local) == before


def test_a_copy_between_cities_is_judged_by_the_same_rules(superuser, sealed):
    """The copy path saves through the same service: an e-seal slot without the e-seal is refused there too."""
    from django.core.exceptions import ValidationError

    from config_center.drafts.selectors import local_matter_snapshot, local_matters_with_config
    from config_center.drafts.services import local_matter_apply_snapshot

    data = local_matter_snapshot(local_matters_with_config().get(pk=sealed.pk))
    data["properties"] = {**data["properties"], "e_seal_enabled": False, "e_seal_code": ""}
    with pytest.raises(ValidationError) as refused:
        local_matter_apply_snapshot(
            region=Region.objects.get(code="440100"),
            matter=sealed.matter,
            snapshot=data,
            user=superuser,
            reason="t",
        )
    assert "业务办结单要求加盖电子印章，但本事项未启用电子印章。" in refused.value.messages
    assert not LocalMatter.objects.filter(region__code="440100", matter=sealed.matter).exists()
