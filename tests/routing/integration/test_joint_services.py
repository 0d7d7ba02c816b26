"""联办申请 through the services (routing.joint): submission checked and split into one case per matter (拆包推送),
waiting (待前置) in dependency order, suspended (中止) only where a material is owed, resumed when it arrives,
the decision of a finished prerequisite filed on its successors which start without a new application (按责办结),
a refused prerequisite terminating its dependants transitively, each step told by SMS (分步反馈)."""

import datetime

import pytest
from django.utils import timezone

from routing import states
from routing.joint import planning
from routing.joint.handoff import decision_pdf
from routing.joint.materials import JointRefused, joint_deliver
from routing.joint.models import JointApplication, JointCase, JointMaterial
from routing.joint.services import joint_prepare
from routing.models import Case, CaseEvent, CaseFile, Task, TaskStatus
from routing.services import CaseRefused, task_acquire, task_complete
from routing.services.lifecycle import case_resume, case_suspend, case_terminate
from sms_templates.models import SmsMessage
from tests.factories.cases import GUANGZHOU_AGENCY, ZHONGSHAN_AGENCY, staff
from tests.factories.joint import (
    ASSESSMENT,
    DISABILITY,
    MEDICAL,
    RECOGNITION,
    joint_request,
    publish_joint,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference_data, superuser):
    publish_joint(superuser)
    return {
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
    }


def _cases(application) -> dict[str, Case]:
    return {
        link.case.matter.code: link.case
        for link in JointCase.objects.filter(application=application).select_related("case__matter")
    }


def _review(user, matter: str, outcome: str = "pass", opinion: str = "") -> Case:
    """Take the 初审 task of the application's ``matter`` case (指定获取) and complete it."""
    case = Case.objects.get(matter__code=matter, joint_link__isnull=False)
    task = task_acquire(user=user, level=1, receipt_no=case.receipt_no)
    assert task is not None, f"no 初审 task for {matter} ({case.status})"
    return task_complete(user=user, task_id=task.pk, outcome=outcome, opinion=opinion)


def _sms(case: Case, event: str) -> list[str]:
    return list(
        SmsMessage.objects.filter(case_reference=case.receipt_no, event=event)
        .order_by("pk")
        .values_list("text", flat=True)
    )


def _live_tasks(case: Case) -> int:
    return Task.objects.filter(case=case, status__in=[TaskStatus.OPEN, TaskStatus.TAKEN]).count()


# ---- submission ------------------------------------------------------------------------------------------------
def test_a_complete_application_splits_into_cases_that_wait_for_their_prerequisites(people):
    application = submit(people["clerk"])
    assert application.number.startswith("LB442000") and len(application.number) == 18
    assert application.notice == "" and application.materials_completed_at is not None
    assert application.deadline == timezone.localdate() + datetime.timedelta(days=30)
    cases = _cases(application)
    assert set(cases) == {RECOGNITION, ASSESSMENT, DISABILITY}
    assert cases[RECOGNITION].status == states.SCANNED and _live_tasks(cases[RECOGNITION]) == 1
    for matter in (ASSESSMENT, DISABILITY):
        assert cases[matter].status == states.WAITING and _live_tasks(cases[matter]) == 0
        assert cases[matter].suspended_at is not None  # its clock stands still
    links = {link.case.matter.code: link for link in application.links.select_related("case__matter")}
    assert [link.case.matter.code for link in links[DISABILITY].waits_for.all()] == [RECOGNITION, ASSESSMENT]
    assert links[ASSESSMENT].internal_materials == ["CL003"]
    # Every case has its own receipt and was routed by the engine to the insured city's agency; each got its 受理短信.
    assert len({case.receipt_no for case in cases.values()}) == 3
    assert {case.handling_agency.code for case in cases.values()} == {ZHONGSHAN_AGENCY}
    assert all(_sms(case, "accepted") for case in cases.values())
    # Only the waiting case's trail says it waits.
    assert CaseEvent.objects.filter(case=cases[ASSESSMENT], action="wait").exists()


def test_materials_shared_by_several_matters_are_stored_once(people):
    application = submit(people["clerk"])
    assert JointMaterial.objects.filter(application=application).count() == 5
    cases = _cases(application)
    assert "CL001" in cases[RECOGNITION].received_materials
    assert "CL001" in cases[DISABILITY].received_materials
    assert "CL017" not in cases[DISABILITY].received_materials  # not on its checklist


