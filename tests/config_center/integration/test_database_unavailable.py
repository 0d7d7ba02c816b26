"""PostgreSQL restarting (a failover, an upgrade) answers 503 "retry", never a 500 page (issue 17).

tests/reliability/fault_database_restart.py restarts a real PostgreSQL under load; these tests pin each path it
found: an error in the view, in loading the session, in saving it after the view committed its work."""

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError

from core.middleware import is_unavailable

pytestmark = pytest.mark.django_db

MESSAGE = "数据库暂时无法连接，请稍后重试。"


def _wrapped(driver_error: Exception) -> OperationalError:
    """What Django raises for a driver error (``DatabaseErrorWrapper``: the driver's error as the cause)."""
    try:
        raise driver_error
    except Exception as error:
        try:
            raise OperationalError(str(error)) from error
        except OperationalError as wrapped:
            return wrapped


def refused(*args, **kwargs):
    raise _wrapped(psycopg.OperationalError('connection failed: connection to server at "127.0.0.1" failed'))


def terminated(*args, **kwargs):
    raise _wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))


def closed(*args, **kwargs):
    raise InterfaceError("connection already closed")


@pytest.mark.parametrize("failure", [refused, terminated, closed])
def test_the_api_answers_503_database_unavailable_in_json(client, reference_data, monkeypatch, failure):
    monkeypatch.setattr("catalog.selectors.channel_list", failure)
    response = client.get("/api/v1/channels")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"reason_code": "database_unavailable", "message": MESSAGE}


def test_a_page_answers_503_in_chinese(admin_client, monkeypatch):
    monkeypatch.setattr("config_center.project.admin_site.ConsoleAdminSite.get_app_list", refused)
    response = admin_client.get("/admin/")
    assert response.status_code == 503 and MESSAGE in response.content.decode()
    assert response["Retry-After"] == "5"


def test_a_mistake_in_a_query_is_not_disguised_as_an_outage(client, reference_data, monkeypatch):
    def undefined_table(*args, **kwargs):
        raise _wrapped(psycopg.errors.UndefinedTable('relation "catalog_channel" does not exist'))

    monkeypatch.setattr("catalog.selectors.channel_list", undefined_table)
    with pytest.raises(OperationalError):
        client.get("/api/v1/channels")


def test_which_errors_are_an_outage():
    assert is_unavailable(_wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
    assert is_unavailable(_wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")))
    assert is_unavailable(InterfaceError("connection already closed"))
    assert not is_unavailable(OperationalError("database is locked"))  # SQLite: busy, not gone
    assert not is_unavailable(_wrapped(psycopg.errors.UndefinedTable("no such relation")))
    assert not is_unavailable(ValueError("connection failed"))


def test_a_session_that_cannot_be_loaded_leaves_the_503(admin_client, reference_data, monkeypatch, settings):
    # The view meets the outage through the session (request.user); the middleware then reads the session's
    # expiry to refresh its cookie, and met it again: a 500 on main.
    settings.SESSION_SAVE_EVERY_REQUEST = True
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", refused)
    response = admin_client.get("/api/v1/cases/2612031002340001")
    assert response.status_code == 503 and response.json()["reason_code"] == "database_unavailable"


def test_work_committed_before_the_session_save_failed_keeps_its_answer(
    admin_client, reference_data, monkeypatch, settings
):
    # The idle timeout saves the session after every request; the view had answered (and committed) when the
    # database went away: a 400 "session interrupted" on main, though the work was done.
    settings.SESSION_SAVE_EVERY_REQUEST = True
    admin_client.get("/api/v1/channels")  # the session is loaded and cached from here on in the request
    monkeypatch.setattr(Session, "save", terminated)
    response = admin_client.get("/api/v1/channels")
    assert response.status_code == 200 and response.json()["count"] > 0


def test_a_changed_session_that_could_not_be_saved_answers_503(
    client, reference_data, superuser, monkeypatch
):
    # A login is a changed session: the view creates the session row, the middleware stores the signed-in user in
    # it after the view. If the database went away in between, the user is not signed in and must be told.
    create = Session.save

    def terminated_on_update(self, *args, **kwargs):
        if kwargs.get("force_update"):
            terminated()
        return create(self, *args, **kwargs)

    monkeypatch.setattr(Session, "save", terminated_on_update)
    response = client.post(
        "/admin/login/", {"username": superuser.username, "password": "pw-for-tests-only", "next": "/admin/"}
    )
    assert response.status_code == 503 and MESSAGE in response.content.decode()
