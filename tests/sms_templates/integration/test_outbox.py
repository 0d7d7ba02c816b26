"""The outbox: one row per (case, event, recipient), delivered after commit, retried, swept, resent."""

import pytest
from django.db import transaction

from sms_templates import tasks
from sms_templates.gateways import MemoryGateway, PermanentGatewayError, TransientGatewayError
from sms_templates.models import SmsMessage, SmsStatus
from sms_templates.services import sms_messages_resend, sms_outbox_write

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def _write(**overrides) -> SmsMessage:
    values = {
        "recipient": PHONE,
        "text": "尊敬的 黄林 先生/女士，您办理的工伤医疗费已受理。",
        "case_reference": "GS2026112400001",
        "event": "accepted",
    }
    return sms_outbox_write(**{**values, **overrides})


def _reload(message: SmsMessage) -> SmsMessage:
    return SmsMessage.objects.get(pk=message.pk)


def test_a_written_message_is_delivered_after_commit_with_its_id_as_idempotency_key(
    memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _write()
        assert _reload(message).status == SmsStatus.QUEUED  # nothing sent before the commit
        assert memory_gateway.requests == 0
    assert len(callbacks) == 1
    message = _reload(message)
    assert message.status == SmsStatus.SENT and message.attempts == 1
    assert message.sent_at is not None and message.next_attempt_at is None
    [sent] = memory_gateway.sent
    assert (sent.recipient, sent.idempotency_key, sent.message_id) == (
        PHONE,
        str(message.pk),
        message.gateway_message_id,
    )


def test_the_same_case_event_and_recipient_is_written_once(
    memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _write()
        second = _write(text="另一段文字")
        third = _write(recipient="138 0013 8000")  # the same number, written differently
    assert first.pk == second.pk == third.pk
    assert SmsMessage.objects.count() == 1 and len(callbacks) == 1
    assert len(memory_gateway.sent) == 1


def test_another_event_or_recipient_is_another_message(memory_gateway):
    _write()
    _write(event="completed")
    _write(recipient="13900139000")
    _write(event="reminder", occurrence="2026-11-24")
    _write(event="reminder", occurrence="2026-11-25")
    assert SmsMessage.objects.count() == 5


def test_a_bad_number_fails_at_once_with_a_reason_and_no_attempt(
    memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _write(recipient="1234567")
    message = _reload(message)
    assert message.status == SmsStatus.FAILED and message.attempts == 0
    assert (
        message.last_error
        == "手机号码“1234567”不是有效的中国大陆手机号码（应为 11 位数字，以 13–19 开头），短信未发送。"
    )
    assert callbacks == [] and memory_gateway.requests == 0
    assert tasks.sweep() == {"enqueued": 0, "reclaimed": 0, "given_up": 0}


def test_a_rolled_back_event_leaves_no_message_and_sends_nothing(
    memory_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _write()
                raise RuntimeError("the case event failed")
    assert callbacks == []
    assert not SmsMessage.objects.exists()
    assert memory_gateway.requests == 0


def test_a_transient_error_is_retried_with_exponential_backoff(memory_gateway, clock, settings):
    settings.SMS_RETRY_BACKOFF_SECONDS = 30
    message = _write()
    memory_gateway.failures = [TransientGatewayError("短信网关暂时不可用（HTTP 503）：-")] * 2
    assert tasks.deliver(message.pk) == tasks.RETRY
    message = _reload(message)
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 1)
    assert message.last_error == "短信网关暂时不可用（HTTP 503）：-"
    assert (message.next_attempt_at - clock.now).total_seconds() == 30
    clock.advance(29)
    assert tasks.sweep()["enqueued"] == 0  # not due yet
    clock.advance(1)
    assert tasks.sweep()["enqueued"] == 1  # runs deliver at once (sync test cluster): fails again
    message = _reload(message)
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 2)
    assert (message.next_attempt_at - clock.now).total_seconds() == 60
    clock.advance(60)
    tasks.sweep()
    message = _reload(message)
    assert (message.status, message.attempts, message.last_error) == (SmsStatus.SENT, 3, "")
    assert len(memory_gateway.sent) == 1 and memory_gateway.requests == 3


def test_retry_after_from_the_gateway_lengthens_the_wait(memory_gateway, clock, settings):
    settings.SMS_RETRY_BACKOFF_SECONDS = 30
    message = _write()
    memory_gateway.failures = [TransientGatewayError("429", retry_after=120)]
    tasks.deliver(message.pk)
    assert (_reload(message).next_attempt_at - clock.now).total_seconds() == 120


def test_after_the_maximum_number_of_attempts_the_message_fails_with_the_reason(
    memory_gateway, clock, settings
):
    settings.SMS_MAX_ATTEMPTS = 3
    message = _write()
    memory_gateway.failures = [TransientGatewayError("连接短信网关超时（3 秒）。")] * 5
    tasks.deliver(message.pk)
    for _ in range(2):
        clock.advance(settings.SMS_RETRY_BACKOFF_MAX_SECONDS)
        tasks.sweep()
    message = _reload(message)
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 3)
    assert message.last_error == "已尝试发送 3 次仍未成功，不再重试。最后一次错误：连接短信网关超时（3 秒）。"
    assert message.next_attempt_at is None
    clock.advance(settings.SMS_STALE_SECONDS * 10)
    assert tasks.sweep()["enqueued"] == 0 and memory_gateway.requests == 3


def test_a_permanent_error_fails_at_once(memory_gateway, clock):
    message = _write()
    memory_gateway.failures = [PermanentGatewayError("短信网关拒绝发送（HTTP 400）：号码不在服务范围")]
    assert tasks.deliver(message.pk) == tasks.FAILED
    message = _reload(message)
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 1)
    assert message.last_error == "短信网关拒绝发送（HTTP 400）：号码不在服务范围"
    clock.advance(86400)
    assert tasks.sweep()["enqueued"] == 0


