"""API clients (接口调用方): the command, the token (hash only), the gate of the reads, rate limits, rotation and
revocation reaching the running process, the admin screen (province-wide only, queries fixed, the token once)
and the 变更记录 entries."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from catalog.models import Region
from permissions import api_auth, api_rules
from permissions.models import ApiClient, Role
from permissions.services import api_client_revoke, api_client_rotate, assignment_create
from tests.factories.api_clients import api_client, bearer, fresh_api_counters  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_api_counters")]

CHANNELS = "/api/v1/channels"
TOKEN_LINE = re.compile(r"^gsk_[A-Za-z0-9_\-]{43}$", re.MULTILINE)
TOKEN_IN_PAGE = re.compile(r'<div class="api-token">(gsk_[A-Za-z0-9_\-]{43})</div>')


def create(*args) -> str:
    out = StringIO()
    call_command("create_api_client", *args, stdout=out)
    return out.getvalue()


def refused(response, status: int, reason_code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["reason_code"] == reason_code and body["message"], body
    return body


# ---- the command ------------------------------------------------------------------------------------------
def test_the_command_prints_the_token_once_and_stores_only_its_hash(reference_data):
    output = create(
        "粤省事", "--scope", "cases:write,reads", "--city", "4420", "--agency", "440199", "--rate", "30"
    )
    token = TOKEN_LINE.search(output).group(0)
    client = ApiClient.objects.get(name="粤省事")
    assert client.token_hash == api_rules.token_hash(token) and client.token_prefix == token[:12]
    assert client.scope_names == ("cases:write", "reads") and client.rate_limit == 30
    assert [region.code for region in client.cities.all()] == ["442000"]
    assert [agency.code for agency in client.agencies.all()] == ["440199"]
    user = client.user
    assert user.username == "api.粤省事" and not user.has_usable_password() and not user.is_staff
    # The token itself is nowhere in the database: not on the client, not in its history.
    stored = [str(value) for row in ApiClient.objects.values() for value in row.values()]
    stored += [str(value) for row in ApiClient.history.values() for value in row.values()]
    assert not any(token in value for value in stored)
    assert "token_hash" not in {field.name for field in ApiClient.history.model._meta.fields}


def test_the_default_rate_limit_comes_from_the_setting(reference_data):
    with override_settings(API_CLIENT_RATE_LIMIT=77):
        create("网厅", "--scope", "reads")
    assert ApiClient.objects.get(name="网厅").rate_limit == 77


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--scope", "cases:write,admin"], "未知的接口权限：admin"),
        (["X", "--scope", "cases:write", "--city", "442001"], "不是地级市或全省的区划代码：442001"),
        (["X", "--scope", "cases:write", "--agency", "999999"], "经办机构不存在或已停用：999999"),
        (["含 空格", "--scope", "reads"], "名称只能包含"),
    ],
)
def test_the_command_refuses_what_does_not_exist_and_writes_nothing(reference_data, args, message):
    with pytest.raises(CommandError, match=message):
        create(*args)
    assert (
        not ApiClient.objects.exists()
        and not get_user_model().objects.filter(username__startswith="api.").exists()
    )


def test_a_name_whose_service_user_is_taken_is_refused(reference_data):
    get_user_model().objects.create_user("api.自助机")
    with pytest.raises(CommandError, match="已被占用"):
        create("自助机", "--scope", "reads")


# ---- the gate of the reads --------------------------------------------------------------------------------
def test_reads_are_open_without_a_token_by_default(reference_data):
    assert Client().get(CHANNELS).status_code == 200


def test_a_token_sent_to_an_open_read_is_still_checked(reference_data):
    _client, token = api_client(scopes=("cases:write",))
    assert Client().get(CHANNELS, **bearer(token)).status_code == 200  # no "reads" needed while they are open
    refused(Client().get(CHANNELS, **bearer(token + "x")), 401, "invalid_token")
    refused(Client().get(CHANNELS, HTTP_AUTHORIZATION="Basic YTpi"), 401, "invalid_token")


@override_settings(API_READS_REQUIRE_CLIENT=True)
def test_closed_reads_need_a_client_with_reads_or_a_console_session(reference_data, superuser):
    _reader, token = api_client("网厅", scopes=("reads",))
    _writer, writer_token = api_client("自助机", scopes=("cases:write",))
    refused(Client().get(CHANNELS), 401, "client_required")
    refused(Client().post("/api/v1/route", {}, content_type="application/json"), 401, "client_required")
    refused(
        Client().get("/api/v1/checklist?matter=GS0101&region=442000&channel=counter"), 401, "client_required"
    )
    assert Client().get(CHANNELS, **bearer(token)).status_code == 200
    refused(Client().get(CHANNELS, **bearer(writer_token)), 403, "scope_missing")
    refused(Client().get(CHANNELS, **bearer("gsk_" + "a" * 43)), 401, "invalid_token")
    console = Client()
    console.force_login(superuser)
    assert console.get(CHANNELS).status_code == 200


# ---- rate limits ------------------------------------------------------------------------------------------
def test_over_the_limit_a_client_gets_429_with_retry_after_then_is_served_in_the_next_minute(
    reference_data, monkeypatch
):
    client, token = api_client(scopes=("reads",), rate_limit=2)
    minute_start = 1_800_000_000.0 - 1_800_000_000.0 % 60
    monkeypatch.setattr(api_auth, "_now", lambda: minute_start + 45.5)
    http = Client()
    assert [http.get(CHANNELS, **bearer(token)).status_code for _ in range(2)] == [200, 200]
    response = http.get(CHANNELS, **bearer(token))
    body = refused(response, 429, "rate_limited")
    assert response["Retry-After"] == "15" and body["retry_after"] == 15
    assert "每分钟最多 2 次" in body["message"]
    monkeypatch.setattr(api_auth, "_now", lambda: minute_start + 60.1)
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    # Another client has a budget of its own; a call without a token is not counted at all.
    _other, other_token = api_client("网厅", scopes=("reads",), rate_limit=2)
    assert http.get(CHANNELS, **bearer(other_token)).status_code == 200
    assert all(http.get(CHANNELS).status_code == 200 for _ in range(5))
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_last_use_is_written_once_a_minute_not_on_every_call(reference_data, django_assert_num_queries):
    _client, token = api_client(scopes=("reads",))
    http = Client()
    http.get(CHANNELS, **bearer(token))  # the first call of the minute: client loaded, 最近调用 written
    with django_assert_num_queries(2):  # the page and its count; nothing for the client
        assert http.get(CHANNELS, **bearer(token)).status_code == 200


# ---- rotation and revocation reach the process at once -----------------------------------------------------
def test_a_rotated_token_is_refused_at_once_and_the_new_one_works(
    reference_data, django_capture_on_commit_callbacks
):
    client, token = api_client(scopes=("reads",))
    http = Client()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200  # now kept in this process
    with django_capture_on_commit_callbacks(execute=True):
        new_token = api_client_rotate(client=client)
    refused(http.get(CHANNELS, **bearer(token)), 401, "invalid_token")
    assert http.get(CHANNELS, **bearer(new_token)).status_code == 200
    assert ApiClient.history.filter(id=client.pk).first().history_change_reason == "轮换令牌"


def test_a_revoked_client_is_refused_at_once_though_its_token_was_kept(
    reference_data, django_capture_on_commit_callbacks
):
    client, token = api_client(scopes=("reads",))
    http = Client()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        api_client_revoke(client=client)
    refused(http.get(CHANNELS, **bearer(token)), 401, "invalid_token")
    assert not get_user_model().objects.get(pk=client.user_id).is_active


def test_another_process_sees_a_revoke_through_the_generation_not_its_memory(reference_data):
    """A revoke in another process (simulated: the row changes, the generation moves, this memory stays)."""
    client, token = api_client(scopes=("reads",))
    http = Client()
    assert http.get(CHANNELS, **bearer(token)).status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)  # the other process's write …
    assert http.get(CHANNELS, **bearer(token)).status_code == 200  # … not yet announced: served from memory
    kept = dict(api_auth._memo)
    api_auth.clients_changed()  # … and its announcement (the cache), which clears only its own memory
    api_auth._memo.update(kept)
    refused(http.get(CHANNELS, **bearer(token)), 401, "invalid_token")


# ---- the admin screen -------------------------------------------------------------------------------------
def _province_api_admin(username: str = "gd_api_admin"):
    role = Role.objects.create(code="api_admin", name="接口管理员", allow_province=True)
    role.permissions.set(Permission.objects.filter(codename__endswith="_apiclient"))
    user = get_user_model().objects.create_user(username, password="pw-long-enough-1")
    assignment_create(user=user, role=role, region=Region.objects.get(code="440000"))
    return user, role


def test_only_province_wide_administrators_manage_clients(reference_data):
    user, role = _province_api_admin()
    city_user = get_user_model().objects.create_user("zs_api_admin", password="pw-long-enough-1")
    role.allow_city = True
    role.save()
    assignment_create(user=city_user, role=role, region=Region.objects.get(code="442000"))
    client, _token = api_client()
    changelist = reverse("admin:permissions_apiclient_changelist")
    province, city = Client(), Client()
    province.force_login(user)
    city.force_login(city_user)
    assert province.get(changelist).status_code == 200
    assert province.get(reverse("admin:permissions_apiclient_change", args=[client.pk])).status_code == 200
    assert city.get(changelist).status_code == 403
    assert city.get(reverse("admin:permissions_apiclient_change", args=[client.pk])).status_code in (302, 403)
    assert city.get(reverse("admin:permissions_apiclient_add")).status_code == 403


def test_the_client_list_costs_the_same_queries_for_1_and_20_clients(admin_client, reference_data):
    url = reverse("admin:permissions_apiclient_changelist")
    api_client("c0", cities=("442000",), agencies=("440199",))
    admin_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for number in range(1, 20):
        api_client(
            f"c{number}", scopes=("reads", "cases:write"), cities=("442000", "440100"), agencies=("440199",)
        )
    with CaptureQueriesContext(connection) as twenty:
        response = admin_client.get(url)
    assert response.status_code == 200 and response.content.decode().count("2 个地市，1 个机构") == 19
    assert len(twenty) == len(one)


def test_adding_a_client_in_the_admin_shows_its_token_once_and_it_works(admin_client, reference_data):
    response = admin_client.post(
        reverse("admin:permissions_apiclient_add"),
        {
            "name": "自助机",
            "description": "中山市自助终端",
            "scopes": ["reads", "cases:write"],
            "cities": [Region.objects.get(code="442000").pk],
            "rate_limit": "120",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = TOKEN_IN_PAGE.search(response.content.decode()).group(1)
    client = ApiClient.objects.get(name="自助机")
    assert client.scopes == "cases:write reads" and client.rate_limit == 120
    assert client.access().acts_for("442099")
    with override_settings(API_READS_REQUIRE_CLIENT=True):
        assert Client().get(CHANNELS, **bearer(token)).status_code == 200
    # The change page shows the visible prefix only.
    page = admin_client.get(reverse("admin:permissions_apiclient_change", args=[client.pk])).content.decode()
    assert client.token_prefix in page and token not in page


def test_the_rotate_action_shows_new_tokens_and_the_revoke_action_stops_clients(
    admin_client, reference_data, django_capture_on_commit_callbacks
):
    first, old_token = api_client("c1", scopes=("reads",))
    second, _ = api_client("c2", scopes=("reads",))
    url = reverse("admin:permissions_apiclient_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"action": "rotate_tokens", "_selected_action": [first.pk]})
    assert response.status_code == 200
    new_token = TOKEN_IN_PAGE.search(response.content.decode()).group(1)
    assert new_token != old_token
    http = Client()
    refused(http.get(CHANNELS, **bearer(old_token)), 401, "invalid_token")
    assert http.get(CHANNELS, **bearer(new_token)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "revoke_clients", "_selected_action": [first.pk, second.pk]})
    assert not ApiClient.objects.filter(is_active=True).exists()
    refused(http.get(CHANNELS, **bearer(new_token)), 401, "invalid_token")


def test_clients_cannot_be_deleted_only_revoked(admin_client, reference_data):
    client, _ = api_client()
    assert (
        admin_client.get(reverse("admin:permissions_apiclient_delete", args=[client.pk])).status_code == 403
    )


def test_the_change_history_names_creation_rotation_and_revocation(admin_client, reference_data):
    client, _ = api_client()
    api_client_rotate(client=client)
    api_client_revoke(client=client)
    reasons = list(
        ApiClient.history.filter(id=client.pk)
        .order_by("history_id")
        .values_list("history_change_reason", flat=True)
    )
    assert reasons[0] == "创建接口调用方" and reasons[-2:] == ["轮换令牌", "吊销令牌"]
    timeline = admin_client.get(reverse("admin:config_center_auditlog_changelist"), {"q": client.name})
    assert timeline.status_code == 200 and "接口调用方" in timeline.content.decode()


def test_a_client_page_costs_the_same_queries_for_1_and_many_places(admin_client, reference_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Agency

    few, _ = api_client("few", cities=("442000",), agencies=("440199",))
    many, _ = api_client("many")
    many.cities.set(Region.objects.filter(level=Region.Level.CITY))
    many.agencies.set(Agency.objects.all())
    counts = []
    for client in (few, many):
        url = reverse("admin:permissions_apiclient_change", args=[client.pk])
        admin_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert many.cities.count() > 10 and counts[0] == counts[1]


@override_settings(API_READS_REQUIRE_CLIENT=True)
def test_a_closed_read_without_a_session_middleware_is_refused_not_an_error():
    """Paths the session middleware leaves alone carry no ``request.user``: the gate refuses, it does not fail."""
    from django.test import RequestFactory

    from core.api import ApiError

    with pytest.raises(ApiError) as refusal:
        api_auth.reads_gate(RequestFactory().get(CHANNELS))
    assert (refusal.value.status, refusal.value.reason_code) == (401, "client_required")
