"""The services refuse what the user may not do, whoever calls them (the counter and the API check too, but a
future caller cannot skip the rule): 受理 at the accepting agency, 补正 / 不予受理 at either side, 影像扫描 at the
accepting side, 归档 at its side. Each refusal changes nothing."""

import pytest

from routing import states
from routing.models import Case, CaseEvent
from routing.services import CaseRefused, case_archive, case_correct, case_refuse, case_scan
from tests.factories.cases import (
    GUANGZHOU_AGENCY,
    ZHONGSHAN_AGENCY,
    accept,
    accept_request,
    publish_demo,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference_data, superuser):
    publish_demo(superuser)
    return {
        "root": superuser,
        "clerk": staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY),
        "gz_clerk": staff("gz_clerk", "clerk", agency=GUANGZHOU_AGENCY),
        "first": staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY),
    }


def refused(call, **kwargs) -> CaseRefused:
    before = (Case.objects.count(), CaseEvent.objects.count())
    with pytest.raises(CaseRefused) as caught:
        call(**kwargs)
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
    return caught.value


def test_accepting_needs_acceptance_at_the_accepting_agency(people):
    from routing.services import case_accept

    request = accept_request(accepting_agency=GUANGZHOU_AGENCY, insured_agency=GUANGZHOU_AGENCY)
    refusal = refused(case_accept, request=request, user=people["clerk"])
    assert (refusal.reason_code, refusal.field) == ("not_allowed", "accepting_agency")
    assert refused(case_accept, request=accept_request(), user=people["first"]).reason_code == "not_allowed"
    assert case_accept(request=request, user=people["gz_clerk"]).status == states.ACCEPTED


def test_only_the_accepting_side_scans(people):
    case = accept(people["clerk"])
    for user in (people["first"], people["gz_clerk"]):
        assert (
            refused(case_scan, receipt_no=case.receipt_no, user=user, defer=True).reason_code == "not_allowed"
        )
    assert case_scan(receipt_no=case.receipt_no, user=people["clerk"], defer=True).status == states.SCANNED


def test_correction_and_refusal_need_acceptance_at_either_side(people):
    case = accept(people["clerk"], received=["CL009"])
    assert case.status == states.PENDING_CORRECTION
    kwargs = {"receipt_no": case.receipt_no, "user": people["gz_clerk"]}
    assert refused(case_correct, received=["CL001"], **kwargs).reason_code == "not_allowed"
    assert refused(case_refuse, reason="材料不符", **kwargs).reason_code == "not_allowed"
    assert (
        case_refuse(receipt_no=case.receipt_no, user=people["clerk"], reason="材料不符").status
        == states.REFUSED
    )


def test_archiving_is_done_at_its_own_side(people):
    case = accept(people["root"])
    Case.objects.filter(pk=case.pk).update(status=states.COMPLETED)
    kwargs = {"receipt_no": case.receipt_no, "user": people["gz_clerk"]}
    for side in ("paper", "electronic"):
        assert refused(case_archive, side=side, **kwargs).reason_code == "not_allowed"
    assert case_archive(receipt_no=case.receipt_no, user=people["first"], side="electronic").archive_status
    assert refused(case_archive, receipt_no=case.receipt_no, user=people["first"], side="paper")
