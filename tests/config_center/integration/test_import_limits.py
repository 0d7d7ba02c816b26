"""Imports within limits: what a hostile or careless file may cost is bounded, and every refusal is Chinese,
names the limit, and comes quickly (issue 11, found by breaking main)."""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
import tablib
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from config_center.drafts.models import LocalMatter
from config_center.workbook import ImportFileError, config_import, read_file

pytestmark = pytest.mark.django_db

BINDING_HEADERS = ["地区编码", "事项编码", "分发模式", "办理时限", "业务审核级别", "状态"]
BINDING_ROW = ["442000", "GS0101", "本地模式", 20, "二级", "有效"]
SMALL = {"max_file_bytes": 64 * 1024, "max_unpacked_bytes": 256 * 1024, "max_rows": 10, "max_cell_chars": 100}


def xlsx(path, rows, title="事项绑定"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_cell_at_the_last_column_and_row_does_not_inflate_the_sheet(reference_data, superuser, tmp_path):
    """On main a 5 KB file with one cell at XFD1048576 padded every row to 16,384 columns (23.6 GB RSS)."""
    path = tmp_path / "far.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "事项绑定"
    sheet.append(BINDING_HEADERS)
    sheet.append(BINDING_ROW)
    sheet["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 20_000

    tracemalloc.start()
    started = time.monotonic()
    report = config_import(read_file(path), user=superuser)
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.ok, report.errors
    assert LocalMatter.objects.filter(region__code="442000", matter__code="GS0101").exists()
    assert elapsed < 10 and peak < 100 * 1024 * 1024, (elapsed, peak)


@override_settings(IMPORT_LIMITS=SMALL)
def test_a_file_over_the_size_limit_is_refused_at_once_naming_the_limit(reference_data, tmp_path):
    path = tmp_path / "事项绑定.csv"
    path.write_text(",".join(BINDING_HEADERS) + "\n" + ("442000,GS0101,本地模式,20,二级,有效\n" * 3000))
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command("import_config", str(path))
    assert time.monotonic() - started < 2
    assert "超过 64 KB 的上限" in str(refused.value)
    assert not LocalMatter.objects.exists()


@override_settings(IMPORT_LIMITS=SMALL)
def test_rows_over_the_limit_are_refused_from_the_real_content(reference_data, superuser, tmp_path):
    rows = [BINDING_HEADERS] + [["442000", f"GS01{n:02d}", "本地模式", 20, "二级", "有效"] for n in range(11)]
    report = config_import(read_file(xlsx(tmp_path / "many.xlsx", rows)), user=superuser)
    assert [e.message for e in report.errors] == [
        "工作表“事项绑定”的数据超过 10 行的上限；请分成几个文件导入。"
    ]
    assert not LocalMatter.objects.exists()


@override_settings(IMPORT_LIMITS=SMALL)
def test_a_workbook_that_unpacks_beyond_the_limit_is_refused(reference_data, tmp_path):
    """On main one 100 MB shared string in a 107 KB file was read, then echoed whole in the error."""
    path = xlsx(tmp_path / "bomb.xlsx", [BINDING_HEADERS, BINDING_ROW])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "x" * 1_000_000 + "</sst>")
    assert path.stat().st_size < SMALL["max_file_bytes"]
    with pytest.raises(ImportFileError, match="解压后有 .*超过 256 KB 的上限"):
        read_file(path)


@override_settings(IMPORT_LIMITS=SMALL)
def test_a_cell_too_long_is_a_row_error_that_repeats_only_the_start_of_the_value(
    reference_data, superuser, tmp_path
):
    path = xlsx(
        tmp_path / "long.xlsx",
        [BINDING_HEADERS, ["442000", "GS0101", "本地模式" + "长" * 5000, 20, "二级", "有效"]],
    )
    report = config_import(read_file(path), user=superuser)
    [error] = [e for e in report.errors if "上限" in e.message]
    assert (error.sheet, error.row, error.column) == ("事项绑定", 2, "分发模式")
    assert "超过每格 100 个字符的上限" in error.message and len(error.message) < 200
    assert not LocalMatter.objects.exists()


def test_an_unknown_sheet_is_refused_without_reading_its_rows(reference_data, superuser, tmp_path):
    path = tmp_path / "未知的表.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("a,b\n")
        for n in range(200_000):
            handle.write(f"{n},{n}\n")
    started = time.monotonic()
    report = config_import(read_file(path), user=superuser)
    assert time.monotonic() - started < 2
    assert [e.sheet for e in report.errors] == ["未知的表"] and "无法识别的工作表" in report.errors[0].message


def test_bad_files_get_chinese_messages_not_tracebacks(tmp_path):
    random_bytes = tmp_path / "random.xlsx"
    random_bytes.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ImportFileError, match="不是有效的 .xlsx 工作簿"):
        read_file(random_bytes)
    not_a_workbook = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFileError, match="不是有效的 .xlsx 工作簿"):
        read_file(not_a_workbook)
    utf16 = tmp_path / "事项绑定.csv"
    utf16.write_text(",".join(BINDING_HEADERS), encoding="utf-16")
    with pytest.raises(ImportFileError, match="UTF-16"):
        read_file(utf16)


