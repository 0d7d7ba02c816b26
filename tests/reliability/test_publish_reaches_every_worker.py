"""A publish and a rollback reach every gunicorn worker within a second, without any request in between (issue 12).

On main, with 2 workers: publish 中山 release 2, wait 5 s with no traffic, then 8 sequential requests answered
releases ``2 1 2 2 2 2 2 2`` — the first answer of each idle worker came from the old release."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from config_center.drafts.models import LocalMatter
from config_center.releases.services import release_publish, release_rollback
from config_center.runtime.models import ServingProcess
from tests.config_center.integration.test_runtime import _configure, _database_url

ROOT = Path(__file__).resolve().parents[2]
QUERY = "/api/v1/checklist?matter=GS0101&region=442000&channel=counter"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _release(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{QUERY}", timeout=10) as response:
        return json.loads(response.read())["release"]


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config_center.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "freshness-test-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = tmp_path / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "config_center.wsgi:application",
    ]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    try:
        yield port, process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _warm(port: int, process, log) -> set[str]:
    """Concurrent requests until both workers have built a snapshot (each reports itself in ServingProcess)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        try:
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda _: _release(port), range(16)))
        except OSError:
            time.sleep(0.2)
            continue
        workers = set(ServingProcess.objects.values_list("process", flat=True))
        if len(workers) >= 2:
            return workers
    raise AssertionError(f"the two workers did not both answer:\n{log.read_text()[-3000:]}")


@pytest.mark.django_db(transaction=True)
def test_every_worker_serves_a_publish_and_a_rollback_a_second_later_without_traffic(
    reference_data, superuser, gunicorn
):
    port, process, log = gunicorn
    local = _configure(superuser)
    workers = _warm(port, process, log)
    assert {_release(port) for _ in range(10)} == {1}

    LocalMatter.objects.filter(pk=local.pk).update(time_limit_days=8)
    release_publish(region=local.region, user=superuser, comment="v2")
    time.sleep(1.2)  # no request at all meanwhile
    assert [_release(port) for _ in range(20)] == [2] * 20

    release_rollback(region=local.region, to_number=1, user=superuser, comment="回到第 1 版")
    time.sleep(1.2)
    assert [_release(port) for _ in range(20)] == [3] * 20

    rows = ServingProcess.objects.filter(process__in=workers)
    time.sleep(0.2)
    assert sorted(row.releases["442000"] for row in rows) == [3, 3]  # each worker says what it serves
