"""The runtime engine over published releases: zero queries per answer, reload on publish, the JSON API."""

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Channel, Material, Matter, Region
from config_center.drafts.models import ChecklistItem, LocalMatter
from config_center.drafts.services import local_matter_bind
from config_center.releases.services import release_publish, release_rollback
from config_center.runtime.holder import RuntimeEngine, runtime
from routing import decisions

ROOT = Path(__file__).resolve().parents[3]


def _configure(superuser, *, mode="province") -> LocalMatter:
    zhongshan = Region.objects.get(code="442000")
    local_matter_bind(
        region=zhongshan, matters=Matter.objects.filter(code__in=["GS0101", "GS0301"]), user=superuser
    )
    local = LocalMatter.objects.get(region=zhongshan, matter__code="GS0101")
    LocalMatter.objects.filter(pk=local.pk).update(distribution_mode=mode, time_limit_days=15)
    counter = Channel.objects.get(code="counter")
    for position, code in enumerate(["CL009", "CL001", "CL003"], start=1):
        ChecklistItem.objects.create(
            local_matter=local,
            channel=counter,
            kind="main",
            position=position,
            material=Material.objects.get(code=code),
        )
    ChecklistItem.objects.create(
        local_matter=local,
        channel=counter,
        kind="auxiliary",
        position=1,
        name="近亲属代办",
        material=Material.objects.get(code="CL022"),
    )
    ChecklistItem.objects.create(
        local_matter=local,
        channel=counter,
        kind="application",
        position=1,
        name="医疗费用",
        material=Material.objects.get(code="CL005"),
    )
    release_publish(region=zhongshan, user=superuser, comment="v1")
    return local


@pytest.fixture
def published(reference_data, superuser):
    runtime.reset()
    yield _configure(superuser)
    runtime.reset()


@pytest.mark.django_db
def test_engine_answers_with_zero_queries_after_warm_up(published):
    engine = RuntimeEngine(max_staleness=60, watch=False, report=False)
    engine.checklist(matter="GS0101", region="442000", channel="counter")  # warm-up
    with CaptureQueriesContext(connection) as queries:
        for _ in range(200):
            engine.checklist(matter="GS0101", region="442000", channel="counter")
            decisions.route(
                engine.snapshot(),
                matter="GS0101",
                accepting_agency="440199",
                insured_agency="442099",
                injury_date=datetime.date(2023, 1, 1),
                advance_payment=False,
            )
            engine.sms_slot(matter="GS0101", region="442000", event="accepted")
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_request_checks_for_itself_when_the_last_check_is_stale(published, superuser):
    now = [100.0]
    engine = RuntimeEngine(clock=lambda: now[0], watch=False, report=False)
    assert engine.checklist(matter="GS0101", region="442000", channel="counter").release == 1
    LocalMatter.objects.filter(pk=published.pk).update(time_limit_days=9)
    release_publish(region=published.region, user=superuser, comment="v2")
    now[0] += 0.5
    with CaptureQueriesContext(connection) as queries:
        assert engine.checklist(matter="GS0101", region="442000", channel="counter").release == 1
    assert len(queries) == 0  # fresh enough: memory only
    now[0] += 0.6
    answer = engine.checklist(matter="GS0101", region="442000", channel="counter")
    assert (answer.release, answer.time_limit_days) == (2, 9)
    assert engine.serving.reloaded == ("442000",)  # that city only
    now[0] += 1.1
    with CaptureQueriesContext(connection) as queries:
        engine.checklist(matter="GS0101", region="442000", channel="counter")
    assert len(queries) == 1  # the version row only; unchanged, so no reload


