import pytest
from django.core.management import call_command

from catalog.models import Agency, Channel, Material, Matter, Region

pytestmark = pytest.mark.django_db


def _history_rows() -> int:
    return sum(model.history.count() for model in (Region, Agency, Channel, Matter, Material))


def test_reference_data_has_the_province_its_21_cities_and_22_agencies():
    call_command("load_reference_data")
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 1
    assert Region.objects.filter(level=Region.Level.CITY, parent__code="440000").count() == 21
    assert Agency.objects.count() == 22
    zhongshan = Agency.objects.get(code="442099")
    assert zhongshan.region.name == "中山市"
    assert zhongshan.parent.code == "440099"
    assert zhongshan.parent.name == "广东省社会保险基金管理局"


def test_second_load_changes_nothing_and_writes_no_history(capsys):
    call_command("load_reference_data")
    counts = {model: model.objects.count() for model in (Region, Agency, Channel, Matter, Material)}
    history = _history_rows()
    capsys.readouterr()
    call_command("load_reference_data")
    assert "无变更" in capsys.readouterr().out
    assert {model: model.objects.count() for model in counts} == counts
    assert _history_rows() == history
    assert Region.objects.count() == 22 and Agency.objects.count() == 22


def test_channels_are_the_six_material_tabs_of_annex_3(reference_data):
    assert list(Channel.objects.values_list("code", "name")) == [
        ("counter", "柜台"),
        ("web", "网厅"),
        ("kiosk", "自助机"),
        ("app", "APP"),
        ("yss", "粤省事"),
        ("occupational", "职业伤害"),
    ]


def test_the_eleven_province_wide_matters_are_flagged(reference_data):
    eleven = {
        "工伤医疗费",
        "工伤康复费",
        "工伤辅助器具配置费",
        "住院伙食补助费",
        "工伤一次性医疗补助金",
        "伤残待遇核定",
        "工亡待遇核定",
        "银行信息变更（工伤）",
        "工伤市外转诊备案",
        "市外交通食宿费",
        "工伤异地居住（就医）备案",
    }
    flagged = set(Matter.objects.filter(province_wide=True).values_list("name", flat=True))
    assert flagged == eleven


def test_the_transfer_function_is_kept_but_not_province_wide(reference_data):
    transfer = Matter.objects.get(code="GS0401")
    assert transfer.name == "全省通办业务移交"
    assert transfer.is_active and not transfer.province_wide


def test_loading_again_unflags_a_matter_an_earlier_load_flagged_province_wide(reference_data):
    # A database loaded before GS0401 was corrected still holds it as 可全省通办.
    Matter.objects.filter(code="GS0401").update(province_wide=True)
    call_command("load_reference_data")
    transfer = Matter.objects.get(code="GS0401")
    assert not transfer.province_wide
    latest = transfer.history.latest()
    assert latest.province_wide is False and latest.history_change_reason == "参考数据更新"
    assert Matter.objects.filter(province_wide=True).count() == 11


def test_a_matter_in_both_seed_lists_is_one_row(reference_data):
    assert Matter.objects.filter(name__contains="住院伙食补助费").count() == 1
    meal = Matter.objects.get(name="住院伙食补助费")
    assert meal.province_wide and meal.joint_handling
    assert "住院伙食补助费申领" in meal.aliases
    assert Matter.objects.filter(joint_handling=True).count() == 15


def test_joint_handling_prerequisites_and_conflicts_are_loaded(reference_data):
    lump_sum = Matter.objects.get(code="GS0105")
    assert set(lump_sum.prerequisites.values_list("name", flat=True)) == {"工伤认定申请", "劳动能力鉴定申请"}
    assert list(lump_sum.conflicts.values_list("name", flat=True)) == ["旧伤复发申请确认"]


def test_the_death_benefit_determination_conflicts_with_each_separate_death_benefit_claim(reference_data):
    determination = Matter.objects.get(code="GS0107")
    assert determination.name == "工亡待遇核定"
    assert determination.province_wide and not determination.joint_handling
    claims = {"GS0109": "一次性工亡补助金", "GS0110": "丧葬补助金申领", "GS0111": "供养亲属抚恤金申领"}
    assert set(determination.conflicts.values_list("code", flat=True)) == {"GS0106", *claims}
    for code, name in claims.items():
        claim = Matter.objects.get(code=code)
        assert claim.name == name
        assert claim.joint_handling and not claim.province_wide
        # A conflict holds both ways: the claim sees the determination among the matters it conflicts with.
        assert claim.conflicted_by.filter(code="GS0107").exists()
    assert Matter.objects.filter(joint_handling=True).count() == 15


def test_seed_materials_are_in_the_catalog(reference_data):
    names = set(Material.objects.values_list("name", flat=True))
    assert {
        "工伤认定决定书",
        "劳动能力鉴定结论书",
        "医疗收费票据",
        "居民身份证",
        "银行账户资料",
        "病历资料",
        "诊断证明",
    } <= names