def test_a_gbk_csv_as_excel_saves_it_on_chinese_windows_is_read(reference_data, superuser, tmp_path):
    path = tmp_path / "事项绑定.csv"
    path.write_bytes(
        (",".join(BINDING_HEADERS) + "\r\n" + ",".join(map(str, BINDING_ROW)) + "\r\n").encode("gbk")
    )
    report = config_import(read_file(path), user=superuser)
    assert report.ok, report.errors
    assert LocalMatter.objects.get(region__code="442000", matter__code="GS0101").distribution_mode == "local"


def test_duplicate_headers_and_hidden_sheets_are_refused(tmp_path):
    with pytest.raises(ImportFileError, match="表头“办理时限”出现了两次"):
        read_file(xlsx(tmp_path / "dup.xlsx", [[*BINDING_HEADERS, "办理时限"], [*BINDING_ROW, 30]]))
    book = openpyxl.Workbook()
    book.active.title = "事项绑定"
    book.active.append(BINDING_HEADERS)
    hidden = book.create_sheet("材料清单")
    hidden.sheet_state = "hidden"
    book.save(tmp_path / "hidden.xlsx")
    with pytest.raises(ImportFileError, match="工作表“材料清单”是隐藏的"):
        read_file(tmp_path / "hidden.xlsx")


@override_settings(IMPORT_LIMITS=SMALL)
def test_the_admin_refuses_an_upload_over_the_limit_in_chinese(admin_client, reference_data):
    data = io.BytesIO(
        (",".join(BINDING_HEADERS) + "\n" + "442000,GS0101,本地模式,20,二级,有效\n" * 3000).encode()
    )
    data.name = "bindings.csv"
    response = admin_client.post(
        "/admin/config_center/localmatter/import/",
        {"resource": "0", "format": "1", "import_file": data},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert errors == ["文件有 129 KB，超过 64 KB 的上限；请分成几个文件导入。"]
    assert not LocalMatter.objects.exists()


def test_the_admin_reads_a_broken_upload_with_a_chinese_message(admin_client, reference_data):
    data = io.BytesIO(bytes(range(256)) * 10)
    data.name = "bindings.xlsx"
    response = admin_client.post(
        "/admin/config_center/localmatter/import/",
        {"resource": "0", "format": "0", "import_file": data},
    )
    page = response.content.decode()
    assert "不是有效的 .xlsx 工作簿" in page and "Traceback" not in page and "BadZipFile" not in page


def test_a_dataset_given_directly_goes_through_the_same_checks(reference_data, superuser):
    dataset = tablib.Dataset(BINDING_ROW, headers=[*BINDING_HEADERS[:-1], "办理时限"])
    with pytest.raises(ImportFileError, match="出现了两次"):
        config_import({"事项绑定": dataset}, user=superuser)


def admin_import(admin_client, dataset: tablib.Dataset):
    data = io.BytesIO(dataset.export("csv").encode())
    data.name = "bindings.csv"
    response = admin_client.post(
        "/admin/config_center/localmatter/import/", {"resource": "0", "format": "1", "import_file": data}
    )
    assert response.status_code == 200
    return response


def test_the_admin_names_missing_columns_without_a_traceback(admin_client, reference_data):
    response = admin_import(admin_client, tablib.Dataset(["442000", "GS0101"], headers=["城市", "事项"]))
    [error] = response.context["result"].base_errors
    assert (error.error, error.traceback) == ("事项绑定缺少列：地区编码、事项编码", "")
    page = response.content.decode()
    assert "Traceback" not in page and "[&#x27;" not in page


def test_the_admin_reports_rows_as_the_spreadsheet_numbers_them_with_chinese_columns(
    admin_client, reference_data
):
    rows = tablib.Dataset(
        BINDING_ROW, ["442000", "GS0104", "本地模式", 0, "二级", "有效"], headers=BINDING_HEADERS
    )
    [invalid] = admin_import(admin_client, rows).context["result"].invalid_rows
    assert invalid.number == 3  # the header is row 1, as import_config counts
    assert list(invalid.field_specific_errors) == ["办理时限"]


def test_an_empty_region_cell_says_it_is_empty(reference_data, tmp_path, client):
    from django.contrib.auth import get_user_model

    from catalog.models import Region
    from permissions.models import Role
    from permissions.services import assignment_create

    user = get_user_model().objects.create_user("zs_admin", password="pw-for-tests")
    assignment_create(
        user=user, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code="442000")
    )
    report = config_import(
        {"事项绑定": tablib.Dataset(["", *BINDING_ROW[1:]], headers=BINDING_HEADERS)}, user=user
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "地区编码", "地区编码不能为空。")]


def test_a_formula_without_a_saved_value_is_named_as_such(reference_data, superuser, tmp_path):
    """On main it read as an empty cell: “此字段不能为空” or “”不是整数”."""
    path = xlsx(
        tmp_path / "formula.xlsx",
        [BINDING_HEADERS, ["442000", "GS0101", "本地模式", "=10+10", "二级", "有效"]],
    )
    report = config_import(read_file(path), user=superuser)
    [error] = report.errors
    assert (error.row, error.column) == (2, "办理时限")
    assert (
        error.message
        == "是公式（=10+10），但文件中没有保存它的计算结果；请在 Excel 中打开并保存后再导入，或直接填写数值。"
    )
    assert not LocalMatter.objects.exists()


def test_a_broken_csv_gets_a_chinese_message(tmp_path):
    path = tmp_path / "事项绑定.csv"
    path.write_text(",".join(BINDING_HEADERS) + '\n442000,"' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="csv 文件中有单元格超过"):
        list(read_file(path)["事项绑定"].rows())
