"""催办 for staff (issue 15): the reviewer holding a task of a case near or past its deadline gets the 催办短信 of
the handling city's slot when they left a mobile number — once a day — besides the applicant; a reviewer
without one is reminded on the console home page only. The due day is the case's own deadline (moved by 中止)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter
from config_center.drafts.selectors import local_matter_snapshot
from config_center.drafts.services import local_matter_apply_snapshot
from config_center.releases.services import release_publish
from config_center.runtime.holder import runtime
from permissions.models import StaffContact
from routing.models import Case
from routing.reminders import CaseReminderSource, reminders_send_due
from routing.services import case_scan, task_acquire
from sms_templates.models import SmsMessage
from tests.factories.cases import ZHONGSHAN, ZHONGSHAN_AGENCY, accept, publish_demo, staff

pytestmark = pytest.mark.django_db
MOBILE = "13912345678"


@pytest.fixture
def taken(reference_data, superuser):
    """A 中山 case in review, its 初审 task taken by a reviewer who left a mobile number; 中山 sets 催办."""
    publish_demo(superuser)
    region, matter = Region.objects.get(code=ZHONGSHAN), Matter.objects.get(code="GS0101")
    snapshot = local_matter_snapshot(LocalMatter.objects.get(region=region, matter=matter))
    snapshot["sms"] = {**snapshot["sms"], "reminder": "GS_CB_01"}
    local_matter_apply_snapshot(
        region=region, matter=matter, snapshot=snapshot, user=superuser, reason="催办"
    )
    release_publish(region=region, user=superuser, comment="催办")
    runtime.reset()
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    reviewer = staff("zs_first", "first_reviewer", agency=ZHONGSHAN_AGENCY)
    StaffContact.objects.create(user=reviewer, mobile=MOBILE)
    case = accept(clerk)
    case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    task_acquire(user=reviewer, level=1, receipt_no=case.receipt_no)
    return Case.objects.get(pk=case.pk)


def reminded(recipient: str) -> int:
    return SmsMessage.objects.filter(event="reminder", recipient=recipient).count()


def test_the_reviewer_holding_the_task_is_reminded_once_a_day(taken):
    report = reminders_send_due(today=taken.deadline, source=CaseReminderSource())
    assert report["checked"] == 2 and report["written"] == 2
    assert reminded(MOBILE) == 1 and reminded(taken.phone) == 1
    reminders_send_due(today=taken.deadline, source=CaseReminderSource())
    assert reminded(MOBILE) == 1


def test_no_mobile_no_sms_and_a_case_far_from_its_deadline_waits(taken):
    user = get_user_model().objects.get(username="zs_first")
    StaffContact.objects.filter(user=user).update(mobile="")
    reminders_send_due(today=taken.deadline, source=CaseReminderSource())
    assert reminded(MOBILE) == 0 and reminded(taken.phone) == 1
    SmsMessage.objects.all().delete()
    StaffContact.objects.filter(user=user).update(mobile=MOBILE)
    moved = taken.deadline + datetime.timedelta(days=60)  # a 中止 moved the case's own deadline
    Case.objects.filter(pk=taken.pk).update(deadline=moved)
    assert reminders_send_due(today=taken.deadline, source=CaseReminderSource())["not_due"] == 2
    assert not SmsMessage.objects.filter(event="reminder").exists()
