"""Every part of a city's configuration goes through the workbook: export a city configured in every tab,
import the file into an empty console with only the reference data, publish — the same published
configuration and the same export (issue 13; on main the print slots, tags and 主流程方式 were lost)."""

import datetime

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Agency, Holiday, Material, Matter, Region
from config_center.drafts.models import LocalMatter, PrintTemplate, Tag
from config_center.drafts.services import local_matter_apply_snapshot
from config_center.project.demo import demo_data_load
from config_center.project.reference import reference_data_load_all
from config_center.releases.models import Release
from config_center.releases.services import release_publish
from config_center.workbook import config_export, config_import, read_file
from sms_templates.models import SmsTemplate, SmsTemplateCategory

CITIES = ("442000", "440100")


def _superuser():
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-for-tests-only")


def _configure_every_tab(user) -> None:
    """The demo's 中山 and 广州, plus one of everything the demo leaves empty."""
    demo_data_load(user)
    zhongshan = Region.objects.get(code="442000")
    Holiday.objects.create(date=datetime.date(2026, 10, 1), name="国庆节")
    Holiday.objects.create(date=datetime.date(2026, 10, 10), name="国庆节调休上班", is_workday_override=True)
    city_agency = Agency.objects.get(code="442000") if Agency.objects.filter(code="442000").exists() else None
    city_agency = city_agency or Agency.objects.get(region=zhongshan, kind=Agency.Kind.MUNICIPAL)
    Agency.objects.create(
        code="44200001",
        name="中山市石岐社保服务网点",
        region=zhongshan,
        parent=city_agency,
        kind=Agency.Kind.SERVICE_POINT,
    )
    Material.objects.create(code="CL901", name="中山市自定义材料", description="本市补充")
    new_matter = Matter.objects.create(
        code="GS0901",
        name="工伤待遇补充申领",
        category=Matter.objects.get(code="GS0101").category,
        joint_handling=True,
        default_time_limit_days=10,
    )
    new_matter.prerequisites.set(Matter.objects.filter(code__in=["GS0301", "GS0302"]))
    new_matter.conflicts.set(Matter.objects.filter(code="GS0305"))
    category = SmsTemplateCategory.objects.create(name="中山本地短信", region=zhongshan)
    SmsTemplate.objects.create(
        category=category, name="中山受理", function_code="ZS_SL_01", content="{XM}您好，您的业务已受理。"
    )
    PrintTemplate.objects.create(
        code="PT_ZS_BJD", name="中山业务办结单", document="completion", region=zhongshan
    )
    Tag.objects.create(code="SL_ZS", name="中山专窗", kind="acceptance")
    local = LocalMatter.objects.get(region=zhongshan, matter__code="GS0101")
    snapshot = {
        "flow_mode": "instant",
        "review_levels": 1,
        "time_limit_days": 7,
        "distribution_mode": "province",
        "properties": {
            "counter_scan_required": False,
            "post_enabled": True,
            "post_fee_payer": "agency",
            "hall_listed": True,
            "hall_item_code": "11440000MB2C92121X",
            "hall_online_depth": "3",
            "kiosk_accept": True,
            "e_seal_enabled": True,
            "e_seal_code": "ZS2026SEAL",
        },
        "checklists": {"counter": {"main": [{"material": "CL901", "name": "", "send_to_ministry": False}]}},
        "sms": {"accepted": "ZS_SL_01", "completed": "GS_BJ_01"},
        "prints": {
            "completion": {"template": "PT_ZS_BJD", "e_seal": True, "anti_forgery_code": True},
            "acceptance_receipt": {"template": "PT_SLHZ_01", "e_seal": True, "anti_forgery_code": False},
        },
        "tags": {"acceptance": ["SL_QSTB", "SL_ZS"], "review": ["SH_YNAJ"]},
    }
    local_matter_apply_snapshot(
        region=zhongshan, matter=local.matter, snapshot=snapshot, user=user, reason=""
    )
    LocalMatter.objects.create(region=zhongshan, matter=new_matter, time_limit_days=10)


def _publish(user) -> dict[str, dict]:
    published = {}
    for code in CITIES:
        release_publish(region=Region.objects.get(code=code), user=user, comment="往返测试")
        published[code] = Release.objects.filter(region__code=code).latest().snapshot
    return published


def _cells(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {name: [tuple(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


@pytest.mark.django_db(transaction=True)
def test_a_city_configured_in_every_tab_round_trips_through_the_workbook(tmp_path):
    reference_data_load_all()
    user = _superuser()
    _configure_every_tab(user)
    before = _publish(user)
    [exported] = config_export(tmp_path / "before.xlsx")

    call_command("flush", interactive=False, verbosity=0)
    reference_data_load_all()
    user = _superuser()
    assert not LocalMatter.objects.exists()

    report = config_import(read_file(exported), user=user)
    assert report.ok, [str(error) for error in report.errors]
    after = _publish(user)
    [again] = config_export(tmp_path / "after.xlsx")

    assert after == before
    assert before["442000"]["GS0101"]["prints"]["completion"] == {
        "template": "PT_ZS_BJD",
        "e_seal": True,
        "anti_forgery_code": True,
    }
    assert before["442000"]["GS0101"]["tags"] == {"acceptance": ["SL_QSTB", "SL_ZS"], "review": ["SH_YNAJ"]}
    assert before["442000"]["GS0101"]["flow_mode"] == "instant"
    assert _cells(again) == _cells(exported)


@pytest.mark.django_db(transaction=True)
def test_importing_the_export_again_changes_nothing(tmp_path):
    reference_data_load_all()
    user = _superuser()
    _configure_every_tab(user)
    [exported] = config_export(tmp_path / "config.xlsx")
    report = config_import(read_file(exported), user=user)
    assert report.ok, [str(error) for error in report.errors]
    changed = {
        sheet: counts
        for sheet, counts in report.counts.items()
        if counts["新增"] or counts["修改"] or counts["删除"]
    }
    assert changed == {}


@pytest.mark.django_db
def test_a_new_row_before_a_stored_one_finds_the_stored_one(reference_data, superuser):
    """A sheet saved row by row: a new row first must not hide the stored rows that follow (PostgreSQL exports
    NULL region codes last, so a city's new category came before the province's stored one and was re-created)."""
    import tablib

    categories = tablib.Dataset(
        ("中山本地短信", "442000", 100), ("工伤待遇保险", "", 100), headers=["分类名称", "地区编码", "排序"]
    )
    report = config_import({"短信模板大类": categories}, user=superuser)
    assert report.ok, [str(error) for error in report.errors]
    counts = report.counts["短信模板大类"]
    assert counts["新增"] == 1 and counts["修改"] + counts["未变"] == 1
    from sms_templates.models import SmsTemplateCategory

    assert SmsTemplateCategory.objects.filter(name="工伤待遇保险").count() == 1
