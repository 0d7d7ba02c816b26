"""gunicorn settings of a web node, from the environment (README, Production):

    .venv/bin/gunicorn -c config_center/deploy/gunicorn.conf.py config_center.wsgi

WEB_BIND (host:port, comma-separated for several), WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT, WEB_GRACEFUL_TIMEOUT,
WEB_KEEPALIVE, WEB_MAX_REQUESTS, WEB_MAX_REQUESTS_JITTER, WEB_PRELOAD, WEB_ACCESS_LOG, WEB_LOG_LEVEL,
WEB_FORWARDED_ALLOW_IPS.

Database connections per node: WEB_WORKERS × (WEB_THREADS + 1) — a connection per request thread and one for
each worker's runtime watcher — which, over every web and django-q2 node, must stay under PostgreSQL's
max_connections.
"""

import multiprocessing
import os
import sys
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


chdir = str(Path(__file__).resolve().parents[2])  # the repository: runs the same from any directory
wsgi_app = "config_center.wsgi:application"
proc_name = "console-web"

bind = [item.strip() for item in os.environ.get("WEB_BIND", "127.0.0.1:8000").split(",") if item.strip()]
# One process per CPU (at least 2), four threads each: a 35 s spreadsheet import or a 100,000-row export holds
# one thread, not a whole process, and a slow client behind a non-buffering load balancer likewise.
workers = _int("WEB_WORKERS", max(2, multiprocessing.cpu_count()))
threads = _int("WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A sync worker silent this long is killed and replaced (gthread workers stay alive through a long request;
# the province's workbook import takes ~35 s). On TERM a worker finishes its requests for this long.
timeout = _int("WEB_TIMEOUT", 120)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("WEB_KEEPALIVE", 5)
# A worker is replaced after about this many requests, spread so that they are not all replaced at once. Off by
# default for gthread workers: gunicorn 23 resets connections a gthread worker has accepted while it is being
# replaced (gunicorn issue #3038; measured here: 8 of 300 sequential requests failed with 30), while sync workers
# are replaced without losing one.
max_requests = _int("WEB_MAX_REQUESTS", 0 if threads > 1 else 2000)
max_requests_jitter = _int("WEB_MAX_REQUESTS_JITTER", max_requests // 10)
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # the workers' heartbeat files, never on a slow or full disk

# Preload: the master imports the console once and builds the published configuration; each worker is forked
# with it (and a replaced worker too: recycling costs no rebuild). The master starts no runtime watcher thread
# (CONSOLE_PREFORK, read by config_center.wsgi) and closes its database and cache connections before any fork,
# so no worker shares a socket; each worker then checks the configuration version and starts its own watcher
# (post_worker_init). Code changes need a restart of the master (HUP re-forks from the code already loaded).
preload_app = _flag("WEB_PRELOAD", True)
if preload_app:
    os.environ["CONSOLE_PREFORK"] = "1"
else:
    os.environ.pop("CONSOLE_PREFORK", None)

# The access log: who, when, the method and path — not the query string, which carries the 业务状态查询
# conditions (证件号码, 姓名) — status, bytes, time taken in ms, the worker's pid. Healthy /healthz probes are left out.
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %(p)s "%(a)s"'
logger_class = "config_center.deploy.access_log.ConsoleLogger"
if os.environ.get("WEB_FORWARDED_ALLOW_IPS"):
    forwarded_allow_ips = os.environ["WEB_FORWARDED_ALLOW_IPS"]


def _django_loaded() -> bool:
    return "django.db" in sys.modules and sys.modules["django.apps"].apps.ready


def _close_connections() -> None:
    """In the master: nothing a worker could inherit and use at the same time as another process."""
    if not _django_loaded():
        return  # without preload the master never imports Django
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()


def when_ready(server):
    _close_connections()


def pre_fork(server, worker):
    _close_connections()


def post_worker_init(worker):
    """In each worker, before it serves: the configuration brought up to date, and the runtime's watcher."""
    from django.db import connections

    from config_center.runtime.holder import runtime

    try:
        runtime.snapshot()
    except Exception:
        worker.log.warning("runtime warm-up failed; the first request builds", exc_info=True)
    connections.close_all()  # this thread serves no request; the request threads open their own
