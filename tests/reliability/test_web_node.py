"""A web node as the README's Production section starts it: ``collectstatic`` with DEBUG=0, then
``gunicorn -c config_center/deploy/gunicorn.conf.py config_center.wsgi`` (preload, gthread workers) on the test
database — /healthz, a hashed static file in brotli and gzip, the admin login page, the HTTPS redirect, the access
log without healthy probes, and every worker (not the master) running its own runtime watcher after the fork."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config_center.runtime.models import ServingProcess
from tests.config_center.integration.test_runtime import _database_url

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _get(port: int, path: str, method: str = "GET", **headers: str):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers=headers)
    try:
        with _opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def node(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config_center.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "web-node-test-" + "x" * 40,
        "ALLOWED_HOSTS": "console.example.cn",
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "DATABASE_REPLICA_URL", "MEDIA_S3_BUCKET"):
        env.pop(name, None)
    manage = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    log = tmp_path / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "config_center/deploy/gunicorn.conf.py",
        "config_center.wsgi",
    ]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                _get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield port, process, log, tmp_path / "static"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_a_production_web_node_serves_health_static_files_and_the_console(node):
    port, process, log, static_root = node
    https = {"Host": "console.example.cn", "X-Forwarded-Proto": "https"}

    status, headers, body = _get(port, "/healthz", Host="10.0.3.17:8000")  # a node's address, plain HTTP
    assert status == 200, body
    health = json.loads(body)
    assert (health["status"], health["database"], health["cache"], health["broker"]) == (
        "ok",
        "ok",
        "ok",
        "ok",
    )
    assert health["runtime"]["built_at"]  # preloaded in the master, inherited by the worker
    assert _get(port, "/healthz", method="HEAD")[0] == 200
    assert _get(port, "/healthz", method="POST")[0] == 405

    hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]
    assert re.fullmatch(r"admin/css/base\.[0-9a-f]{12}\.css", hashed)
    for encoding in ("br", "gzip"):
        status, headers, _body = _get(port, f"/static/{hashed}", **https, **{"Accept-Encoding": encoding})
        assert status == 200
        assert headers["Content-Encoding"] == encoding
        assert "immutable" in headers["Cache-Control"]
    # admin-interface's theme was collected and is linked under its hashed name.
    status, headers, page = _get(port, "/admin/login/", **https)
    assert status == 200
    assert f'href="/static/{hashed}"'.encode() in page
    assert b"/static/admin_interface/css/admin-interface." in page
    assert "Strict-Transport-Security" in headers
    status, headers, _page = _get(port, "/admin/login/", Host="console.example.cn")
    assert status == 301 and headers["Location"].startswith("https://")

    # An open API read without a session cookie (config_center.wsgi's sessionless handler) keeps the host check, the
    # HTTPS redirect and the security headers, and answers what a read with a cookie (the full handler) answers.
    status, headers, regions = _get(port, "/api/v1/regions", **https)
    assert status == 200 and json.loads(regions)
    for name in (
        "Strict-Transport-Security",
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
    ):
        assert name in headers, name
    assert _get(port, "/api/v1/regions", **https, Cookie="sessionid=none; csrftoken=x")[2] == regions
    assert _get(port, "/api/v1/regions", Host="console.example.cn")[0] == 301
    assert _get(port, "/api/v1/regions", Host="evil.example", **{"X-Forwarded-Proto": "https"})[0] == 400

    # Each worker started its own watcher after the fork (it reports itself without any runtime request);
    # the master, which built the snapshot before forking, runs none.
    workers = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.5)
        workers = {row.split(":")[-1] for row in ServingProcess.objects.values_list("process", flat=True)}
    assert len(workers) == 2, log.read_text()[-3000:]
    assert str(process.pid) not in workers

    lines = log.read_text().splitlines()
    access = [line for line in lines if '"GET ' in line or '"HEAD ' in line or '"POST ' in line]
    assert any('"GET /admin/login/ HTTP/1.1" 200' in line and re.search(r" \d+ms ", line) for line in access)
    assert not any('/healthz HTTP/1.1" 200' in line for line in access)
    assert any('"POST /healthz HTTP/1.1" 405' in line for line in access)
