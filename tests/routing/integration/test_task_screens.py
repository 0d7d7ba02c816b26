"""任务列表 through the test client (issue 14): the pools per level, 随机获取 / 指定获取, scope (a 广州 task is
not a 中山 reviewer's, the province's reviewers do not see 中山's pool), four eyes, 退回任务, the review form,
and fixed query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Agency
from permissions.models import Role
from permissions.services import assignment_create
from routing import states
from routing.models import Case, Task, TaskLevel, TaskStatus
from routing.services import case_correct, case_scan, task_acquire, task_complete
from tests.factories.cases import (
    GUANGZHOU_AGENCY,
    PROVINCIAL_AGENCY,
    ZHONGSHAN_AGENCY,
    accept,
    publish_demo,
    staff,
)

pytestmark = pytest.mark.django_db

LIST = "admin:routing_tasks"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "root": superuser,
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "first_b": staff("zs_first_b", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
    }


def scanned(clerk, *, uploads=(), **overrides) -> Case:
    """A case accepted (every material the checklist asks for) and scanned into its 初审 pool."""
    case = accept(clerk, **overrides)
    if case.status == states.PENDING_CORRECTION:
        case = case_correct(
            receipt_no=case.receipt_no, user=clerk, received=[m["code"] for m in case.missing_materials]
        )
    return case_scan(receipt_no=case.receipt_no, user=clerk, uploads=list(uploads), defer=not uploads)


def signed_in(client, user):
    client.force_login(user)
    return client


def acquire(client, level: int, receipt_no: str | None = None, *, follow: bool = False):
    data = {"level": level, "mode": "assigned" if receipt_no is not None else "random"}
    if receipt_no is not None:
        data["receipt_no"] = receipt_no
    return client.post(reverse(LIST), data, follow=follow)


def task_url(task) -> str:
    return reverse("admin:routing_task", args=[task.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# ---- levels and pools ---------------------------------------------------------------------------------------


def test_each_reviewer_sees_the_levels_their_roles_allow(client, people):
    scanned(people["clerk"])
    page = signed_in(client, people["first"]).get(reverse(LIST))
    assert page.status_code == 200
    assert [pool["name"] for pool in page.context["pools"]] == ["初审"]
    assert page.context["pools"][0]["count"] == 1
    page = signed_in(client, people["second"]).get(reverse(LIST))
    assert [pool["name"] for pool in page.context["pools"]] == ["复审"]
    assert page.context["pools"][0]["count"] == 0
    assert "没有可获取的任务" in page.content.decode()
    page = signed_in(client, people["root"]).get(reverse(LIST))
    assert [pool["level"] for pool in page.context["pools"]] == [TaskLevel.FIRST, TaskLevel.SECOND]


def test_a_clerk_has_no_task_list(client, people):
    signed_in(client, people["clerk"])
    assert client.get(reverse(LIST)).status_code == 403
    assert "任务列表" not in client.get(reverse("admin:index")).content.decode()


def test_the_menu_lists_the_task_list_for_a_reviewer(client, people):
    page = signed_in(client, people["first"]).get(reverse("admin:menu_group", kwargs={"group": "tasks"}))
    assert page.status_code == 200
    assert reverse(LIST) in page.content.decode()


def test_the_pool_count_is_capped(client, people, monkeypatch):
    from routing.admin import tasks as screen

    for _ in range(3):
        scanned(people["clerk"])
    monkeypatch.setattr(screen, "COUNT_CAP", 2)
    page = signed_in(client, people["first"]).get(reverse(LIST))
    assert page.context["pools"][0]["count"] == 2 and page.context["pools"][0]["more"]
    assert "2+" in page.content.decode()


# ---- 随机获取 and 指定获取 ------------------------------------------------------------------------------------------


def test_random_acquire_takes_one_task_and_opens_its_page(client, people):
    cases = [scanned(people["clerk"]) for _ in range(3)]
    response = acquire(signed_in(client, people["first"]), TaskLevel.FIRST)
    task = Task.objects.get(status=TaskStatus.TAKEN)
    assert response.status_code == 302 and response["Location"] == task_url(task)
    assert task.assignee == people["first"] and task.mode == "random"
    assert Task.objects.filter(status=TaskStatus.OPEN).count() == 2
    assert task.case.receipt_no in {case.receipt_no for case in cases}
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"已获取初审任务：受理回执号 {task.case.receipt_no}。" in messages_of(page)
    listing = client.get(reverse(LIST))
    assert [row["receipt_no"] for row in listing.context["rows"]] == [task.case.receipt_no]
    assert listing.context["pools"][0]["count"] == 2


def test_assigned_acquire_takes_the_named_receipt_number(client, people):
    cases = [scanned(people["clerk"]) for _ in range(3)]
    response = acquire(signed_in(client, people["first"]), TaskLevel.FIRST, cases[1].receipt_no)
    task = Task.objects.get(status=TaskStatus.TAKEN)
    assert response["Location"] == task_url(task)
    assert task.case == cases[1] and task.mode == "assigned"
    assert Case.objects.get(pk=cases[1].pk).distribution_status == "assigned"


def test_assigned_acquire_checks_the_receipt_number(client, people):
    scanned(people["clerk"])
    signed_in(client, people["first"])
    for bad in ("", "12345", "12345678901234567", "abcdefghijklmnop"):
        page = acquire(client, TaskLevel.FIRST, bad)
        assert page.status_code == 200
        assert page.context["pools"][0]["assigned_form"].errors, bad
    assert not Task.objects.filter(status=TaskStatus.TAKEN).exists()


def test_nothing_eligible_is_said(client, people):
    response = acquire(signed_in(client, people["first"]), TaskLevel.FIRST, follow=True)
    assert "没有可获取的初审任务。" in messages_of(response)
    response = acquire(client, TaskLevel.FIRST, "2201091444546597", follow=True)
    assert any(
        "没有可获取的受理回执号为 2201091444546597 的初审任务" in text for text in messages_of(response)
    )


def test_a_level_the_user_does_not_work_is_refused(client, people):
    scanned(people["clerk"])
    assert acquire(signed_in(client, people["second"]), TaskLevel.FIRST).status_code == 403
    assert not Task.objects.filter(status=TaskStatus.TAKEN).exists()


# ---- scope --------------------------------------------------------------------------------------------------


def test_a_guangzhou_task_is_not_a_zhongshan_reviewers_and_its_page_is_not_found(client, people):
    guangzhou = scanned(people["root"], accepting_agency=GUANGZHOU_AGENCY, insured_agency=GUANGZHOU_AGENCY)
    assert guangzhou.handling_agency.code == GUANGZHOU_AGENCY
    signed_in(client, people["first"])
    page = client.get(reverse(LIST))
    assert page.context["pools"][0]["count"] == 0
    assert "没有可获取的任务" in page.content.decode()
    acquire(client, TaskLevel.FIRST)
    acquire(client, TaskLevel.FIRST, guangzhou.receipt_no)
    assert not Task.objects.filter(status=TaskStatus.TAKEN).exists()
    gz_first = staff("gz_first", "first_reviewer", agency=GUANGZHOU_AGENCY)
    task = task_acquire(user=gz_first, level=TaskLevel.FIRST, receipt_no=guangzhou.receipt_no)
    assert task is not None
    assert client.get(task_url(task)).status_code == 404
    assert client.post(task_url(task), {"outcome": "pass"}).status_code == 404
    assert client.post(task_url(task), {"release": "1"}).status_code == 404
    assert Task.objects.get(pk=task.pk).assignee == gz_first


def test_the_provincial_agencys_reviewer_does_not_see_zhongshans_tasks(client, people):
    case = scanned(people["clerk"])
    provincial = staff("gd_first", "first_reviewer", agency=PROVINCIAL_AGENCY)
    signed_in(client, provincial)
    assert client.get(reverse(LIST)).context["pools"][0]["count"] == 0
    acquire(client, TaskLevel.FIRST)
    acquire(client, TaskLevel.FIRST, case.receipt_no)
    assert Task.objects.get().status == TaskStatus.OPEN


def test_another_reviewer_of_the_same_agency_cannot_open_my_task(client, people):
    scanned(people["clerk"])
    task = task_acquire(user=people["first"], level=TaskLevel.FIRST)
    signed_in(client, people["first_b"])
    assert client.get(task_url(task)).status_code == 404
    assert client.get(reverse("admin:routing_task", args=[999_999_999_999])).status_code == 404


def test_four_eyes_the_first_reviewer_cannot_take_the_second_review(client, people):
    both = staff("zs_both", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    assignment_create(
        user=both,
        role=Role.objects.get(code="second_reviewer"),
        agency=Agency.objects.get(code=ZHONGSHAN_AGENCY),
    )
    case = scanned(people["clerk"])
    signed_in(client, both)
    acquire(client, TaskLevel.FIRST)
    task = Task.objects.get(status=TaskStatus.TAKEN)
    response = client.post(task_url(task), {"outcome": "pass", "opinion": "材料齐全"}, follow=True)
    assert "受理回执号 %s：初审通过，已转复审。" % case.receipt_no in messages_of(response)
    pools = {pool["level"]: pool["count"] for pool in response.context["pools"]}
    assert pools == {TaskLevel.FIRST: 0, TaskLevel.SECOND: 0}
    acquire(client, TaskLevel.SECOND)
    acquire(client, TaskLevel.SECOND, case.receipt_no)
    assert Task.objects.get(level=TaskLevel.SECOND).status == TaskStatus.OPEN
    signed_in(client, people["second"])
    assert client.get(reverse(LIST)).context["pools"][0]["count"] == 1


# ---- the task page ------------------------------------------------------------------------------------------


def test_the_task_page_shows_the_case_masked_with_its_files_and_trace(client, people):
    upload = SimpleUploadedFile("申请表.pdf", PDF, content_type="application/pdf")
    case = scanned(people["clerk"], uploads=[upload])
    signed_in(client, people["first"])
    acquire(client, TaskLevel.FIRST)
    task = Task.objects.get(status=TaskStatus.TAKEN)
    page = client.get(task_url(task))
    html = page.content.decode()
    assert page.status_code == 200
    assert case.receipt_no in html and "工伤医疗费" in html
    assert "黄**" in html and "黄林" not in html and case.id_number not in html
    assert "CL009" in html and "已收" in html
    [item] = page.context["files"]
    assert item["file"].original_name == "申请表.pdf"
    if item["url"]:  # the counter's download, where that screen is installed: the reviewer may fetch it
        download = client.get(item["url"])
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    actions = [event["action"] for event in page.context["events"]]
    assert actions == ["受理", "影像扫描", "获取初审任务"]
    assert page.context["row"]["warning"] in ("normal", "near", "overdue")


def test_release_puts_the_task_back_in_the_pool(client, people):
    case = scanned(people["clerk"])
    signed_in(client, people["first"])
    acquire(client, TaskLevel.FIRST)
    task = Task.objects.get(status=TaskStatus.TAKEN)
    response = client.post(task_url(task), {"release": "1"}, follow=True)
    assert f"已退回初审任务：受理回执号 {case.receipt_no} 回到任务池。" in messages_of(response)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.assignee is None
    assert Case.objects.get(pk=case.pk).status == states.SCANNED
    assert client.get(task_url(task)).status_code == 404
    assert response.context["pools"][0]["count"] == 1


def test_a_reject_needs_an_opinion_of_at_most_500_characters(client, people):
    case = scanned(people["clerk"])
    signed_in(client, people["first"])
    acquire(client, TaskLevel.FIRST)
    task = Task.objects.get(status=TaskStatus.TAKEN)
    page = client.post(task_url(task), {"outcome": "reject", "opinion": "  "})
    assert page.status_code == 200 and "审核不通过须填写审核意见。" in page.context["form"].errors["opinion"]
    page = client.post(task_url(task), {"outcome": "reject", "opinion": "意" * 501})
    assert page.context["form"].errors["opinion"]
    page = client.post(task_url(task), {"opinion": "没有选择结果"})
    assert page.context["form"].errors["outcome"]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.TAKEN
    response = client.post(
        task_url(task), {"outcome": "reject", "opinion": "票据与病历资料不符"}, follow=True
    )
    assert f"受理回执号 {case.receipt_no}：初审审核不通过，业务已结束（审核不通过）。" in messages_of(
        response
    )
    case.refresh_from_db()
    assert case.status == states.REVIEW_FAILED
    assert client.get(task_url(task)).status_code == 404


def test_first_then_a_different_second_reviewer_complete_the_case(client, people):
    case = scanned(people["clerk"])
    signed_in(client, people["first"])
    acquire(client, TaskLevel.FIRST)
    first = Task.objects.get(status=TaskStatus.TAKEN)
    client.post(task_url(first), {"outcome": "pass", "opinion": "材料齐全"})
    signed_in(client, people["second"])
    response = acquire(client, TaskLevel.SECOND)
    second = Task.objects.get(status=TaskStatus.TAKEN)
    assert response["Location"] == task_url(second)
    page = client.get(task_url(second))
    assert "材料齐全" in page.content.decode()  # the first review's opinion, in the 追踪
    response = client.post(task_url(second), {"outcome": "pass"}, follow=True)
    assert f"受理回执号 {case.receipt_no}：复审通过，业务已办结。" in messages_of(response)
    case.refresh_from_db()
    assert case.status == states.COMPLETED
    assert case.first_reviewer == people["first"] and case.second_reviewer == people["second"]


# ---- query counts -------------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_runs_the_same_queries_for_1_or_30_taken_tasks(client, people):
    for _ in range(31):
        scanned(people["clerk"])
    task_acquire(user=people["first"], level=TaskLevel.FIRST)
    signed_in(client, people["first"])
    client.get(reverse(LIST))  # warm the session
    one = _queries(client, reverse(LIST))
    for _ in range(29):
        task_acquire(user=people["first"], level=TaskLevel.FIRST)
    assert len(client.get(reverse(LIST)).context["rows"]) == 30
    assert _queries(client, reverse(LIST)) == one


def test_the_task_page_runs_the_same_queries_however_many_files_and_events(client, people):
    plain = scanned(people["clerk"])
    uploads = [SimpleUploadedFile(f"扫描{n}.pdf", PDF) for n in range(3)]
    rich = scanned(people["clerk"], uploads=uploads)
    plain_task = task_acquire(user=people["first"], level=TaskLevel.FIRST, receipt_no=plain.receipt_no)
    rich_task = task_acquire(user=people["first"], level=TaskLevel.FIRST, receipt_no=rich.receipt_no)
    signed_in(client, people["first"])
    client.get(reverse(LIST))
    assert _queries(client, task_url(plain_task)) == _queries(client, task_url(rich_task))


def test_a_completed_task_page_is_gone_and_the_second_task_is_listed(client, people):
    scanned(people["clerk"])
    task = task_acquire(user=people["first"], level=TaskLevel.FIRST)
    task_complete(user=people["first"], task_id=task.pk, outcome="pass")
    signed_in(client, people["first"])
    assert client.get(task_url(task)).status_code == 404