@pytest.mark.django_db(transaction=True)
def test_the_watcher_reloads_the_published_city_without_any_request(reference_data, superuser):
    local = _configure(superuser)
    engine = RuntimeEngine(report=True)  # the real clock, a watcher thread
    try:
        assert engine.checklist(matter="GS0101", region="442000", channel="counter").release == 1
        LocalMatter.objects.filter(pk=local.pk).update(time_limit_days=9)
        release_publish(region=local.region, user=superuser, comment="v2")
        time.sleep(1.0)
        with CaptureQueriesContext(connection) as queries:
            answer = engine.checklist(matter="GS0101", region="442000", channel="counter")
        assert (answer.release, answer.time_limit_days) == (2, 9)
        assert len(queries) == 0  # the watcher did it, not this request
        from config_center.runtime.models import ServingProcess

        row = ServingProcess.objects.get(process__endswith=f":{os.getpid()}")
        assert (row.version, row.releases["442000"], row.reloaded) == (engine.serving.version, 2, "442000")
    finally:
        engine.stop()


@pytest.mark.django_db
def test_runtime_reads_only_published_releases_not_the_draft(published):
    LocalMatter.objects.filter(pk=published.pk).update(time_limit_days=3)
    assert runtime.checklist(matter="GS0101", region="442000", channel="counter").time_limit_days == 15


@pytest.mark.django_db
def test_checklist_api_answers_from_the_live_release(client, published):
    response = client.get("/api/v1/checklist", {"matter": "GS0101", "region": "442000", "channel": "counter"})
    assert response.status_code == 200
    body = response.json()
    assert body["release"] == 1 and body["distribution_mode"] == "province"
    assert (body["time_limit_days"], body["review_levels"]) == (15, 2)
    assert [item["code"] for item in body["main"]] == ["CL009", "CL001", "CL003"]
    assert body["main"][1] == {"code": "CL001", "name": "居民身份证", "send_to_ministry": False}
    assert body["auxiliary"] == [
        {
            "name": "近亲属代办",
            "material": "CL022",
            "material_name": "亲属关系证明",
            "send_to_ministry": False,
        }
    ]
    assert body["application_items"] == [
        {"order": 1, "name": "医疗费用", "material": "CL005", "material_name": "医疗收费票据"}
    ]


@pytest.mark.django_db
def test_checklist_api_never_answers_an_encoded_answer_of_an_older_release(client, published, superuser):
    """The API keeps each answer's bytes for the snapshot that answered it (runtime/answers.py): a publish and a
    rollback install new snapshots, and the next question is answered from them, not from the kept bytes."""
    params = {"matter": "GS0101", "region": "442000", "channel": "counter"}
    first = client.get("/api/v1/checklist", params)
    assert client.get("/api/v1/checklist", params).content == first.content  # the kept bytes
    LocalMatter.objects.filter(pk=published.pk).update(time_limit_days=9)
    release_publish(region=published.region, user=superuser, comment="v2")
    runtime.refresh()
    body = client.get("/api/v1/checklist", params).json()
    assert (body["release"], body["time_limit_days"]) == (2, 9)
    release_rollback(region=published.region, to_number=1, user=superuser, comment="back")
    runtime.refresh()
    body = client.get("/api/v1/checklist", params).json()
    assert (body["release"], body["time_limit_days"]) == (3, 15)
    assert client.get("/api/v1/checklist", {**params, "channel": "web"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        ({"matter": "GS0101", "region": "440300", "channel": "counter"}, 404, "not_bound"),
        ({"matter": "GS9999", "region": "442000", "channel": "counter"}, 400, "unknown_matter"),
        ({"matter": "GS0101", "region": "123456", "channel": "counter"}, 400, "unknown_region"),
        ({"matter": "GS0101", "region": "442000", "channel": "fax"}, 400, "unknown_channel"),
        ({"matter": "GS0101", "region": "442000"}, 400, "invalid_parameter"),
        ({"matter": "GS0101", "region": "442000", "channel": "counter", "x": "1"}, 400, "unknown_parameter"),
    ],
)
def test_checklist_api_refusals(client, published, params, status, reason):
    response = client.get("/api/v1/checklist", params)
    assert response.status_code == status
    assert response.json()["reason_code"] == reason


