"""The 待遇项目 / 待遇标准 sheets and the reference standards: a round trip changes nothing, edits are written with
their history, periods are judged on the final state, every bad cell is reported by row and column (issue 16)."""

import datetime
from decimal import Decimal

import pytest
import tablib

from config_center.project.reference import reference_data_load_all
from config_center.workbook import config_import
from core.registry import registry
from routing.benefits.models import Benefit, BenefitStandard
from routing.benefits.services import benefit_compute

pytestmark = pytest.mark.django_db

BENEFITS, STANDARDS = "待遇项目", "待遇标准"


def _resource(name: str):
    [sheet] = [sheet for sheet in registry.sheets if sheet.name == name]
    return sheet.resource()


def _exported(name: str) -> tuple[list[str], list[tuple]]:
    headers, rows = _resource(name).export_rows()
    return headers, list(rows)


def _sheet(name: str, rows, headers=None) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=headers or _exported(name)[0])


def _history() -> tuple[int, int]:
    return Benefit.history.count(), BenefitStandard.history.count()


def _errors(report) -> list[tuple]:
    return [(error.sheet, error.row, error.column, error.message) for error in report.errors]


def test_the_reference_standards_are_exported_as_people_read_them(reference_data):
    headers, rows = _exported(STANDARDS)
    assert headers == ["待遇编码", "伤残等级", "月数", "生效日期", "失效日期"]
    assert len(rows) == 22
    assert ("YCXSCBZJ", "十级", "7", "2011-01-01", "") in rows
    assert ("YCXSCJYBZJ", "五级", "50", "2012-01-01", "") in rows
    headers, rows = _exported(BENEFITS)
    assert headers == ["待遇编码", "待遇名称", "适用范围", "依据", "依据原文"]
    assert [row[:3] for row in rows] == [
        ("YCXGSYLBZJ", "一次性工伤医疗补助金", "广东省"),
        ("YCXSCBZJ", "一次性伤残补助金", "国家"),
        ("YCXSCJYBZJ", "一次性伤残就业补助金", "广东省"),
    ]


def test_importing_the_export_again_changes_nothing_and_writes_no_history(reference_data, superuser):
    before = _history()
    sheets = {name: _sheet(name, _exported(name)[1]) for name in (BENEFITS, STANDARDS)}
    report = config_import(sheets, user=superuser)
    assert report.ok, _errors(report)
    assert report.counts[STANDARDS] == {"新增": 0, "修改": 0, "删除": 0, "未变": 22}
    assert report.counts[BENEFITS]["未变"] == 3
    assert _history() == before


def test_a_changed_row_is_written_with_the_importing_user_and_reason(reference_data, superuser):
    rows = [("YCXSCBZJ", "10", "7.5", "2011/1/1", ""), ("YCXSCBZJ", "九级", "9", "2011-01-01", "")]
    report = config_import({STANDARDS: _sheet(STANDARDS, rows)}, user=superuser)
    assert report.ok, _errors(report)
    assert report.counts[STANDARDS] == {"新增": 0, "修改": 1, "删除": 0, "未变": 1}
    standard = BenefitStandard.objects.get(benefit__code="YCXSCBZJ", grade=10)
    latest = standard.history.latest()
    assert (standard.months, latest.history_user, latest.history_change_reason) == (
        Decimal("7.5"),
        superuser,
        "导入",
    )


def test_a_new_benefit_and_its_standards_in_one_workbook(reference_data, superuser):
    benefits = [("TEST01", "测试一次性补助金", "广东省", "测试依据", "")]
    standards = [("TEST01", "十级", "2.5", "2020-01-01", "2029-12-31")]
    report = config_import(
        {BENEFITS: _sheet(BENEFITS, benefits), STANDARDS: _sheet(STANDARDS, standards)}, user=superuser
    )
    assert report.ok, _errors(report)
    answer = benefit_compute(
        benefit="测试一次性补助金", grade=10, monthly_wage="1000", on=datetime.date(2029, 12, 31)
    )
    assert answer.amount == Decimal("2500.00")
    assert answer.rule.endswith("（依据测试依据，2020-01-01 至 2029-12-31 执行）")


def test_an_overlapping_period_is_reported_at_its_row_and_nothing_is_written(reference_data, superuser):
    before = (_history(), BenefitStandard.objects.count())
    rows = [("YCXSCBZJ", "九级", "9", "2011-01-01", ""), ("YCXSCBZJ", "十级", "8", "2027-01-01", "")]
    report = config_import({STANDARDS: _sheet(STANDARDS, rows)}, user=superuser)
    assert _errors(report) == [
        (
            STANDARDS,
            3,
            "生效日期",
            "一次性伤残补助金 · 十级：十级伤残已有标准（2011-01-01 起执行），有效期不能重叠。",
        )
    ]
    assert (_history(), BenefitStandard.objects.count()) == before


