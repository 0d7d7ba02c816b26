"""Delivery through the HTTP gateway backend to a fake gateway on 127.0.0.1 that fails some requests."""

import pytest

from sms_templates import tasks
from sms_templates.models import SmsMessage, SmsStatus
from sms_templates.services import sms_outbox_write
from tests.sms_templates.fake_gateway import FakeGateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    gateway = FakeGateway(token="s3cret", slow_seconds=0.6).start()
    settings.SMS_GATEWAY_BACKEND = "sms_templates.gateways.HttpGateway"
    settings.SMS_HTTP_GATEWAY = {
        **settings.SMS_HTTP_GATEWAY,
        "URL": gateway.url,
        "TOKEN": "s3cret",
        "CONNECT_TIMEOUT": 1,
        "READ_TIMEOUT": 0.3,
    }
    yield gateway
    gateway.stop()


def _write(case_reference: str) -> SmsMessage:
    return sms_outbox_write(
        recipient="13800138000",
        text="您办理的工伤医疗费已办结。",
        case_reference=case_reference,
        event="completed",
    )


def _status(message):
    return SmsMessage.objects.values_list("status", "attempts").get(pk=message.pk)


def test_503_then_success_is_one_message_after_a_retry(fake, clock):
    message = _write("C1")
    fake.script[str(message.pk)] = ["503"]
    assert tasks.deliver(message.pk) == tasks.RETRY
    clock.advance(3600)
    tasks.sweep()
    assert _status(message) == (SmsStatus.SENT, 2)
    assert fake.taken == 1 and fake.requests[str(message.pk)] == 2


def test_a_read_timeout_after_the_gateway_took_the_message_still_delivers_once(fake, clock):
    message = _write("C1")
    fake.script[str(message.pk)] = ["slow_accept"]
    assert tasks.deliver(message.pk) == tasks.RETRY
    clock.advance(3600)
    tasks.sweep()
    assert _status(message) == (SmsStatus.SENT, 2)
    assert fake.taken == 1 and fake.duplicates == 1
    assert SmsMessage.objects.get(pk=message.pk).gateway_message_id == fake.messages[str(message.pk)]["id"]


def test_a_permanent_refusal_fails_with_the_gateways_reason(fake, clock):
    message = _write("C1")
    fake.script[str(message.pk)] = ["400"]
    assert tasks.deliver(message.pk) == tasks.FAILED
    row = SmsMessage.objects.get(pk=message.pk)
    assert row.status == SmsStatus.FAILED
    assert (
        row.last_error
        == '短信网关拒绝发送（HTTP 400）：{"code": "invalid_phone", "message": "号码不在服务范围"}'
    )


def test_a_gateway_that_keeps_failing_ends_in_failed_after_the_maximum(fake, clock, settings):
    settings.SMS_MAX_ATTEMPTS = 4
    message = _write("C1")
    fake.script[str(message.pk)] = ["503", "429", "slow", "500"]
    tasks.deliver(message.pk)
    for _ in range(5):
        clock.advance(3600)
        tasks.sweep()
    row = SmsMessage.objects.get(pk=message.pk)
    assert (row.status, row.attempts) == (SmsStatus.FAILED, 4)
    assert row.last_error.startswith("已尝试发送 4 次仍未成功") and "HTTP 500" in row.last_error
    assert fake.taken == 0 and fake.requests[str(message.pk)] == 4


def test_many_messages_with_some_failures_each_reach_the_gateway_exactly_once(fake, clock):
    fake.fail_first_every = 3
    messages = [_write(f"C{i}") for i in range(30)]
    for message in messages:
        tasks.deliver(message.pk)
    tasks.deliver(messages[0].pk)  # a duplicate task
    clock.advance(3600)
    tasks.sweep()
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}
    assert fake.taken == 30 and fake.failures > 0
    assert sorted(fake.messages) == sorted(str(m.pk) for m in messages)
