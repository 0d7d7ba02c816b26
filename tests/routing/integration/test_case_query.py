"""业务状态查询 through the admin (issue 14, 003 附件 4): every condition filters, the scope (a city sees what
it accepted or handles, the province everything), masking in the list, 详情, 追踪 and the export (full data
only with the capability), the export's contents, bad conditions refused in words, and a page whose query
count does not grow with its rows."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Agency, Region
from core.masking import mask_id_number, mask_name
from permissions.models import Role
from permissions.services import assignment_create
from routing import states
from routing.admin import case_export
from routing.admin.case_rows import OptionalUrls
from routing.models import ArchiveStatus, Case, Evaluation
from routing.services import Applicant, Employer, case_scan, task_acquire, task_complete
from tests.factories.cases import (
    GS0101_MAIN,
    GUANGZHOU_AGENCY,
    ZHONGSHAN_AGENCY,
    accept,
    id_card,
    publish_demo,
    staff,
)

pytestmark = pytest.mark.django_db

URL = "admin:routing_cases"
EXPORT = "admin:routing_cases_export"


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "zs": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "gz": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
        "province": staff("gd_supervisor", "supervisor", region="440000"),
        "zs_first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "zs_second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
    }


@pytest.fixture
def three(people):
    """A 中山 case, a 广州-only case, and a remote case accepted in 广州 for a person insured in 中山."""
    zs = accept(people["zs"])
    gz = accept(
        people["gz"],
        accepting_agency=GUANGZHOU_AGENCY,
        insured_agency=GUANGZHOU_AGENCY,
        applicant=Applicant(name="陈明", id_number=id_card("44010019850202123")),
    )
    remote = accept(
        people["gz"],
        accepting_agency=GUANGZHOU_AGENCY,
        insured_agency=ZHONGSHAN_AGENCY,
        applicant=Applicant(name="欧阳修", id_number=id_card("44200019800303123")),
    )
    return {"zs": zs, "gz": gz, "remote": remote}


def full_data_user(username: str = "zs_full"):
    """A 中山 clerk whose role also holds 查看完整个人信息."""
    role = Role.objects.create(name="综合柜员（可看完整信息）", code="clerk_full", allow_agency=True)
    role.permissions.set(Role.objects.get(code="clerk").permissions.all())
    role.permissions.add(Permission.objects.get(codename="view_full_case_data"))
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    assignment_create(user=user, role=role, agency=Agency.objects.get(code=ZHONGSHAN_AGENCY))
    return user


def listed(client, user, **params) -> list[str]:
    client.force_login(user)
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    assert response.context["form"].is_valid(), response.context["form"].errors
    return [row.case.receipt_no for row in response.context["rows"]]


def exported(client, user, **params):
    client.force_login(user)
    response = client.get(reverse(EXPORT), params)
    assert response.status_code == 200, response.content[:300]
    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    return book


# ---- scope -------------------------------------------------------------------------------------------------
def test_a_city_sees_what_it_accepted_or_handles_and_the_province_sees_all(client, people, three):
    zs, gz, remote = three["zs"], three["gz"], three["remote"]
    assert remote.remote and remote.handling_agency.code == ZHONGSHAN_AGENCY
    assert remote.accepting_agency.code == GUANGZHOU_AGENCY
    assert set(listed(client, people["zs"])) == {zs.receipt_no, remote.receipt_no}
    assert set(listed(client, people["gz"])) == {gz.receipt_no, remote.receipt_no}
    assert set(listed(client, people["province"])) == {zs.receipt_no, gz.receipt_no, remote.receipt_no}


def test_a_foreign_agency_or_region_selects_only_what_the_scope_already_gives(client, people, three):
    zs_user = people["zs"]
    # 受理机构 = 广州: the remote case 广州 accepted for 中山, never the 广州-only case.
    assert listed(client, zs_user, accepting_agency=GUANGZHOU_AGENCY) == [three["remote"].receipt_no]
    assert listed(client, zs_user, handling_agency=GUANGZHOU_AGENCY) == []
    assert listed(client, zs_user, handling_region="440100") == []
    assert listed(client, zs_user, receipt_no=three["gz"].receipt_no) == []


def test_a_foreign_case_is_not_found_on_detail_and_trace(client, people, three):
    client.force_login(people["zs"])
    for name in ("admin:routing_case_detail", "admin:routing_case_trace"):
        assert client.get(reverse(name, args=[three["gz"].receipt_no])).status_code == 404
        assert client.get(reverse(name, args=[three["remote"].receipt_no])).status_code == 200
        assert client.get(reverse(name, args=["12345"])).status_code == 404
        assert client.get(reverse(name, args=["２" * 16])).status_code == 404  # full-width digits


def test_the_screen_is_in_its_menu_group_and_refused_without_the_permission(
    client, people, django_user_model
):
    client.force_login(people["zs"])
    menu = client.get(reverse("admin:menu_group", kwargs={"group": "status"}))
    assert reverse(URL) in menu.content.decode()
    nobody = django_user_model.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(reverse(URL)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403


# ---- every condition -------------------------------------------------------------------------------------
@pytest.fixture
def varied(people):
    """Cases that differ in one condition each from the first (all accepted in 中山)."""
    clerk = people["zs"]
    base = accept(clerk, applicant=Applicant(name="黄林", id_number=id_card(), person_code="P001"))
    other = accept(
        clerk,
        matter="GS0104",
        channel="web",
        received=GS0101_MAIN[:3],
        applicant=Applicant(name="李四", id_number=id_card("44200019920505123"), person_code="P002"),
        employer=Employer(code="E442000002", name="另一家公司"),
    )
    incomplete = accept(
        clerk, received=["CL009"], applicant=Applicant(name="王五", id_number=id_card("44200019930606123"))
    )
    case_scan(receipt_no=other.receipt_no, user=clerk, defer=True)
    Case.objects.filter(pk=base.pk).update(
        archive_status=ArchiveStatus.PAPER,
        evaluation=Evaluation.SATISFIED,
        accepted_at=timezone.make_aware(datetime.datetime(2024, 1, 10, 9, 0)),
        deadline=timezone.localdate() - datetime.timedelta(days=1),  # 超期
    )
    Case.objects.filter(pk=incomplete.pk).update(deadline=timezone.localdate() + datetime.timedelta(days=60))
    return {
        name: Case.objects.get(pk=case.pk)
        for name, case in (("base", base), ("other", other), ("incomplete", incomplete))
    }


def test_every_condition_filters(client, people, varied):
    base, other, incomplete = varied["base"], varied["other"], varied["incomplete"]
    clerk = people["zs"]
    everything = {base.receipt_no, other.receipt_no, incomplete.receipt_no}
    assert set(listed(client, clerk)) == everything
    today = timezone.localdate()
    cases = {
        "receipt_no": (base.receipt_no, {base}),
        "serial_no": (other.serial_no, {other}),
        "person_code": ("P002", {other}),
        "matter": ("GS0104", {other}),
        "id_number": (base.id_number.lower(), {base}),  # 证件号 compared upper-case (x → X)
        "name": (" 王五 ", {incomplete}),  # the name as stored: trimmed, compared whole
        "employer_code": ("E442000002", {other}),
        "accepting_agency": (ZHONGSHAN_AGENCY, {base, other, incomplete}),
        "channel": ("web", {other}),
        "accepted_from": (today.isoformat(), {other, incomplete}),
        "accepted_to": ("2024-01-10", {base}),
        "archive_status": (ArchiveStatus.PAPER, {base}),
        "status": (states.PENDING_CORRECTION, {incomplete}),
        "accepting_region": ("442000", {base, other, incomplete}),
        "handling_region": ("440100", set()),
        "scan_status": ("deferred", {other}),
        "handling_agency": (ZHONGSHAN_AGENCY, {base, other, incomplete}),
        "evaluation": (Evaluation.SATISFIED, {base}),
        "warning": ("overdue", {base}),
    }
    from routing.admin.case_query_form import CaseQueryForm

    assert set(cases) == set(CaseQueryForm.base_fields), "a condition of the form has no test"
    for name, (value, expected) in cases.items():
        found = set(listed(client, clerk, **{name: value}))
        assert found == {case.receipt_no for case in expected}, name
    # 业务名称 by name too, and the dates together (one day)
    assert set(listed(client, clerk, matter="工伤医疗费")) >= {base.receipt_no, incomplete.receipt_no}
    one_day = {"accepted_from": "2024-01-10", "accepted_to": "2024-01-10"}
    assert listed(client, clerk, **one_day) == [base.receipt_no]
    assert set(listed(client, clerk, warning="normal")) == {other.receipt_no, incomplete.receipt_no}
    assert listed(client, clerk, warning="near") == []


@pytest.mark.parametrize(
    "params, field, words",
    [
        ({"receipt_no": "22010914445465"}, "receipt_no", ["受理回执号：应为 16 位数字。"]),
        ({"receipt_no": "220109144454659a"}, "receipt_no", ["受理回执号：应为 16 位数字。"]),
        ({"receipt_no": "２" * 16}, "receipt_no", ["受理回执号：应为 16 位数字。"]),
        ({"id_number": "4420 0019"}, "id_number", ["证件号：只能包含字母、数字、括号和“-”。"]),
        ({"name": "黄" * 51}, "name", ["姓名：", "50"]),
        ({"serial_no": "x" * 25}, "serial_no", ["业务流水号：", "24"]),
        ({"matter": "没有这个事项"}, "matter", ["业务名称：没有名称或编码为“没有这个事项”的业务事项。"]),
        ({"matter": "工"}, "matter", []),  # a fragment of many names is fine while they are few
        ({"status": "nonsense"}, "status", ["流程状态：", "nonsense"]),
        ({"accepting_agency": "999999"}, "accepting_agency", ["受理机构：", "999999"]),
        ({"accepted_from": "2024-13-01"}, "accepted_from", ["受理开始：", "日期"]),
        (
            {"accepted_from": "2024-02-01", "accepted_to": "2024-01-01"},
            "accepted_to",
            ["受理结束：不能早于受理开始日期。"],
        ),
        ({"warning": "soon"}, "warning", ["预置状态：", "soon"]),
    ],
)
def test_a_bad_condition_is_refused_with_a_clear_error(client, people, params, field, words):
    client.force_login(people["zs"])
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    errors = response.context["form"].errors
    export = client.get(reverse(EXPORT), params)
    if not words:
        assert not errors and export.status_code == 200
        return
    assert list(errors) == [field]
    assert "rows" not in response.context
    page = response.content.decode()
    assert all(word in page for word in words), page[page.find("case-query-errors") :][:300]
    assert export.status_code == 400
    assert all(word in export.content.decode() for word in words)


# ---- masking and the export ------------------------------------------------------------------------------
def test_names_and_id_numbers_are_masked_in_the_list_detail_trace_and_export(client, people, three):
    zs = three["zs"]
    client.force_login(people["zs"])
    page = client.get(reverse(URL), {"receipt_no": zs.receipt_no}).content.decode()
    assert "黄**" in page and mask_id_number(zs.id_number) in page
    assert zs.id_number not in page and "黄林" not in page
    for name in ("admin:routing_case_detail", "admin:routing_case_trace"):
        text = client.get(reverse(name, args=[zs.receipt_no])).content.decode()
        assert "黄**" in text and zs.id_number not in text and "黄林" not in text, name
    remote = client.get(reverse(URL), {"receipt_no": three["remote"].receipt_no}).content.decode()
    assert mask_name("欧阳修") == "欧阳**" and "欧阳**" in remote
    sheet = exported(client, people["zs"], receipt_no=zs.receipt_no)["业务状态查询"]
    values = [cell.value for cell in sheet[2]]
    assert "黄**" in values and mask_id_number(zs.id_number) in values and zs.id_number not in values


def test_full_data_with_the_capability(client, three):
    zs, user = three["zs"], full_data_user()
    client.force_login(user)
    text = client.get(reverse(URL), {"receipt_no": zs.receipt_no}).content.decode()
    assert "黄林" in text and zs.id_number in text
    detail = client.get(reverse("admin:routing_case_detail", args=[zs.receipt_no])).content.decode()
    assert "黄林" in detail and zs.id_number in detail
    sheet = exported(client, user, receipt_no=zs.receipt_no)["业务状态查询"]
    values = [cell.value for cell in sheet[2]]
    assert "黄林" in values and zs.id_number in values


def test_the_export_holds_what_the_filter_selects_with_every_column(client, people, three):
    book = exported(client, people["zs"], accepting_agency=GUANGZHOU_AGENCY)
    sheet = book["业务状态查询"]
    rows = list(sheet.values)
    headers, body = rows[0], rows[1:]
    assert headers[:6] == ("受理回执号", "业务流水号", "业务编码", "业务名称", "姓名", "证件号码")
    assert "预警" in headers and "流程状态" in headers and "分管机构" in headers
    assert len(body) == 1
    record = dict(zip(headers, body[0], strict=True))
    remote = three["remote"]
    assert record["受理回执号"] == remote.receipt_no
    assert record["受理机构"] == remote.accepting_agency.name
    assert record["分管机构"] == remote.handling_agency.name
    assert record["流程状态"] == "已受理" and record["预警"] in ("正常", "临期", "超期")
    notes = dict(book["查询条件"].values)
    assert notes["导出行数"] == "1" and notes["受理机构"].startswith("广州")


def test_the_export_escapes_formulas_and_stops_at_its_limit(client, people, monkeypatch):
    clerk = people["zs"]
    for number in range(3):
        accept(clerk, employer=Employer(code=f"E{number}", name='=HYPERLINK("http://x")'))
    monkeypatch.setattr(case_export, "EXPORT_LIMIT", 2)
    book = exported(client, clerk)
    rows = list(book["业务状态查询"].values)
    assert len(rows) == 3  # the headers and two rows
    names = {row[rows[0].index("单位名称")] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://x")'}
    assert "已达上限" in dict(book["查询条件"].values)


# ---- 详情 and 追踪 ------------------------------------------------------------------------------------------
def test_the_detail_shows_every_field_materials_files_tasks_and_events(client, people, varied):
    incomplete = varied["incomplete"]
    client.force_login(people["zs"])
    response = client.get(reverse("admin:routing_case_detail", args=[incomplete.receipt_no]))
    labels = {
        label for _heading, lines in response.context["sections"] for line in lines for label, _v in line
    }
    shown_elsewhere = {
        "id",
        "version",
        "required_materials",
        "received_materials",
        "release_region",
        "release_number",
        "target_case",
        "target_agency",
    }
    for field in Case._meta.concrete_fields:
        if field.name not in shown_elsewhere:
            assert str(field.verbose_name) in labels, field.name
    assert "受理时的配置" in labels
    text = response.content.decode()
    assert [item["code"] for item in response.context["missing"]] == GS0101_MAIN[1:]
    assert "尚缺 4 项" in text and "待补正" in text
    assert "受理（材料不全，一次性告知）" in text  # the latest 追踪 entries


def test_the_trace_lists_every_step_with_statuses_who_and_opinion(client, people):
    clerk, first, second = people["zs"], people["zs_first"], people["zs_second"]
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    task = task_acquire(user=first, level=1)
    task_complete(user=first, task_id=task.pk, outcome="pass", opinion="材料齐全")
    task = task_acquire(user=second, level=2)
    task_complete(user=second, task_id=task.pk, outcome="pass", opinion="同意")
    client.force_login(clerk)
    response = client.get(reverse("admin:routing_case_trace", args=[case.receipt_no]))
    events = response.context["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("受理", "新建", "已受理"),
        ("后续扫描", "已受理", "已扫描"),
        ("获取初审任务", "已扫描", "已分配待初审"),
        ("初审通过", "已分配待初审", "已初审待复审"),
        ("获取复审任务", "已初审待复审", "已分配待复审"),
        ("复审通过（办结）", "已分配待复审", "已办结"),
    ]
    assert (
        events[0]["user"] == "zs_clerk"
        and events[3]["user"] == "zs_first"
        and events[5]["user"] == "zs_second"
    )
    assert events[3]["opinion"] == "材料齐全" and "中山" in events[0]["agency"]
    keys = {action.key for action in response.context["row"].actions}
    assert "routing_case_trace" not in {action.key for action in response.context["actions"]}  # not itself
    assert "routing_case_supplement" not in keys  # 办结: no 补扫
    if OptionalUrls("admin")("routing_case_completion", case.receipt_no):
        assert "routing_case_completion" in keys
    assert "材料齐全" in response.content.decode()


def test_row_actions_follow_the_status_and_only_link_registered_screens(client, people, varied):
    client.force_login(people["zs"])
    rows = {row.case.receipt_no: row for row in client.get(reverse(URL)).context["rows"]}
    keys = {receipt: {action.key for action in row.actions} for receipt, row in rows.items()}
    urls = OptionalUrls("admin")
    for row_keys in keys.values():
        assert {"routing_case_detail", "routing_case_trace"} <= row_keys
        assert all(urls(key, "0" * 16) for key in row_keys)
    incomplete = keys[varied["incomplete"].receipt_no]
    assert "routing_case_receipt" not in incomplete and "routing_case_completion" not in incomplete
    if urls("routing_case_correction_notice", "0" * 16):
        assert "routing_case_correction_notice" in incomplete
    if urls("routing_case_receipt", "0" * 16):
        assert "routing_case_receipt" in keys[varied["base"].receipt_no]
    assert urls("routing_no_such_screen", "0" * 16) is None


# ---- queries ---------------------------------------------------------------------------------------------
def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_for_1_and_40_cases(client, people):
    clerk, first = people["zs"], people["zs_first"]
    case = accept(clerk)
    client.force_login(clerk)
    url = reverse(URL)
    client.get(url)  # the theme is read once per process
    one = _queries(client, url)
    one_filtered = _queries(client, url, {"warning": "normal", "matter": "工伤"})
    one_detail = _queries(client, reverse("admin:routing_case_detail", args=[case.receipt_no]))
    one_trace = _queries(client, reverse("admin:routing_case_trace", args=[case.receipt_no]))
    one_export = _export_queries(client)
    for number in range(39):
        other = accept(clerk, received=["CL009"] if number % 3 == 0 else GS0101_MAIN)
        if number % 3 == 1:
            case_scan(receipt_no=other.receipt_no, user=clerk, defer=True)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    task_acquire(user=first, level=1, receipt_no=case.receipt_no)
    assert Case.objects.count() == 40
    assert len(client.get(url).context["rows"]) == 40
    assert _queries(client, url) == one
    assert _queries(client, url, {"warning": "normal", "matter": "工伤"}) == one_filtered
    assert _queries(client, reverse("admin:routing_case_detail", args=[case.receipt_no])) == one_detail
    assert _queries(client, reverse("admin:routing_case_trace", args=[case.receipt_no])) == one_trace
    assert _export_queries(client) == one_export


def _export_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(EXPORT))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    return len(captured)


def test_the_count_is_capped_and_pages_are_bounded(client, people, monkeypatch):
    from routing import search
    from routing.admin import cases as screen

    clerk = people["zs"]
    for _number in range(5):
        accept(clerk)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(screen, "PER_PAGE", 2)
    monkeypatch.setattr(screen, "MAX_PAGES", 2)
    client.force_login(clerk)
    response = client.get(reverse(URL), {"p": "9"})
    count = response.context["count"]
    assert count.value == 3 and count.more and not count.estimated
    assert "3+" in response.content.decode()
    assert response.context["page"] == 2 and response.context["clamped"]
    assert len(response.context["rows"]) == 2
    assert client.get(reverse(URL), {"p": "x"}).context["page"] == 1
    assert client.get(reverse(URL), {"p": "2", "status": "accepted"}).context["pages"] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_with_no_condition_postgresql_estimates_above_the_cap(client, people, monkeypatch):
    from routing import search

    clerk = people["zs"]
    for _number in range(4):
        accept(clerk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE routing_case")
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    client.force_login(clerk)
    count = client.get(reverse(URL)).context["count"]
    assert count.estimated and count.value > 2
    assert "估算" in client.get(reverse(URL)).content.decode()
    filtered = client.get(reverse(URL), {"status": "accepted"}).context["count"]
    assert (filtered.value, filtered.more, filtered.estimated) == (2, True, False)


def test_province_wide_regions_are_conditions_too(client, people, three):
    region = Region.objects.get(code="440000")
    assert listed(client, people["province"], accepting_region=region.code) == []