def test_an_unexpected_exception_is_retried_rather_than_leaving_the_row_sending(memory_gateway, clock):
    message = _write()
    memory_gateway.failures = [ValueError("boom")]  # not a GatewayError: a bug in a backend
    assert tasks.deliver(message.pk) == tasks.RETRY
    assert _reload(message).status == SmsStatus.QUEUED and "意外错误" in _reload(message).last_error


def test_the_task_running_twice_sends_once(memory_gateway):
    message = _write()
    assert tasks.deliver(message.pk) == tasks.SENT
    assert tasks.deliver(message.pk) == tasks.SKIPPED
    assert memory_gateway.requests == 1 and len(memory_gateway.sent) == 1


class DiesAfterSending(MemoryGateway):
    """The worker process is killed right after the gateway took the message, before the row says sent."""

    def send(self, **kwargs):
        super().send(**kwargs)
        raise SystemExit("worker killed")


def test_a_worker_killed_after_sending_is_recovered_by_the_sweeper_and_the_gateway_sees_one_message(
    memory_gateway, clock, settings
):
    message = _write()
    settings.SMS_GATEWAY_BACKEND = f"{__name__}.DiesAfterSending"
    with pytest.raises(SystemExit):
        tasks.deliver(message.pk)
    assert _reload(message).status == SmsStatus.SENDING
    settings.SMS_GATEWAY_BACKEND = "sms_templates.gateways.MemoryGateway"
    clock.advance(settings.SMS_STALE_SECONDS - 1)
    assert tasks.sweep()["reclaimed"] == 0  # the lease still runs: the send might be in progress
    clock.advance(1)
    assert tasks.sweep() == {"enqueued": 1, "reclaimed": 1, "given_up": 0}
    message = _reload(message)
    assert (message.status, message.attempts) == (SmsStatus.SENT, 2)
    assert len(memory_gateway.sent) == 1  # deduplicated on the idempotency key
    assert memory_gateway.requests == 2
    assert message.gateway_message_id == memory_gateway.sent[0].message_id


