"""A locked database (SQLite behind a large import) answers "please wait", never a 500 (issue 11)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_the_api_answers_503_in_json(client, reference_data, monkeypatch):
    monkeypatch.setattr("catalog.selectors.channel_list", locked)
    response = client.get("/api/v1/channels")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {
        "reason_code": "database_busy",
        "message": "系统正在处理其他写入（例如导入配置），请稍后重试。",
    }


def test_a_page_answers_503_in_chinese(admin_client, monkeypatch):
    monkeypatch.setattr("config_center.project.admin_site.ConsoleAdminSite.get_app_list", locked)
    response = admin_client.get("/admin/")
    assert response.status_code == 503 and "请稍后重试" in response.content.decode()


def test_publishing_from_the_command_line_says_so_without_a_traceback(reference_data, superuser, monkeypatch):
    monkeypatch.setattr("config_center.management.commands.publish_config.release_publish", locked)
    with pytest.raises(CommandError, match=r"\[database_busy\] 系统正在处理其他写入"):
        call_command(
            "publish_config", "--region", "442000", "--user", superuser.username, "--comment", "发布"
        )


def test_other_database_errors_are_not_disguised(client, reference_data, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: catalog_channel")

    monkeypatch.setattr("catalog.selectors.channel_list", broken)
    with pytest.raises(OperationalError):
        client.get("/api/v1/channels")
