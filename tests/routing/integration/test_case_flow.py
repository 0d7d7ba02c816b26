"""A case from 受理 to 办结 through the services (issue 14): 一次性告知, 补正, 扫描, 初审 and a different
复审, the 追踪 record and the SMS of each step."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from routing import states
from routing.models import Case, CaseEvent, Task, TaskStatus
from routing.services import (
    CaseRefused,
    case_add_files,
    case_correct,
    case_scan,
    task_acquire,
    task_complete,
    task_release,
)
from sms_templates.models import SmsMessage
from tests.factories.cases import GS0101_MAIN, ZHONGSHAN_AGENCY, accept, id_card, publish_demo, staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "second": staff("zs_second", "second_reviewer", agency=ZHONGSHAN_AGENCY),
    }


def test_an_incomplete_case_lists_every_missing_material_at_once_then_is_corrected(people):
    case = accept(people["clerk"], received=["CL009"])
    assert case.status == states.PENDING_CORRECTION
    assert [item["code"] for item in case.missing_materials] == GS0101_MAIN[1:]
    assert not SmsMessage.objects.filter(case_reference=case.receipt_no).exists()
    case = case_correct(receipt_no=case.receipt_no, user=people["clerk"], received=["CL001", "CL003"])
    assert case.status == states.PENDING_CORRECTION and len(case.missing_materials) == 2
    case = case_correct(receipt_no=case.receipt_no, user=people["clerk"], received=["CL005", "CL006"])
    assert case.status == states.ACCEPTED
    assert SmsMessage.objects.filter(case_reference=case.receipt_no, event="accepted").count() == 1


def test_a_receipt_number_has_16_digits_and_the_deadline_counts_working_days(people):
    case = accept(people["clerk"])
    assert len(case.receipt_no) == 16 and case.receipt_no.isdigit()
    assert case.deadline > case.accepted_at.date()
    assert case.handling_agency.code == ZHONGSHAN_AGENCY and case.release_number == 1


def test_accept_scan_first_and_second_review_to_completion(people):
    clerk, first, second = people["clerk"], people["first"], people["second"]
    case = accept(clerk)
    upload = SimpleUploadedFile("申请表.pdf", PDF, content_type="application/pdf")
    case = case_scan(receipt_no=case.receipt_no, user=clerk, uploads=[upload])
    assert case.status == states.SCANNED and case.files.count() == 1
    task = task_acquire(user=first, level=1)
    assert task.case.status == states.FIRST_ASSIGNED
    task_release(user=first, task_id=task.pk)
    assert Case.objects.get().status == states.SCANNED
    task = task_acquire(user=first, level=1, receipt_no=case.receipt_no)
    case = task_complete(user=first, task_id=task.pk, outcome="pass", opinion="材料齐全")
    assert case.status == states.FIRST_REVIEWED
    assert task_acquire(user=first, level=2) is None  # no second-review role, and four eyes
    second_task = task_acquire(user=second, level=2)
    case = task_complete(user=second, task_id=second_task.pk, outcome="pass")
    assert case.status == states.COMPLETED
    trail = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert trail == [
        "accept",
        "scan",
        "acquire_first",
        "release_first",
        "acquire_first",
        "pass_first",
        "acquire_second",
        "pass_second",
    ]
    events = set(SmsMessage.objects.filter(case_reference=case.receipt_no).values_list("event", flat=True))
    assert "accepted" in events


def test_a_reviewer_who_did_the_first_review_never_gets_the_second(people, reference_data):
    both = staff("zs_both", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    from catalog.models import Agency
    from permissions.models import Role
    from permissions.services import assignment_create

    assignment_create(
        user=both,
        role=Role.objects.get(code="second_reviewer"),
        agency=Agency.objects.get(code=ZHONGSHAN_AGENCY),
    )
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    task = task_acquire(user=both, level=1)
    task_complete(user=both, task_id=task.pk, outcome="pass")
    assert task_acquire(user=both, level=2) is None
    assert task_acquire(user=people["second"], level=2) is not None


def test_a_reject_needs_an_opinion_and_ends_the_case(people):
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    task = task_acquire(user=people["first"], level=1)
    with pytest.raises(CaseRefused) as refused:
        task_complete(user=people["first"], task_id=task.pk, outcome="reject")
    assert refused.value.reason_code == "opinion_required"
    case = task_complete(
        user=people["first"], task_id=task.pk, outcome="reject", opinion="票据与病历资料不符"
    )
    assert case.status == states.REVIEW_FAILED
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_an_illegal_transition_changes_nothing(people):
    case = accept(people["clerk"])
    with pytest.raises(states.IllegalTransition) as illegal:
        case_correct(receipt_no=case.receipt_no, user=people["clerk"], received=["CL001"])
    assert "已受理" in illegal.value.message
    assert Case.objects.get().status == states.ACCEPTED and CaseEvent.objects.count() == 1


def test_a_bad_id_number_is_refused_with_its_reason(people):
    from routing.services import Applicant

    bad = id_card()[:-1] + ("0" if id_card()[-1] != "0" else "1")
    with pytest.raises(CaseRefused) as refused:
        accept(people["clerk"], applicant=Applicant(name="黄林", id_number=bad))
    assert refused.value.reason_code == "invalid_id_number"
    assert not Case.objects.exists()


def test_a_renamed_file_is_refused_on_its_content(people):
    case = accept(people["clerk"])
    case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True)
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(CaseRefused) as refused:
        case_add_files(receipt_no=case.receipt_no, user=people["clerk"], uploads=[fake])
    assert refused.value.reason_code == "bad_file"
    other = staff("zs_other", "clerk", agency=ZHONGSHAN_AGENCY)
    good = SimpleUploadedFile("scan.pdf", PDF)
    with pytest.raises(CaseRefused) as refused:
        case_add_files(receipt_no=case.receipt_no, user=other, uploads=[good])
    assert refused.value.reason_code == "not_allowed"


def test_the_reminder_schedule_reads_the_cases_being_handled(people):
    from routing.reminders import CaseReminderSource, reminders_send_due

    handled = accept(people["clerk"])
    waiting = accept(people["clerk"], received=["CL009"])  # 待补正: waits for the applicant, not reminded
    listed = [case.case_reference for case in CaseReminderSource().open_cases()]
    assert listed == [handled.receipt_no] and waiting.receipt_no not in listed
    report = reminders_send_due(today=handled.deadline, source=CaseReminderSource())
    assert report["checked"] == 1 and report["no_template"] + report["written"] == 1


def test_a_refused_file_among_good_ones_leaves_nothing_in_the_storage(people, settings):
    from pathlib import Path

    case = accept(people["clerk"])
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    good = SimpleUploadedFile("a.pdf", PDF)
    bad = SimpleUploadedFile("b.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(CaseRefused):
        case_scan(receipt_no=case.receipt_no, user=people["clerk"], uploads=[good, bad])
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == before
