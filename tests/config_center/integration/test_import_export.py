"""Spreadsheet import and export of the configuration (command line, service and admin)."""

import io
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Region
from config_center.drafts.models import ChecklistItem, LocalMatter, SmsSlot
from config_center.workbook import config_export, config_import, read_file
from permissions.models import Assignment, Role
from permissions.services import assignment_create
from sms_templates.models import SmsTemplate

pytestmark = pytest.mark.django_db

BINDING_HEADERS = ["地区编码", "事项编码", "分发模式", "办理时限", "业务审核级别", "状态"]
ALL_SHEETS = [
    "行政区划",
    "节假日",
    "经办机构",
    "材料",
    "业务事项",
    "短信模板大类",
    "短信模板",
    "打印模板",
    "查询标签",
    "事项绑定",
    "属性配置",
    "材料清单",
    "短信配置",
    "打印配置",
    "标签",
    "岗位分配",
    "待遇项目",
    "待遇标准",
]
LIST_HEADERS = ["地区编码", "事项编码", "渠道", "材料类型", "排序", "材料编码", "名称", "是否发送部平台"]


def sheet(title, headers, rows):
    dataset = tablib.Dataset(*rows, headers=headers)
    dataset.title = title
    return dataset


def workbook(tmp_path: Path, *datasets) -> Path:
    path = tmp_path / "config.xlsx"
    path.write_bytes(tablib.Databook(list(datasets)).export("xlsx"))
    return path


def messy_bindings():
    return sheet(
        "事项绑定",
        BINDING_HEADERS,
        [
            (442000.0, "GS0101", "全省模式", "15", "二级", "有效"),
            ("４４２０００", " GS0104 ", "本地模式", 20.0, 1, "是"),
            ("", "", "", "", "", ""),  # a trailing blank row, as spreadsheets leave
        ],
    )


def messy_lists():
    return sheet(
        "材料清单",
        LIST_HEADERS,
        [
            ("442000", "GS0101", "柜台", "主材料", 1, "CL001", "", "Y"),
            ("442000", "GS0101", "counter", "主材料", 2, "CL003", "", "TRUE"),
            ("442000", "GS0101", "柜台", "辅助材料", 1, "CL022", "近亲属代办", "否"),
            ("442000", "GS0101", "柜台", "主材料", 2, "CL003", "", "TRUE"),  # an exact duplicate: harmless
            (None, None, None, None, None, None, None, None),
        ],
    )


def history_rows() -> int:
    return sum(m.history.count() for m in (LocalMatter, ChecklistItem, SmsSlot, SmsTemplate, Assignment))


def test_messy_workbook_imports_with_normalised_values(reference_data, tmp_path, superuser):
    report = config_import(read_file(workbook(tmp_path, messy_bindings(), messy_lists())), user=superuser)
    assert report.ok, [str(e) for e in report.errors]
    medical = LocalMatter.objects.get(region__code="442000", matter__code="GS0101")
    assert (medical.distribution_mode, medical.time_limit_days, medical.review_levels) == ("province", 15, 2)
    meal = LocalMatter.objects.get(region__code="442000", matter__code="GS0104")
    assert (meal.distribution_mode, meal.review_levels, meal.is_active) == ("local", 1, True)
    rows = list(
        medical.checklist_items.order_by("kind", "position").values_list(
            "kind", "material__code", "name", "send_to_ministry"
        )
    )
    assert rows == [
        ("auxiliary", "CL022", "近亲属代办", False),
        ("main", "CL001", "", True),
        ("main", "CL003", "", True),
    ]
    assert medical.history.first().history_change_reason == "导入"
    assert medical.history.first().history_user == superuser


def test_reimporting_an_unchanged_file_changes_nothing_and_writes_no_history(
    reference_data, tmp_path, superuser
):
    path = workbook(tmp_path, messy_bindings(), messy_lists())
    assert config_import(read_file(path), user=superuser).ok
    before = history_rows()
    report = config_import(read_file(path), user=superuser)
    assert report.ok
    assert report.counts["材料清单"]["新增"] == 0 and report.counts["材料清单"]["修改"] == 0
    assert history_rows() == before