def _route(client, **overrides):
    body = {
        "matter": "GS0101",
        "accepting_agency": "440199",
        "insured_agency": "442099",
        "injury_date": "2023-03-01",
        "advance_payment": False,
        **overrides,
    }
    return client.post("/api/v1/route", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_route_api_sends_a_remote_case_to_the_insured_agency(client, published):
    response = _route(client)
    assert response.status_code == 200
    assert response.json() == {"handling_agency": "442099", "remote": True, "mode": "province", "release": 1}


@pytest.mark.django_db
def test_route_api_accepts_a_local_case_whatever_the_mode(client, published):
    body = _route(
        client, matter="GS0301", accepting_agency="442099", injury_date="2010-01-01", advance_payment=True
    ).json()
    assert body == {"handling_agency": "442099", "remote": False, "mode": "local", "release": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "status", "reason"),
    [
        ({"insured_agency": "440399"}, 422, "not_bound"),
        ({"matter": "GS0301"}, 422, "local_only"),
        ({"injury_date": "2019-06-30"}, 422, "before_2019_07_01"),
        ({"advance_payment": True}, 422, "advance_payment_excluded"),
        ({"matter": "GS9999"}, 400, "unknown_matter"),
        ({"accepting_agency": "000000"}, 400, "unknown_agency"),
        ({"injury_date": "30/06/2019"}, 400, "invalid_parameter"),
        ({"surprise": 1}, 400, "invalid_parameter"),
    ],
)
def test_route_api_refusals_carry_a_reason_code(client, published, overrides, status, reason):
    response = _route(client, **overrides)
    assert response.status_code == status
    body = response.json()
    assert body["reason_code"] == reason and body["message"]


@pytest.mark.django_db
def test_route_accepts_the_first_day_of_province_wide_handling(client, published):
    assert _route(client, injury_date="2019-07-01").status_code == 200


@pytest.mark.django_db
def test_route_api_refuses_a_body_that_is_not_json(client, published):
    response = client.post("/api/v1/route", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["reason_code"] == "invalid_json"


WATCHER = """
import datetime, os, sys, time
import django
django.setup()
from config_center.runtime.holder import runtime
deadline = time.monotonic() + 20
print("ready", runtime.checklist(matter="GS0101", region="442000", channel="counter").release, flush=True)
target = int(sys.argv[1])
for line in sys.stdin:
    started = time.monotonic()
    while time.monotonic() < started + 5:
        answer = runtime.checklist(matter="GS0101", region="442000", channel="counter")
        if answer.release == target:
            print("seen", answer.release, round(time.monotonic() - started, 3), flush=True)
            break
        time.sleep(0.02)
    else:
        print("timeout", answer.release, flush=True)
    break
"""


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_publish_in_one_process_is_seen_by_another_within_a_second(reference_data, superuser):
    local = _configure(superuser)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config_center.settings", "DATABASE_URL": _database_url()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, "2"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stdout.readline().split() == ["ready", "1"]
        LocalMatter.objects.filter(pk=local.pk).update(time_limit_days=8)
        release_publish(region=local.region, user=superuser, comment="v2")
        published_at = time.monotonic()
        watcher.stdin.write("go\n")
        watcher.stdin.flush()
        line = watcher.stdout.readline().split()
        assert line[:2] == ["seen", "2"], (line, watcher.stderr.read() if line[:1] != ["seen"] else "")
        assert float(line[2]) <= 1.0 + 0.2  # within the one-second check interval (plus scheduling slack)
        assert time.monotonic() - published_at < 5
    finally:
        watcher.kill()
        watcher.wait()


@pytest.mark.django_db
def test_runtime_status_lists_what_each_process_serves_and_who_is_behind(published, capsys):
    from django.core.management import call_command
    from django.utils import timezone

    from config_center.runtime.models import ServingProcess

    engine = RuntimeEngine(watch=False, report=False)
    engine.snapshot()
    ServingProcess.report(engine.serving)
    ServingProcess.objects.create(
        process="web-2:99", version=0, releases={}, error="OperationalError: gone", error_at=timezone.now()
    )
    call_command("runtime_status")
    out = capsys.readouterr().out
    assert f"版本 {engine.serving.version}" in out and "最新" in out
    assert "web-2:99" in out and "落后：442000" in out and "OperationalError: gone" in out
