"""The HTTP gateway backend against a fake gateway on 127.0.0.1: success, transient and permanent errors."""

import json
import socket
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from sms_templates.gateways import (
    ConsoleGateway,
    HttpGateway,
    MemoryGateway,
    PermanentGatewayError,
    TransientGatewayError,
    get_gateway,
)
from tests.sms_templates.fake_gateway import FakeGateway


@pytest.fixture
def fake():
    gateway = FakeGateway(token="s3cret", slow_seconds=0.6).start()
    yield gateway
    gateway.stop()


def _client(fake, **options):
    return HttpGateway(url=fake.url, token="s3cret", connect_timeout=1, read_timeout=0.3, **options)


def test_a_sent_message_returns_the_gateway_id_and_carries_the_idempotency_key(fake):
    message_id = _client(fake).send(recipient="13800138000", text="您好，黄林", idempotency_key="42")
    assert message_id == "gw-1"
    assert fake.messages["42"]["phone"] == "13800138000"
    assert fake.messages["42"]["content"] == "您好，黄林"


def test_the_same_idempotency_key_twice_is_one_message_at_the_gateway(fake):
    client = _client(fake)
    first = client.send(recipient="13800138000", text="x", idempotency_key="7")
    second = client.send(recipient="13800138000", text="x", idempotency_key="7")
    assert first == second and fake.taken == 1 and fake.duplicates == 1


@pytest.mark.parametrize("status", ["503", "500", "429"])
def test_5xx_and_429_are_transient(fake, status):
    fake.script["1"] = [status]
    with pytest.raises(TransientGatewayError) as caught:
        _client(fake).send(recipient="13800138000", text="x", idempotency_key="1")
    assert f"HTTP {status}" in caught.value.message and "暂时不可用" in caught.value.message
    assert caught.value.retry_after == 0
    assert fake.taken == 0


def test_a_4xx_with_an_error_body_is_permanent_and_names_the_reason(fake):
    fake.script["1"] = ["400"]
    with pytest.raises(PermanentGatewayError) as caught:
        _client(fake).send(recipient="13800138000", text="x", idempotency_key="1")
    assert "HTTP 400" in caught.value.message and "号码不在服务范围" in caught.value.message


def test_wrong_credentials_are_permanent(fake):
    client = HttpGateway(url=fake.url, token="wrong", connect_timeout=1, read_timeout=1)
    with pytest.raises(PermanentGatewayError, match="HTTP 401"):
        client.send(recipient="13800138000", text="x", idempotency_key="1")


def test_a_slow_answer_is_a_read_timeout_and_transient(fake):
    fake.script["1"] = ["slow"]
    started = time.monotonic()
    with pytest.raises(TransientGatewayError, match="响应超时（0.3 秒）"):
        _client(fake).send(recipient="13800138000", text="x", idempotency_key="1")
    assert time.monotonic() - started < 0.55  # cut off at the read timeout, not when the gateway answers


def test_a_timeout_after_the_gateway_took_the_message_is_deduplicated_on_retry(fake):
    fake.script["1"] = ["slow_accept"]
    client = _client(fake)
    with pytest.raises(TransientGatewayError):
        client.send(recipient="13800138000", text="x", idempotency_key="1")
    assert client.send(recipient="13800138000", text="x", idempotency_key="1") == "gw-1"
    assert fake.taken == 1 and fake.requests["1"] == 2


def test_a_refused_connection_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpGateway(url=f"http://127.0.0.1:{port}/send", connect_timeout=0.5, read_timeout=0.5)
    with pytest.raises(TransientGatewayError, match="无法连接短信网关"):
        client.send(recipient="13800138000", text="x", idempotency_key="1")


def test_basic_auth_is_sent_when_a_username_is_configured():
    client = HttpGateway(url="http://127.0.0.1:9/send", username="user", password="pw")
    assert client.auth_header == "Basic dXNlcjpwdw=="


def test_a_2xx_without_an_id_still_counts_as_sent():
    client = HttpGateway(url="http://127.0.0.1:9/send")
    assert client._interpret(202, None, b"accepted") == ""
    assert client._interpret(200, None, json.dumps({"id": 5}).encode()) == "5"


def test_an_http_gateway_without_a_url_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        HttpGateway(url="")


def test_the_backend_is_chosen_by_dotted_path(settings):
    assert isinstance(get_gateway(), ConsoleGateway)  # the default
    settings.SMS_GATEWAY_BACKEND = "sms_templates.gateways.MemoryGateway"
    assert isinstance(get_gateway(), MemoryGateway)
    settings.SMS_GATEWAY_BACKEND = "sms_templates.gateways.Nope"
    with pytest.raises(ImproperlyConfigured):
        get_gateway()


def test_the_console_backend_logs_and_returns_a_made_up_id(caplog):
    with caplog.at_level("INFO", logger="sms_templates.gateways"):
        message_id = ConsoleGateway().send(recipient="13800138000", text="测试短信", idempotency_key="9")
    assert message_id.startswith("console-")
    assert "测试短信" in caplog.text