def test_any_error_writes_nothing_and_every_error_is_reported_with_row_and_column(
    reference_data, tmp_path, superuser
):
    bad_bindings = sheet(
        "事项绑定",
        BINDING_HEADERS,
        [
            ("442000", "GS0101", "全省模式", "15", "二级", "有效"),  # fine on its own
            ("442000", "GS0301", "全省模式", "15", "二级", "有效"),  # not province-wide eligible
            ("442000", "GS9999", "本地模式", "15", "二级", "有效"),  # unknown matter
            ("442000", "GS0104", "本地模式", "999", "三级", "也许"),  # three bad cells
        ],
    )
    bad_lists = sheet(
        "材料清单", LIST_HEADERS, [("442000", "GS0101", "传真", "主材料", 1, "CL001", "", "是")]
    )
    report = config_import(read_file(workbook(tmp_path, bad_bindings, bad_lists)), user=superuser)
    assert not report.ok
    messages = [str(error) for error in report.errors]
    assert any(
        e.sheet == "事项绑定" and e.row == 3 and e.column == "分发模式" and "可全省通办" in e.message
        for e in report.errors
    ), messages
    assert any(e.row == 4 and "GS9999 不存在" in e.message for e in report.errors), messages
    row5 = {e.column for e in report.errors if e.sheet == "事项绑定" and e.row == 5}
    assert {"办理时限", "业务审核级别", "状态"} <= row5, messages
    assert any(e.sheet == "材料清单" and e.row == 2 and "传真" in e.message for e in report.errors), messages
    assert not LocalMatter.objects.exists()  # the valid first row was rolled back too


def test_conflicting_duplicate_rows_are_reported(reference_data, tmp_path, superuser):
    bindings = sheet(
        "事项绑定",
        BINDING_HEADERS,
        [
            ("442000", "GS0101", "本地模式", "15", "二级", "有效"),
            ("442000", "GS0101", "本地模式", "20", "二级", "有效"),
        ],
    )
    report = config_import(read_file(workbook(tmp_path, bindings)), user=superuser)
    assert [str(e) for e in report.errors] == ["事项绑定 第 3 行：与第 2 行是同一条记录，但内容不同"]


def test_a_city_administrator_cannot_import_rows_of_another_city(reference_data, tmp_path):
    admin = get_user_model().objects.create_user("zs", password="pw", is_staff=True)
    assignment_create(
        user=admin, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code="442000")
    )
    bindings = sheet(
        "事项绑定",
        BINDING_HEADERS,
        [
            ("442000", "GS0101", "本地模式", "15", "二级", "有效"),
            ("440100", "GS0101", "本地模式", "15", "二级", "有效"),
        ],
    )
    report = config_import(read_file(workbook(tmp_path, bindings)), user=admin)
    assert [(e.row, e.column) for e in report.errors] == [(3, "地区编码")]
    assert "无权导入440100" in report.errors[0].message
    assert not LocalMatter.objects.exists()


def test_lists_need_the_binding_first(reference_data, tmp_path, superuser):
    report = config_import(read_file(workbook(tmp_path, messy_lists())), user=superuser)
    assert any("尚未绑定事项 GS0101" in e.message for e in report.errors)


def test_dry_run_reports_counts_and_writes_nothing(reference_data, tmp_path, superuser):
    report = config_import(
        read_file(workbook(tmp_path, messy_bindings(), messy_lists())), user=superuser, dry_run=True
    )
    assert report.ok and report.counts["事项绑定"]["新增"] == 2
    assert not LocalMatter.objects.exists()


def test_sms_templates_and_slots_sheets(reference_data, tmp_path, superuser):
    templates = sheet(
        "短信模板",
        ["模板分类", "模板名称", "功能代码", "状态", "模板内容"],
        [
            ("工伤待遇保险", "新受理模板", "GS_NEW_01", "有效", "尊敬的 XM，您的YWMC已于SLSJ受理。"),
            ("新分类", "坏模板", "GS_BAD_01", "有效", "{ABC} 不是代码"),
        ],
    )
    report = config_import(read_file(workbook(tmp_path, templates)), user=superuser)
    assert [(e.row, e.column) for e in report.errors] == [(3, "模板内容")]
    assert "不是已登记的占位符代码" in report.errors[0].message
    templates = sheet("短信模板", templates.headers, [templates[0]])
    slots = sheet(
        "短信配置",
        ["地区编码", "事项编码", "短信环节", "功能代码"],
        [("442000", "GS0101", "受理短信", "GS_NEW_01"), ("442000", "GS0101", "办结短信", "GS_BJ_01")],
    )
    report = config_import(read_file(workbook(tmp_path, templates, messy_bindings(), slots)), user=superuser)
    assert report.ok, [str(e) for e in report.errors]
    assert dict(SmsSlot.objects.values_list("event", "template__function_code")) == {
        "accepted": "GS_NEW_01",
        "completed": "GS_BJ_01",
    }
    cleared = sheet("短信配置", slots.headers, [("442000", "GS0101", "办结短信", "")])
    assert config_import(read_file(workbook(tmp_path, cleared)), user=superuser).ok
    assert list(SmsSlot.objects.values_list("event", flat=True)) == ["accepted"]


def test_assignment_sheet_scopes_by_agency(reference_data, tmp_path, superuser):
    User = get_user_model()
    for name in ("clerk1", "super1"):
        User.objects.create_user(name, password="pw")
    assignments = sheet(
        "岗位分配",
        ["用户名", "岗位", "机构编码"],
        [
            ("clerk1", "综合柜员", "442099"),
            ("super1", "supervisor", 440099.0),
            ("ghost", "综合柜员", "442099"),
        ],
    )
    report = config_import(read_file(workbook(tmp_path, assignments)), user=superuser)
    assert [(e.row, e.column) for e in report.errors] == [(4, "用户名")]
    report = config_import(
        read_file(
            workbook(tmp_path, sheet("岗位分配", assignments.headers, [assignments[0], assignments[1]]))
        ),
        user=superuser,
    )
    assert report.ok
    assert set(Assignment.objects.values_list("user__username", "kind", "region__code")) == {
        ("clerk1", "agency", "442000"),
        ("super1", "province", "440000"),
    }


