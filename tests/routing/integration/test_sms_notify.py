"""sms_notify: the published slot's template, rendered with the case's facts, written to the outbox."""

import pytest
from django.db import transaction

from config_center.runtime.holder import runtime
from routing.services import SmsNotifyRefused, sms_notify
from sms_templates.models import SmsMessage, SmsStatus, SmsTemplate
from tests.routing.fixtures import CASE_FACTS

pytestmark = pytest.mark.django_db

CASE = {
    "matter": "GS0101",
    "region": "442000",
    "recipient": "13800138000",
    "case_reference": "GS2026112400001",
}


def test_accepted_sends_the_slots_template_with_the_case_facts(
    published_sms, memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():  # the case event's transaction
            message = sms_notify(event="accepted", facts=CASE_FACTS, **CASE)
    message.refresh_from_db()
    expected = (
        "尊敬的 黄林 先生/女士,你好, 您办理的工伤医疗费在2026年11月24日受理成功。"
        "受理回执号2201091444546597，由中山市社会保险基金管理局负责办理。"
    )
    assert message.text == expected
    assert (message.event, message.matter, message.region.code) == ("accepted", "GS0101", "442000")
    assert message.template.function_code == "GS_SL_01"
    assert message.status == SmsStatus.SENT
    assert [sms.text for sms in memory_gateway.sent] == [expected]


def test_an_event_without_a_template_in_its_slot_sends_nothing(published_sms, memory_gateway):
    assert sms_notify(event="received", facts=CASE_FACTS, **CASE) is None
    assert not SmsMessage.objects.exists()


def test_the_id_number_is_masked_unless_the_template_allows_it(published_sms):
    template = SmsTemplate.objects.get(function_code="GS_ZHZ_01")
    SmsTemplate.objects.filter(pk=template.pk).update(content="XM（SFZH）的YWMC已中止：CZYJP")
    masked = sms_notify(event="suspended", facts=CASE_FACTS, **CASE)
    assert masked.text == "黄林（4****************4）的工伤医疗费已中止：待补正医疗收费票据"
    SmsTemplate.objects.filter(pk=template.pk).update(allow_full_id_number=True)
    full = sms_notify(event="suspended", facts=CASE_FACTS, **{**CASE, "case_reference": "GS2"})
    assert "442000199001011234" in full.text


def test_names_are_masked_when_the_template_says_so(published_sms):
    SmsTemplate.objects.filter(function_code="GS_BJ_01").update(
        content="XM为CBR办理的YWMC已办结", mask_names=True
    )
    message = sms_notify(event="completed", facts={**CASE_FACTS, "CBR": "欧阳娜娜"}, **CASE)
    assert message.text == "黄**为欧阳**办理的工伤医疗费已办结"


def test_the_same_event_of_the_same_case_is_one_message(published_sms, memory_gateway):
    first = sms_notify(event="accepted", facts=CASE_FACTS, **CASE)
    second = sms_notify(event="accepted", facts=CASE_FACTS, **CASE)
    assert first.pk == second.pk and SmsMessage.objects.count() == 1


def test_a_rolled_back_case_event_sends_nothing(
    published_sms, memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                sms_notify(event="accepted", facts=CASE_FACTS, **CASE)
                raise RuntimeError("受理 failed")
    assert callbacks == [] and not SmsMessage.objects.exists() and memory_gateway.requests == 0


def test_a_bad_recipient_is_a_failed_message_with_the_reason(published_sms, memory_gateway):
    message = sms_notify(event="accepted", facts=CASE_FACTS, **{**CASE, "recipient": "0760-88888888"})
    assert message.status == SmsStatus.FAILED and "不是有效的中国大陆手机号码" in message.last_error


def test_an_inactive_template_sends_nothing(published_sms):
    SmsTemplate.objects.filter(function_code="GS_SL_01").update(is_active=False)
    assert sms_notify(event="accepted", facts=CASE_FACTS, **CASE) is None


def test_only_the_published_slots_count_not_the_draft(published_sms):
    published_sms.sms_slots.filter(event="accepted").delete()  # a draft change, not published
    runtime.reset()
    assert sms_notify(event="accepted", facts=CASE_FACTS, **CASE) is not None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"event": "nonsense"}, "unknown_event"),
        ({"matter": "GS9999"}, "unknown_matter"),
        ({"region": "440300"}, "not_bound"),
    ],
)
def test_what_the_configuration_cannot_answer_is_refused_with_its_reason(published_sms, overrides, reason):
    arguments = {"event": "accepted", "facts": CASE_FACTS, **CASE, **overrides}
    with pytest.raises(SmsNotifyRefused) as caught:
        sms_notify(**arguments)
    assert caught.value.reason_code == reason
