"""业务受理 after 受理, through the test client (issue 14): 影像扫描 / 后续扫描 into the 初审 pool, 补扫, file
downloads checked against the user's scope, the printed documents (验伪码 where the slot asks), 归档, and
the receipt's fixed query count."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from routing import states
from routing.anti_forgery import anti_forgery_code, anti_forgery_valid
from routing.models import ArchiveStatus, Case, CaseFile, ScanStatus, Task, TaskLevel, TaskStatus
from routing.services import case_scan, task_acquire, task_complete
from tests.factories.cases import GS0101_MAIN, GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00 this is a program"


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
    }


def as_user(client, user):
    client.force_login(user)
    return client


# ---- 影像扫描, 后续扫描, 补扫, files ---------------------------------------------------------------------------


def test_a_renamed_executable_is_refused_and_a_pdf_moves_the_case_to_first_review(client, people):
    case = accept(people["clerk"])
    client = as_user(client, people["clerk"])
    url = reverse("admin:routing_case_scan", args=[case.receipt_no])
    for name in ("申请表.pdf", "setup.exe"):
        response = client.post(url, {"upload": "1", "files": [SimpleUploadedFile(name, EXE)]})
        assert response.status_code == 200 and response.context["form"].errors["files"], name
    assert Case.objects.get().status == states.ACCEPTED and not CaseFile.objects.exists()
    response = client.post(url, {"upload": "1"})
    assert response.context["form"].errors["files"] == ["请选择要上传的影像文件，或选择“后续扫描”。"]
    files = [SimpleUploadedFile("申请表.pdf", PDF), SimpleUploadedFile("票据.pdf", PDF)]
    response = client.post(url, {"upload": "1", "files": files})
    assert response.url == url
    case = Case.objects.get()
    assert case.status == states.SCANNED and case.scan_status == ScanStatus.SCANNED
    assert sorted(CaseFile.objects.values_list("original_name", flat=True)) == ["申请表.pdf", "票据.pdf"]
    task = Task.objects.get(case=case)
    assert (
        task.level == TaskLevel.FIRST
        and task.status == TaskStatus.OPEN
        and task.agency.code == ZHONGSHAN_AGENCY
    )
    page = client.get(url).content.decode()
    assert "已扫描" in page and "影像扫描已完成" in page and 'id="scan-form"' not in page


def test_deferred_scanning_moves_the_case_on_and_opens_the_first_review_task(client, people):
    case = accept(people["clerk"])
    client = as_user(client, people["clerk"])
    response = client.post(reverse("admin:routing_case_scan", args=[case.receipt_no]), {"defer": "1"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == states.SCANNED and case.scan_status == ScanStatus.DEFERRED
    assert Task.objects.filter(case=case, level=TaskLevel.FIRST, status=TaskStatus.OPEN).count() == 1


def test_scanning_a_case_waiting_for_correction_is_not_offered(client, people):
    case = accept(people["clerk"], received=["CL009"])
    client = as_user(client, people["clerk"])
    response = client.post(reverse("admin:routing_case_scan", args=[case.receipt_no]), {"defer": "1"})
    assert response.status_code == 200 and not response.context["allowed"]
    assert "材料补齐、受理之后再进行影像扫描" in response.content.decode()
    assert Case.objects.get().status == states.PENDING_CORRECTION and not Task.objects.exists()


def test_supplementary_scans_come_after_scanning(client, people):
    case = accept(people["clerk"])
    client = as_user(client, people["clerk"])
    url = reverse("admin:routing_case_supplement", args=[case.receipt_no])
    response = client.post(url, {"upload": "1", "files": [SimpleUploadedFile("补.pdf", PDF)]})
    assert not response.context["allowed"] and "本业务尚未影像扫描（已受理）" in response.content.decode()
    assert not CaseFile.objects.exists()


def test_supplementary_scans_by_the_accepting_account_only(client, people):
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    url = reverse("admin:routing_case_supplement", args=[case.receipt_no])
    colleague = staff("zs_clerk2", "clerk", agency=ZHONGSHAN_AGENCY)
    response = as_user(client, colleague).get(url)
    assert not response.context["allowed"] and "高级扫描" in response.content.decode()
    response = client.post(url, {"upload": "1", "files": [SimpleUploadedFile("补.pdf", PDF)]})
    assert not CaseFile.objects.exists()
    response = as_user(client, people["clerk"]).post(
        url, {"upload": "1", "files": [SimpleUploadedFile("补.pdf", PDF)]}
    )
    assert response.url == url
    stored = CaseFile.objects.get()
    assert stored.supplementary and Case.objects.get().scan_status == ScanStatus.SCANNED


def test_a_file_is_downloaded_as_an_attachment_by_those_who_see_the_case(client, people):
    case = accept(people["clerk"])
    case_scan(
        receipt_no=case.receipt_no, user=people["clerk"], uploads=[SimpleUploadedFile("申请表.pdf", PDF)]
    )
    stored = CaseFile.objects.get()
    url = reverse("admin:routing_case_file", args=[case.receipt_no, stored.pk])
    response = as_user(client, people["first"]).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert as_user(client, people["gz_clerk"]).get(url).status_code == 404
    other = accept(people["clerk"])
    wrong_case = reverse("admin:routing_case_file", args=[other.receipt_no, stored.pk])
    assert as_user(client, people["clerk"]).get(wrong_case).status_code == 404


# ---- documents, 验伪码, 归档 -------------------------------------------------------------------------------


def completed(people) -> Case:
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    first = task_acquire(user=people["first"], level=1)
    task_complete(user=people["first"], task_id=first.pk, outcome="pass")
    second = task_acquire(user=people["second"], level=2)
    return task_complete(user=people["second"], task_id=second.pk, outcome="pass")


def test_the_completion_slip_carries_the_anti_forgery_code_and_archives(client, people):
    case = completed(people)
    client = as_user(client, people["clerk"])
    url = reverse("admin:routing_case_completion", args=[case.receipt_no])
    page = client.get(url).content.decode()
    code = anti_forgery_code(case.receipt_no)
    assert "业务办结单" in page and code in page and len(code) == 12
    assert anti_forgery_valid(case.receipt_no, code.lower()) and not anti_forgery_valid(
        case.receipt_no, "X" * 12
    )
    assert (
        "验伪码"
        not in client.get(reverse("admin:routing_case_receipt", args=[case.receipt_no])).content.decode()
    )
    archive = reverse("admin:routing_case_archive", args=[case.receipt_no])
    assert client.get(archive).status_code == 405
    client.post(archive, {"side": "paper"})
    assert Case.objects.get().archive_status == ArchiveStatus.PAPER
    assert as_user(client, people["gz_clerk"]).post(archive, {"side": "electronic"}).status_code == 404
    response = as_user(client, people["first"]).post(archive, {"side": "electronic"})
    assert response.url == url
    case = Case.objects.get()
    assert case.archive_status == ArchiveStatus.ARCHIVED and case.status == states.ARCHIVED
    assert client.get(url).status_code == 200


def test_a_first_reviewer_may_not_archive_paper(client, people):
    case = completed(people)
    archive = reverse("admin:routing_case_archive", args=[case.receipt_no])
    assert as_user(client, people["first"]).post(archive, {"side": "paper"}).status_code == 403
    assert Case.objects.get().archive_status == ArchiveStatus.NOT_ARCHIVED


def test_the_receipt_shows_the_anti_forgery_code_when_its_slot_asks(client, people, monkeypatch):
    from routing.admin import prints

    slot = {"template": "PT_SLHZ_01", "e_seal": True, "anti_forgery_code": True}
    monkeypatch.setattr(
        prints, "print_slot", lambda case, document: slot if document == "acceptance_receipt" else {}
    )
    case = accept(people["clerk"])
    page = as_user(client, people["clerk"]).get(reverse("admin:routing_case_receipt", args=[case.receipt_no]))
    assert anti_forgery_code(case.receipt_no) in page.content.decode() and "电子印章" in page.content.decode()


def test_print_slot_reads_the_release_the_case_was_accepted_under(people):
    from routing.admin.prints import print_slot

    case = accept(people["clerk"])
    assert print_slot(case, "completion") == {
        "template": "PT_BJD_01",
        "e_seal": False,
        "anti_forgery_code": True,
    }
    assert print_slot(case, "acceptance_receipt") == {}


def test_documents_exist_only_in_their_status(client, people):
    pending = accept(people["clerk"], received=["CL009"])
    accepted = accept(people["clerk"])
    client = as_user(client, people["clerk"])
    for name, case in (
        ("routing_case_receipt", pending),
        ("routing_case_refusal_notice", accepted),
        ("routing_case_completion", accepted),
        ("routing_case_correction_notice", accepted),
    ):
        response = client.get(reverse(f"admin:{name}", args=[case.receipt_no]))
        assert response.status_code == 404 and 'id="document-unavailable"' in response.content.decode(), name


def test_the_documents_are_reachable_for_whoever_may_see_the_case(client, people):
    case = accept(people["clerk"])
    url = reverse("admin:routing_case_receipt", args=[case.receipt_no])
    assert as_user(client, people["first"]).get(url).status_code == 200
    assert as_user(client, people["gz_clerk"]).get(url).status_code == 404
    assert client.get(reverse("admin:routing_case_receipt", args=["1" * 16])).status_code == 404


def test_the_receipt_costs_the_same_queries_whatever_the_materials(client, people):
    one = accept(people["clerk"], received=[*GS0101_MAIN, "CL022"])
    three = accept(people["clerk"], received=[*GS0101_MAIN, "CL022", "CL023", "CL026"])
    client = as_user(client, people["clerk"])
    counts = []
    for case in (one, three):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("admin:routing_case_receipt", args=[case.receipt_no])).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