def test_an_uploaded_file_is_stored_once_and_filed_on_every_case_needing_it(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n%%EOF\n"
    upload = SimpleUploadedFile("身份证.pdf", pdf, content_type="application/pdf")
    application = submit(people["clerk"], uploads={"CL001": upload})
    stored = JointMaterial.objects.get(application=application, material__code="CL001")
    files = CaseFile.objects.filter(material__code="CL001")
    assert files.count() == 3 and {f.file.name for f in files} == {stored.file.name}
    assert stored.file.read() == pdf


def test_missing_materials_suspend_only_the_affected_case_and_one_notice_lists_them(people):
    application = submit(people["clerk"], materials=["CL001", "CL017", "CL007", "CL006"])  # no 银行账户资料
    assert application.notice.splitlines() == [
        "请补充以下材料（一次性告知），补齐后受影响的事项恢复办理：",
        "1. 银行账户资料（CL008），用于：伤残待遇核定",
    ]
    assert application.materials_completed_at is None
    cases = _cases(application)
    # 伤残待遇 waits for its prerequisites first; the others are not affected.
    assert cases[RECOGNITION].status == states.SCANNED
    assert cases[DISABILITY].status == states.WAITING


def test_a_case_owing_a_material_with_no_prerequisite_open_is_suspended_at_once(people):
    application = submit(people["clerk"], materials=["CL001", "CL017"])  # no 诊断证明 for 工伤认定
    cases = _cases(application)
    assert cases[RECOGNITION].status == states.SUSPENDED
    [text] = _sms(cases[RECOGNITION], "suspended")
    assert "诊断证明（CL007）" in text
    assert "1. 诊断证明（CL007），用于：工伤认定申请" in application.notice


def test_a_refused_choice_names_the_matters_and_writes_nothing(people):
    with pytest.raises(JointRefused) as refused:
        submit(people["clerk"], matters=[ASSESSMENT, DISABILITY])
    assert refused.value.reason_code == planning.MISSING_PREREQUISITE
    assert "劳动能力鉴定申请（GS0302）须先办结工伤认定申请（GS0301）" in refused.value.message
    assert {d["matter"] for d in refused.value.details} == {ASSESSMENT, DISABILITY}
    with pytest.raises(JointRefused) as refused:
        submit(people["clerk"], matters=[RECOGNITION, "GS0102"])
    assert refused.value.reason_code == planning.NOT_JOINT_MATTER
    assert not JointApplication.objects.exists() and not Case.objects.exists()


def test_a_matter_the_city_has_not_bound_is_refused_naming_it(people):
    with pytest.raises(JointRefused) as refused:
        submit(people["clerk"], matters=[RECOGNITION, "GS0304"])
    assert refused.value.reason_code == "not_bound"
    assert refused.value.message.startswith("工伤康复申请确认（GS0304）：")
    assert not Case.objects.exists()


def test_a_prerequisite_decided_before_suffices_and_its_decision_is_filed(people):
    first = submit(people["clerk"], matters=[RECOGNITION])
    _review(people["first"], RECOGNITION)
    assert _cases(first)[RECOGNITION].status == "completed"
    second = submit(people["clerk"], matters=[ASSESSMENT], materials=["CL001", "CL006"])
    case = _cases(second)[ASSESSMENT]
    assert case.status == states.SCANNED  # nothing to wait for, nothing owed: straight to 初审
    assert "CL003" in case.received_materials
    [decision] = CaseFile.objects.filter(case=case, material__code="CL003")
    assert decision.file.read().startswith(b"%PDF-")


def test_asking_again_for_a_matter_being_handled_is_refused(people):
    submit(people["clerk"], matters=[RECOGNITION])
    with pytest.raises(JointRefused) as refused:
        submit(people["clerk"], matters=[RECOGNITION])
    assert refused.value.reason_code == planning.ALREADY_OPEN


def test_only_a_clerk_of_the_accepting_agency_submits(people):
    with pytest.raises(CaseRefused) as refused:
        submit(people["gz_clerk"])
    assert refused.value.reason_code == "not_allowed"
    assert not Case.objects.exists()


def test_prepare_shows_the_union_without_writing(people):
    prepared = joint_prepare(joint_request(materials=[]))
    union = {need.code: need for need in prepared.union}
    assert union["CL001"].required_by == (RECOGNITION, ASSESSMENT, DISABILITY)
    assert union["CL003"].internal_for == (ASSESSMENT, DISABILITY) and not union["CL003"].from_applicant
    assert union["CL022"].optional_for == (DISABILITY,)
    assert [need.code for need in prepared.missing] == ["CL001", "CL017", "CL007", "CL006", "CL008"]
    assert not Case.objects.exists()


# ---- 按责办结 --------------------------------------------------------------------------------------------------
def test_the_decision_is_handed_on_and_the_successors_start_without_a_new_application(people):
    application = submit(people["clerk"])
    _review(people["first"], RECOGNITION, opinion="认定为工伤")
    cases = _cases(application)
    assessment, disability = cases[ASSESSMENT], cases[DISABILITY]
    assert assessment.status == states.SCANNED and _live_tasks(assessment) == 1
    assert disability.status == states.WAITING  # still waits for 劳动能力鉴定
    [decision] = CaseFile.objects.filter(case=assessment, material__code="CL003")
    assert decision.original_name.startswith("工伤认定决定书")
    assert decision.file.read().startswith(b"%PDF-1.4")
    assert "CL003" in assessment.received_materials and "CL003" in disability.received_materials
    # One stored decision for both successors.
    assert CaseFile.objects.filter(material__code="CL003").values("file").distinct().count() == 1
    assert _sms(assessment, "received")  # told that it goes on
    _review(people["first"], ASSESSMENT, opinion="伤残十级")
    disability = Case.objects.get(pk=disability.pk)
    assert disability.status == states.SCANNED and disability.suspended_at is None
    assert {f.material.code for f in CaseFile.objects.filter(case=disability)} >= {"CL003", "CL004"}
    _review(people["first"], DISABILITY)
    application.refresh_from_db()
    assert planning.application_status(c.status for c in _cases(application).values()) == planning.COMPLETED


def test_the_waiting_time_does_not_use_up_the_successors_deadline(people):
    application = submit(people["clerk"])
    assessment = _cases(application)[ASSESSMENT]
    Case.objects.filter(pk=assessment.pk).update(suspended_at=timezone.now() - datetime.timedelta(days=14))
    _review(people["first"], RECOGNITION)
    started = Case.objects.get(pk=assessment.pk)
    assert (started.deadline - assessment.deadline).days >= 14


def test_a_successor_owing_a_material_is_suspended_when_it_would_start_and_resumes_when_it_arrives(people):
    application = submit(people["clerk"], materials=["CL001", "CL017", "CL007", "CL006"])  # no CL008
    _review(people["first"], RECOGNITION)
    _review(people["first"], ASSESSMENT)
    disability = _cases(application)[DISABILITY]
    assert disability.status == states.SUSPENDED and _live_tasks(disability) == 0
    [text] = _sms(disability, "suspended")
    assert "银行账户资料（CL008）" in text
    joint_deliver(application=application, user=people["clerk"], materials=["CL008"])
    disability = Case.objects.get(pk=disability.pk)
    assert disability.status == states.SCANNED and _live_tasks(disability) == 1
    assert CaseEvent.objects.filter(case=disability).last().opinion == "联办申请材料已补齐，恢复办理"
    application.refresh_from_db()
    assert application.materials_completed_at is not None


def test_a_material_arriving_for_a_waiting_case_is_recorded_and_it_keeps_waiting(people):
    application = submit(people["clerk"], materials=["CL001", "CL017", "CL007", "CL006"])
    joint_deliver(application=application, user=people["clerk"], materials=["CL008"])
    disability = _cases(application)[DISABILITY]
    assert disability.status == states.WAITING and "CL008" in disability.received_materials
    assert CaseEvent.objects.filter(case=disability, action="joint_materials").exists()


def test_delivery_refuses_what_no_case_asks_for_and_staff_of_other_cities(people):
    application = submit(people["clerk"], materials=["CL001", "CL017", "CL007", "CL006"])
    with pytest.raises(JointRefused) as refused:
        joint_deliver(application=application, user=people["clerk"], materials=["CL025"])
    assert refused.value.reason_code == "not_in_checklist"
    with pytest.raises(JointRefused) as refused:
        joint_deliver(application=application, user=people["clerk"], materials=["NOPE"])
    assert refused.value.reason_code == "unknown_material"
    with pytest.raises(JointRefused) as refused:
        joint_deliver(application=application, user=people["gz_clerk"], materials=["CL008"])
    assert refused.value.reason_code == "not_allowed"


# ---- a refused prerequisite ------------------------------------------------------------------------------------
def test_a_refused_recognition_terminates_every_dependant_with_the_reason(people):
    application = submit(people["clerk"])
    _review(people["first"], RECOGNITION, outcome="reject", opinion="不属于工伤认定范围")
    cases = _cases(application)
    assert cases[RECOGNITION].status == states.REVIEW_FAILED
    for matter in (ASSESSMENT, DISABILITY):
        case = cases[matter]
        assert case.status == states.TERMINATED and case.finished_at is not None
        reason = CaseEvent.objects.filter(case=case).last().opinion
        assert reason.startswith(
            f"前置事项工伤认定申请（{cases[RECOGNITION].receipt_no}）审核不通过：不属于工伤认定范围"
        )
        [text] = _sms(case, "terminated")
        assert "不属于工伤认定范围" in text
    assert planning.application_status(c.status for c in cases.values()) == planning.ENDED


def test_a_terminated_middle_case_ends_only_what_depends_on_it(people):
    application = submit(
        people["clerk"],
        matters=[RECOGNITION, ASSESSMENT, DISABILITY, MEDICAL],
        materials=[
            "CL001",
            "CL017",
            "CL007",
            "CL006",
            "CL008",
            "CL009",
            "CL005",
        ],
    )
    _review(people["first"], RECOGNITION)
    cases = _cases(application)
    assert cases[MEDICAL].status == states.SCANNED  # 工伤医疗费 waited for 工伤认定 only
    case_terminate(receipt_no=cases[ASSESSMENT].receipt_no, user=people["first"], reason="申请人撤回鉴定申请")
    cases = _cases(application)
    assert cases[DISABILITY].status == states.TERMINATED
    assert cases[MEDICAL].status == states.SCANNED and cases[RECOGNITION].status == states.COMPLETED


def test_a_waiting_case_suspended_by_staff_goes_back_to_waiting_when_resumed(people):
    application = submit(people["clerk"])
    assessment = _cases(application)[ASSESSMENT]
    case_suspend(receipt_no=assessment.receipt_no, user=people["first"], reason="核对鉴定材料")
    assert case_resume(receipt_no=assessment.receipt_no, user=people["first"]).status == states.WAITING
    assert _live_tasks(assessment) == 0


def test_a_waiting_case_cannot_be_reviewed(people):
    application = submit(people["clerk"])
    assessment = _cases(application)[ASSESSMENT]
    assert task_acquire(user=people["first"], level=1, receipt_no=assessment.receipt_no) is None


def test_the_decision_pdf_names_the_decision_and_the_case(people):
    application = submit(people["clerk"], matters=[RECOGNITION])
    case = _review(people["first"], RECOGNITION)
    data = decision_pdf(case, "工伤认定决定书", application.number)
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert "工伤认定决定书".encode("utf-16-be").hex().upper().encode() in data
    assert case.receipt_no.encode("utf-16-be").hex().upper().encode() in data


def test_a_waiting_case_is_neither_transferred_nor_pushed_before_it_starts(people):
    from routing.services.jurisdiction import case_push
    from routing.services.transfers import transfer_submit

    assessment = _cases(submit(people["clerk"]))[ASSESSMENT]
    supervisor = staff("gd_supervisor", "supervisor", region="440000")
    with pytest.raises(CaseRefused) as refused:
        transfer_submit(
            user=supervisor, receipt_no=assessment.receipt_no, target_agency=GUANGZHOU_AGENCY, reason="移交"
        )
    assert refused.value.reason_code == "case_waiting"
    with pytest.raises(states.IllegalTransition) as illegal:
        case_push(
            user=people["first"],
            receipt_no=assessment.receipt_no,
            target_agency=GUANGZHOU_AGENCY,
            reason="移送",
        )
    assert "待前置" in illegal.value.message
    assert Case.objects.get(pk=assessment.pk).status == states.WAITING


def test_the_applications_own_deadline_is_configurable(people, settings):
    settings.JOINT_APPLICATION_DAYS = 10
    application = submit(people["clerk"])
    assert application.time_limit_days == 10
    assert application.deadline == timezone.localdate() + datetime.timedelta(days=10)