def test_export_round_trips_and_neutralises_formulas(reference_data, tmp_path, superuser):
    config_import(read_file(workbook(tmp_path, messy_bindings(), messy_lists())), user=superuser)
    ChecklistItem.objects.filter(kind="auxiliary").update(name='=HYPERLINK("x")')
    [path] = config_export(tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ALL_SHEETS
    rows = list(book["材料清单"].iter_rows(values_only=True))
    assert list(rows[0]) == LIST_HEADERS
    assert any(row[6] == '\'=HYPERLINK("x")' for row in rows)
    assert ("442000", "GS0101", "柜台", "主材料", 1, "CL001", None, "是") in [tuple(r) for r in rows]
    ChecklistItem.objects.filter(kind="auxiliary").update(name="近亲属代办")
    before = history_rows()
    [path] = config_export(tmp_path / "again.xlsx")
    assert config_import(read_file(path), user=superuser).ok
    assert history_rows() == before


def test_one_csv_per_table_import_and_export(reference_data, tmp_path, superuser):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "事项绑定.csv").write_text(messy_bindings().export("csv"), encoding="utf-8-sig")
    report = config_import(read_file(folder), user=superuser)
    assert report.ok and LocalMatter.objects.count() == 2
    written = config_export(tmp_path / "out")
    assert {p.name for p in written} == {f"{name}.csv" for name in ALL_SHEETS}


def test_import_command_exit_status_and_messages(reference_data, tmp_path, superuser, capsys):
    good = workbook(tmp_path, messy_bindings())
    call_command("import_config", str(good), "--dry-run")
    assert "检查通过" in capsys.readouterr().out and not LocalMatter.objects.exists()
    call_command("import_config", str(good), "--user", "root")
    assert LocalMatter.objects.count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        tablib.Databook(
            [sheet("事项绑定", BINDING_HEADERS, [("442000", "GS9999", "本地模式", 1, 1, "是")])]
        ).export("xlsx")
    )
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_config", str(bad))
    assert "GS9999 不存在" in capsys.readouterr().err
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("import_config", str(tmp_path / "x.txt"))


def test_unknown_sheet_and_missing_columns_are_reported(reference_data, tmp_path, superuser):
    report = config_import(
        read_file(
            workbook(tmp_path, sheet("杂项", ["a"], [("1",)]), sheet("事项绑定", ["地区编码"], [("442000",)]))
        ),
        user=superuser,
    )
    messages = [str(e) for e in report.errors]
    assert any("杂项" in m and "无法识别的工作表" in m for m in messages)
    assert any("缺少列：事项编码" in m for m in messages)


def test_admin_import_shows_the_dry_run_preview_then_imports(admin_client, reference_data):
    data = io.BytesIO(tablib.Databook([messy_bindings()]).export("xlsx"))
    data.name = "bindings.xlsx"
    url = reverse("admin:config_center_localmatter_import")
    response = admin_client.post(url, {"format": "0", "resource": "0", "import_file": data})
    assert response.status_code == 200
    page = response.content.decode()
    assert "GS0101" in page and "confirm" in page.lower()
    assert not LocalMatter.objects.exists()
    confirm_form = response.context["confirm_form"]
    response = admin_client.post(
        reverse("admin:config_center_localmatter_process_import"), confirm_form.initial, follow=True
    )
    assert response.status_code == 200
    assert LocalMatter.objects.count() == 2


def test_admin_export_is_scoped_to_the_users_city(client, reference_data, tmp_path, superuser):
    config_import(
        read_file(
            workbook(
                tmp_path,
                sheet(
                    "事项绑定",
                    BINDING_HEADERS,
                    [
                        ("442000", "GS0101", "本地模式", 15, 2, "是"),
                        ("440100", "GS0101", "本地模式", 15, 2, "是"),
                    ],
                ),
            )
        ),
        user=superuser,
    )
    admin = get_user_model().objects.create_user("zs", password="pw", is_staff=True)
    assignment_create(
        user=admin, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code="442000")
    )
    client.force_login(admin)
    response = client.post(
        reverse("admin:config_center_localmatter_export"),
        {
            "format": "1",
            "resource": "0",
            **{
                f"localmatterresource_{f}": "on"
                for f in (
                    "region",
                    "matter",
                    "distribution_mode",
                    "time_limit_days",
                    "review_levels",
                    "is_active",
                )
            },
        },
    )
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert "442000" in text and "440100" not in text
