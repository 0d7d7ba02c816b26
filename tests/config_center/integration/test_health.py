"""/healthz for a load balancer: the shape when healthy, 503 naming a failing part, cheap, any Host, plain HTTP,
no login, no session, GET/HEAD only, and silent when healthy."""

import logging

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config_center.project import health
from config_center.runtime.holder import runtime
from tests.config_center.integration.test_runtime import published  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_healthy_answer_names_every_part_and_what_the_runtime_serves(client, published):  # noqa: F811
    runtime.snapshot()  # the process has built its snapshot (gunicorn workers do so before serving)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "ok")
    assert body["queue_backlog"] == 0
    assert "failing" not in body
    assert body["runtime"]["releases"] == {"442000": 1}
    assert body["runtime"]["built_at"] == runtime.serving.since.isoformat()
    assert body["runtime"]["version"] == runtime.serving.version


def test_queue_backlog_counts_the_tasks_waiting_in_the_broker(client):
    broker = health._get_broker()
    broker.enqueue("a task no cluster takes in this test")
    assert client.get("/healthz").json()["queue_backlog"] == 1


def _fail(*_args, **_kwargs):
    raise OperationalError("connection refused")


def test_database_down_answers_503_naming_it(client, monkeypatch):
    monkeypatch.setattr(health.connection, "cursor", _fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    # The ORM broker of the tests keeps its queue in the same database, so it fails with it (Redis would not).
    assert body["failing"] == ["database", "broker"]
    assert body["database"] == "error: OperationalError"
    assert body["status"] == "fail"
    assert "refused" not in response.content.decode()  # the type only: the answer is public


def test_cache_down_answers_503_naming_it(client, monkeypatch):
    monkeypatch.setattr(health.cache, "set", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("down")))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["cache"] == "error: ConnectionError"


def test_cache_that_loses_what_was_set_is_failing(client, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *a, **k: None)
    assert client.get("/healthz").json()["failing"] == ["cache"]


def test_broker_down_answers_503_naming_it(client, monkeypatch):
    class DownBroker:
        def ping(self):
            raise ConnectionError("Can not connect to Redis server.")

        def queue_size(self):
            raise AssertionError("not asked once the ping failed")

    monkeypatch.setattr(health, "_broker", DownBroker())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["broker"] == "error: ConnectionError"
    assert body["queue_backlog"] is None
    assert body["database"] == body["cache"] == "ok"


def test_a_probe_costs_at_most_two_tiny_queries(client, published):  # noqa: F811
    runtime.snapshot()
    client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    # SELECT 1, and the ORM broker's queue length (with REDIS_URL the broker asks Redis: one query).
    assert len(queries) <= 2, [q["sql"] for q in queries]
    assert queries[0]["sql"] == "SELECT 1"


def test_no_login_no_session_and_no_cookie(client, django_user_model):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert not response.cookies
    assert "Vary" not in response or "Cookie" not in response["Vary"]


def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/healthz")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD"


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_REDIRECT_EXEMPT=[r"^healthz$"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ALLOWED_HOSTS=["console.example.cn"],
    DEBUG=False,
)
def test_plain_http_probe_with_a_node_address_is_answered_not_redirected(client):
    # A load balancer probes the node's address over plain HTTP: neither redirected nor refused for its Host.
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    # Everything else still is: the admin over plain HTTP is redirected, an unknown Host refused.
    assert client.get("/admin/login/", HTTP_HOST="console.example.cn").status_code == 301
    assert client.get("/admin/login/", HTTP_HOST="10.0.3.17:8000").status_code == 400


def test_route_is_exempt_from_the_redirect_without_the_middleware(client, settings):
    # Should the middleware be left out, the URL route answers, and SECURE_REDIRECT_EXEMPT keeps it on plain HTTP.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("HealthCheckMiddleware")]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 301


def test_a_healthy_probe_logs_nothing_at_info(client, caplog):
    client.get("/healthz")
    with caplog.at_level(logging.INFO):
        assert client.get("/healthz").status_code == 200
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []


def test_a_failing_probe_is_logged_once_as_a_warning_with_its_cause(client, monkeypatch, caplog):
    monkeypatch.setattr(health.connection, "cursor", _fail)
    with caplog.at_level(logging.INFO):
        client.get("/healthz")
    # The ORM broker reads the same database here: it is named as failing too, not only the database.
    records = [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    assert ("config_center.project.health", "WARNING", "healthz: database failed") in records
    assert all(name != "django.request" for name, _level, _message in records)