@pytest.mark.parametrize("order", [1, -1], ids=["old-first", "new-first"])
def test_a_file_may_end_a_period_and_start_the_next_in_any_row_order(reference_data, superuser, order):
    rows = [
        ("YCXSCBZJ", "十级", "7", "2011-01-01", "2026-12-31"),
        ("YCXSCBZJ", "十级", "8", "2027-01-01", ""),
    ]
    report = config_import({STANDARDS: _sheet(STANDARDS, rows[::order])}, user=superuser)
    assert report.ok, _errors(report)
    assert report.counts[STANDARDS] == {"新增": 1, "修改": 1, "删除": 0, "未变": 0}
    on = {
        day: benefit_compute(benefit="YCXSCBZJ", grade=10, monthly_wage="100", on=day).months
        for day in ("2026-12-31", "2027-01-01")
    }
    assert on == {"2026-12-31": Decimal("7"), "2027-01-01": Decimal("8")}


def test_every_bad_cell_is_reported_by_row_and_column(reference_data, superuser):
    before = (_history(), BenefitStandard.objects.count())
    rows = [
        ("YCXSCBZJ", "十一级", "7", "2011-01-01", ""),
        ("NOPE", "十级", "7", "2011-01-01", ""),
        ("YCXSCBZJ", "九级", "abc", "2011-01-01", ""),
        ("YCXSCBZJ", "八级", "0", "2011-01-01", ""),
        ("YCXSCBZJ", "七级", "13.125", "2011-01-01", ""),
        ("YCXSCBZJ", "六级", "16", "2011-01-01", "2010-01-01"),
        ("YCXSCBZJ", "五级", "18", "明天", ""),
    ]
    report = config_import({STANDARDS: _sheet(STANDARDS, rows)}, user=superuser)
    found = {(row, column): message for _sheet_name, row, column, message in _errors(report)}
    assert (
        found[(2, "")]
        == "伤残等级“十一级”无效，可填：一级、二级、三级、四级、五级、六级、七级、八级、九级、十级"
    )
    assert found[(3, "待遇编码")] == "待遇编码 NOPE 不存在"
    assert found[(4, "月数")] == "月数“abc”不是数字"
    assert found[(5, "月数")] == "月数须大于 0 且不超过 999.99"
    assert found[(6, "月数")] == "月数最多两位小数"
    assert found[(7, "失效日期")] == "失效日期不能早于生效日期。"
    assert found[(8, "")] == "生效日期“明天”不是有效日期（请填写如 2026-10-01）"
    assert len(found) == 7
    assert (_history(), BenefitStandard.objects.count()) == before


def test_a_benefit_sheet_without_the_source_text_column_keeps_the_stored_text(reference_data, superuser):
    stored = Benefit.objects.get(code="YCXSCBZJ").source_text
    headers = ["待遇编码", "待遇名称", "适用范围", "依据"]
    row = ("YCXSCBZJ", "一次性伤残补助金", "国家", "《工伤保险条例》第三十七条")
    report = config_import({BENEFITS: _sheet(BENEFITS, [row], headers)}, user=superuser)
    assert report.ok, _errors(report)
    benefit = Benefit.objects.get(code="YCXSCBZJ")
    assert (benefit.basis, benefit.source_text) == ("《工伤保险条例》第三十七条", stored)


# ---- the reference standards ----------------------------------------------------------------------------
def test_the_reference_standards_are_the_issues(reference_data):
    months = {
        (code, grade): months
        for code, grade, months in BenefitStandard.objects.values_list("benefit__code", "grade", "months")
    }
    assert months == {
        **{
            ("YCXSCBZJ", g): Decimal(m)
            for g, m in zip(range(1, 11), (27, 25, 23, 21, 18, 16, 13, 11, 9, 7), strict=True)
        },
        **{("YCXGSYLBZJ", g): Decimal(m) for g, m in zip(range(5, 11), (10, 8, 6, 4, 2, 1), strict=True)},
        **{("YCXSCJYBZJ", g): Decimal(m) for g, m in zip(range(5, 11), (50, 40, 25, 15, 8, 4), strict=True)},
    }
    assert dict(Benefit.objects.values_list("code", "scope")) == {
        "YCXSCBZJ": "national",
        "YCXGSYLBZJ": "guangdong",
        "YCXSCJYBZJ": "guangdong",
    }


def test_loading_again_changes_nothing_and_never_reverts_an_edit(reference_data, superuser):
    standard = BenefitStandard.objects.get(benefit__code="YCXSCBZJ", grade=10)
    standard.valid_to = datetime.date(2026, 12, 31)
    standard.save()
    BenefitStandard.objects.create(
        benefit=standard.benefit, grade=10, months=Decimal("8"), valid_from=datetime.date(2027, 1, 1)
    )
    BenefitStandard.objects.filter(benefit__code="YCXGSYLBZJ", grade=5).delete()
    before = _history()
    report = reference_data_load_all()
    assert report.created == {"待遇标准": 1}  # only the deleted grade comes back
    assert BenefitStandard.objects.get(benefit__code="YCXGSYLBZJ", grade=5).months == Decimal("10")
    assert BenefitStandard.objects.get(pk=standard.pk).valid_to == datetime.date(2026, 12, 31)
    assert _history()[1] == before[1] + 1
    assert not reference_data_load_all().changed
