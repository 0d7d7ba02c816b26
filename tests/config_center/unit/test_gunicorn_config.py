"""config_center/deploy/gunicorn.conf.py reads its settings from the environment, and the access log leaves out
healthy /healthz probes (and query strings) but keeps everything else."""

import datetime
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from config_center.deploy.access_log import ConsoleLogger

ROOT = Path(__file__).resolve().parents[3]
CONF = ROOT / "config_center" / "deploy" / "gunicorn.conf.py"


def _resolved(**env: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WEB_")}
    environment.update(env)
    out = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--print-config"],
        cwd="/",  # the file finds the repository itself
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in out.splitlines()) if _}


def test_defaults_are_threaded_workers_with_preload():
    conf = _resolved()
    assert conf["bind"] == "['127.0.0.1:8000']"
    assert int(conf["workers"]) == max(2, os.cpu_count())
    assert (conf["threads"], conf["worker_class"]) == ("4", "gthread")
    assert (conf["timeout"], conf["graceful_timeout"], conf["keepalive"]) == ("120", "30", "5")
    # No recycling of gthread workers (gunicorn resets the connections they hold when replaced, issue #3038).
    assert (conf["max_requests"], conf["max_requests_jitter"]) == ("0", "0")
    assert conf["preload_app"] == "True"
    assert conf["wsgi_app"] == "config_center.wsgi:application"
    assert conf["chdir"] == str(ROOT)
    assert conf["logger_class"] == "config_center.deploy.access_log.ConsoleLogger"
    assert "%(M)sms" in conf["access_log_format"]  # the time each request took
    assert "%(r)s" not in conf["access_log_format"] and "%(q)s" not in conf["access_log_format"]


def test_the_environment_chooses_workers_threads_bind_and_timeouts():
    conf = _resolved(
        WEB_WORKERS="3",
        WEB_THREADS="1",
        WEB_BIND="0.0.0.0:9000,unix:/run/console.sock",
        WEB_TIMEOUT="300",
        WEB_MAX_REQUESTS="500",
        WEB_PRELOAD="0",
    )
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == ("3", "1", "sync")
    assert conf["bind"] == "['0.0.0.0:9000', 'unix:/run/console.sock']"
    assert (conf["timeout"], conf["max_requests"], conf["max_requests_jitter"]) == ("300", "500", "50")
    assert conf["preload_app"] == "False"


def test_sync_workers_are_recycled_by_default_with_jitter():
    conf = _resolved(WEB_THREADS="1")
    assert conf["worker_class"] == "sync"
    assert (conf["max_requests"], conf["max_requests_jitter"]) == ("2000", "200")


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _log(path: str, status: int, query: str = "") -> list[str]:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '"%(m)s %(U)s" %(s)s %(M)sms')
    logger = ConsoleLogger(cfg)
    records = _Records()
    logger.access_log.addHandler(records)
    response = SimpleNamespace(status=f"{status} X", status_code=status, sent=10, headers=[])
    request = SimpleNamespace(headers=[], method="GET", path=path, query=query, version=(1, 1))
    environ = {
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    return records.lines


def test_healthy_probes_are_left_out_of_the_access_log():
    assert _log("/healthz", 200) == []


def test_failing_probes_and_other_requests_are_logged_with_their_time():
    assert _log("/healthz", 503) == ['"GET /healthz" 503 12ms']
    assert _log("/admin/routing/cases/", 200, "id_number=440000199001011234") == [
        '"GET /admin/routing/cases/" 200 12ms'
    ]