def test_the_sweeper_enqueues_a_queued_row_whose_task_was_lost(memory_gateway, clock, settings):
    message = _write()  # the on-commit task never runs: a broker that lost it
    clock.advance(settings.SMS_STALE_SECONDS - 1)
    assert tasks.sweep()["enqueued"] == 0  # a fresh row belongs to its own task
    clock.advance(1)
    assert tasks.sweep()["enqueued"] == 1
    assert _reload(message).status == SmsStatus.SENT


def test_the_sweeper_does_not_enqueue_the_same_row_on_every_pass(settings, clock, monkeypatch):
    from sms_templates import services

    enqueued = []
    monkeypatch.setattr(services, "sms_delivery_enqueue", enqueued.append)  # a broker that loses tasks
    message = _write()
    clock.advance(settings.SMS_STALE_SECONDS)
    tasks.sweep()
    tasks.sweep()
    clock.advance(settings.SMS_STALE_SECONDS)  # that task was lost too: due again
    tasks.sweep()
    assert enqueued == [message.pk, message.pk]


def test_the_sweeper_gives_up_on_a_row_stuck_sending_after_the_last_attempt(memory_gateway, clock, settings):
    settings.SMS_MAX_ATTEMPTS = 1
    message = _write()
    settings.SMS_GATEWAY_BACKEND = f"{__name__}.DiesAfterSending"
    with pytest.raises(SystemExit):
        tasks.deliver(message.pk)
    clock.advance(settings.SMS_STALE_SECONDS)
    assert tasks.sweep()["given_up"] == 1
    message = _reload(message)
    assert message.status == SmsStatus.FAILED and "发送进程中断" in message.last_error


def test_resend_puts_failed_messages_back_with_a_fresh_budget(
    memory_gateway, django_capture_on_commit_callbacks
):
    failed = _write()
    SmsMessage.objects.filter(pk=failed.pk).update(status=SmsStatus.FAILED, attempts=6, last_error="x")
    bad_number = _write(recipient="110")
    sent = _write(event="completed")
    tasks.deliver(sent.pk)
    with django_capture_on_commit_callbacks(execute=True):
        report = sms_messages_resend(messages=SmsMessage.objects.all())
    assert (report.resent, report.invalid_number, report.not_failed) == (1, 1, 1)
    failed = _reload(failed)
    assert (failed.status, failed.attempts) == (SmsStatus.SENT, 1)
    assert _reload(bad_number).status == SmsStatus.FAILED
    assert len(memory_gateway.sent) == 2


@pytest.mark.django_db(transaction=True)
def test_real_commit_delivers_and_real_rollback_does_not(memory_gateway):
    with transaction.atomic():
        committed = _write(case_reference="C1")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _write(case_reference="C2")
            raise RuntimeError
    assert _reload(committed).status == SmsStatus.SENT
    assert list(SmsMessage.objects.values_list("case_reference", flat=True)) == ["C1"]
    assert [sms.idempotency_key for sms in memory_gateway.sent] == [str(committed.pk)]


def test_a_broker_down_at_commit_leaves_the_row_queued_for_the_sweeper(
    monkeypatch, django_capture_on_commit_callbacks, memory_gateway, clock, settings
):
    # Redis restarting while an event commits (tests/reliability/fault_sms_delivery.py, fault redis): the enqueue
    # fails after the commit. Django logs a failing robust on_commit callback by its __qualname__; the callback was
    # a functools.partial, which has none, so the log line itself raised AttributeError out of the commit — the
    # caller's committed case answered as an error.
    import redis
    from django_q import tasks as django_q_tasks

    broker_up = django_q_tasks.async_task

    def broker_down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(django_q_tasks, "async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _write()
    assert len(callbacks) == 1 and _reload(message).status == SmsStatus.QUEUED
    monkeypatch.setattr(
        django_q_tasks, "async_task", broker_up
    )  # back: the sweeper delivers once the lease ends
    clock.advance(settings.SMS_STALE_SECONDS)
    assert tasks.sweep()["enqueued"] == 1 and _reload(message).status == SmsStatus.SENT
