"""任务列表 under load: concurrent 随机获取 over a pool of open 初审 tasks, on PostgreSQL; run on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python tests/benchmarks/bench_task_acquire.py
        [--acquirers 200] [--tasks 1000] [--connections N] [--processes 2] [--without-skip-locked] [--keep]

DATABASE_URL names the PostgreSQL server (its database part is ignored): the benchmark creates its own
database ``bench_task_acquire`` there (dropped first if left over) and drops it at the end unless ``--keep``.

1. Migrates, loads the reference data, publishes the demo configuration of 中山 and 广州, and accepts
   ``--tasks`` cases at the 中山 counter through the services (``case_accept`` + ``case_scan(defer=True)``),
   so each has one open 初审 task in 中山市社会保险基金管理局's pool. ``--acquirers`` first reviewers of that
   agency are created (no password: nobody logs in).
2. Starts ``--processes`` worker processes (the GIL would make one process measure Python, not the
   database); each runs its share of the acquirers as client threads and its share of ``--connections``
   server threads, each server thread holding one persistent connection, as gunicorn's threads do with
   CONN_MAX_AGE. A client asks for one task at a time (``task_acquire(level=初审)``, 随机获取) until it is
   told nothing is left. Latency is what the client sees, from asking to the answer, waiting for a free
   server thread included. With a server that allows enough connections every acquirer has its own.
3. Checks in the database: every task taken exactly once (status taken, one assignee, one 获取初审任务
   event per case), nothing left open, no answer handed to two acquirers.

Prints acquisitions per second, p50 / p95 / p99 / max latency, duplicates and errors; exits 1 on any
duplicate, error or task not taken exactly once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DATABASE = "bench_task_acquire"
RESERVED_CONNECTIONS = 10  # left for superusers, autovacuum, the parent process and anyone else
TIME_LIMIT = 300.0  # seconds: clients stop asking after this, whatever is left


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--acquirers", type=int, default=200, help="concurrent acquirers (default 200)")
    parser.add_argument("--tasks", type=int, default=1000, help="open 初审 tasks (default 1000)")
    parser.add_argument(
        "--connections",
        type=int,
        default=0,
        help="database connections in all (default: one per acquirer, or what the server allows)",
    )
    parser.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--without-skip-locked",
        action="store_true",
        help="acquire by the conditional update alone, as on a database without SKIP LOCKED (to compare)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# ---- database -------------------------------------------------------------------------------------------


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must name a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, *statements: str) -> list:
    import psycopg

    results = []
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            results.append(cursor.fetchall() if cursor.description else None)
    return results


def _configure(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["DATABASE_URL"] = _with_database(url, DATABASE)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def _connections_allowed(url: str) -> int:
    (rows, used) = _admin(url, "SHOW max_connections", "SELECT count(*) FROM pg_stat_activity")
    return int(rows[0][0]) - int(used[0][0]) - RESERVED_CONNECTIONS


def _build(tasks: int, acquirers: int) -> list[int]:
    """The pool of open 初审 tasks and the acquirers' user ids."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from catalog.models import Agency
    from config_center.project.reference import reference_data_load_all
    from permissions.models import Assignment, Role
    from permissions.services import assignment_create
    from routing.models import Task, TaskStatus
    from routing.services import case_scan
    from tests.factories.cases import ZHONGSHAN_AGENCY, accept, publish_demo

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    reference_data_load_all()
    user_model = get_user_model()
    root = user_model.objects.create_superuser("bench-root", "bench@example.invalid", None)
    publish_demo(root)
    agency = Agency.objects.get(code=ZHONGSHAN_AGENCY)
    clerk = user_model.objects.create_user("bench-clerk", password=None, is_staff=True)
    assignment_create(user=clerk, role=Role.objects.get(code="clerk"), agency=agency)
    print(f"setup: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    for _ in range(tasks):
        case = accept(clerk)
        case_scan(receipt_no=case.receipt_no, user=clerk, defer=True)
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN, agency=agency).count()
    print(
        f"{open_tasks:,} open 初审 tasks (accept + 后续扫描 through the services): {time.perf_counter() - started:.1f} s"
    )

    role = Role.objects.get(code="first_reviewer")
    users = user_model.objects.bulk_create(
        user_model(username=f"bench-first-{n:03d}", is_staff=True, password="!") for n in range(acquirers)
    )
    first = assignment_create(user=users[0], role=role, agency=agency)
    Assignment.objects.bulk_create(
        Assignment(user=user, role=role, kind=first.kind, region=first.region, agency=agency)
        for user in users[1:]
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh tables: give the planner the statistics a live database has
    return [user.pk for user in users]


# ---- one worker process ---------------------------------------------------------------------------------


def _worker(user_ids: list[int], servers: int, skip_locked: bool, ready, start, results) -> None:
    """Clients ask, server threads (one connection each) answer; the figures go back through ``results``."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from config_center.runtime.holder import runtime
    from routing.services import task_acquire

    runtime.watch, runtime.report = False, False
    if not skip_locked:
        type(connection.features).has_select_for_update_skip_locked = False
    users = list(get_user_model().objects.filter(pk__in=user_ids))
    connection.close()
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    answers: list[tuple[int, int | None, float]] = []  # (user id, task id or None, seconds)
    errors: list[str] = []
    lock = threading.Lock()
    warm = threading.Barrier(servers + 1)

    def serve() -> None:
        connection.ensure_connection()
        warm.wait()
        while True:
            job = jobs.get()
            if job is None:
                break
            user, box = job
            try:
                task = task_acquire(user=user, level=1)
                box.put(("ok", task.pk if task else None))
            except Exception as error:  # reported, never hidden
                box.put(("error", f"{type(error).__name__}: {error}"))
        connection.close()

    def client(user) -> None:
        box: queue.SimpleQueue = queue.SimpleQueue()
        start.wait()
        deadline = time.monotonic() + TIME_LIMIT
        for _ in range(100_000):
            if time.monotonic() > deadline:
                break
            asked = time.perf_counter()
            jobs.put((user, box))
            kind, value = box.get()
            took = time.perf_counter() - asked
            with lock:
                if kind == "error":
                    errors.append(value)
                    if len(errors) > 50:
                        return
                    continue
                answers.append((user.pk, value, took))
            if value is None:
                return

    server_threads = [threading.Thread(target=serve) for _ in range(servers)]
    for thread in server_threads:
        thread.start()
    warm.wait()  # every server thread holds its connection
    client_threads = [threading.Thread(target=client, args=(user,)) for user in users]
    for thread in client_threads:
        thread.start()
    ready.put(os.getpid())
    for thread in client_threads:
        thread.join()
    finished = time.time()
    for _ in server_threads:
        jobs.put(None)
    for thread in server_threads:
        thread.join()
    results.put({"answers": answers, "errors": errors, "finished": finished})


# ---- the run --------------------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _check_database(tasks: int) -> dict:
    from django.db.models import Count

    from routing import states
    from routing.models import CaseEvent, Task, TaskStatus

    statuses = Counter(dict(Task.objects.values_list("status").annotate(n=Count("id")).order_by()))
    no_assignee = Task.objects.filter(status=TaskStatus.TAKEN, assignee__isnull=True).count()
    twice = (
        CaseEvent.objects.filter(action=states.ACQUIRE_FIRST)
        .values("case")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    acquired_events = CaseEvent.objects.filter(action=states.ACQUIRE_FIRST).count()
    return {
        "statuses": dict(statuses),
        "no_assignee": no_assignee,
        "cases_acquired_twice": twice,
        "acquire_events": acquired_events,
        "ok": statuses.get(TaskStatus.TAKEN, 0) == tasks
        and not statuses.get(TaskStatus.OPEN)
        and not no_assignee
        and not twice
        and acquired_events == tasks,
    }


def main() -> int:
    args = _arguments()
    server = _server_url()
    _configure(server)
    allowed = _connections_allowed(server)
    connections = args.connections or min(args.acquirers, allowed)
    if connections > allowed:
        print(f"the server allows {allowed} more connections; asked for {connections}", file=sys.stderr)
        return 2
    processes = max(1, min(args.processes, connections))
    _admin(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    try:
        import django

        django.setup()
        from django.db import connections as django_connections

        from config_center.runtime.holder import runtime

        runtime.watch, runtime.report = False, False
        user_ids = _build(args.tasks, args.acquirers)
        django_connections.close_all()

        context = multiprocessing.get_context("spawn")
        ready, start, results = context.Queue(), context.Event(), context.Queue()
        workers = []
        for index in range(processes):
            share = user_ids[index::processes]
            servers = connections // processes + (1 if index < connections % processes else 0)
            process = context.Process(
                target=_worker, args=(share, servers, not args.without_skip_locked, ready, start, results)
            )
            process.start()
            workers.append(process)
        waiting = len(workers)
        while waiting:
            try:
                ready.get(timeout=1)
                waiting -= 1
            except queue.Empty:
                if any(process.exitcode not in (None, 0) for process in workers):
                    print("a worker process failed to start (see above)", file=sys.stderr)
                    for process in workers:
                        process.kill()
                    return 1
        began = time.time()
        start.set()
        reports = [results.get(timeout=TIME_LIMIT + 120) for _ in workers]
        for process in workers:
            process.join()
        elapsed = max(report["finished"] for report in reports) - began

        answers = [answer for report in reports for answer in report["answers"]]
        errors = [error for report in reports for error in report["errors"]]
        taken = [task for _user, task, _took in answers if task is not None]
        latencies = [took * 1000 for _user, task, took in answers if task is not None]
        duplicates = len(taken) - len(set(taken))
        check = _check_database(args.tasks)
        print(
            f"\n{args.acquirers} acquirers, {connections} connections in {processes} processes "
            f"(server max_connections allows {allowed} more), {args.tasks:,} open tasks, "
            + ("conditional update alone" if args.without_skip_locked else "FOR UPDATE SKIP LOCKED")
        )
        print(f"acquisitions: {len(taken):,} in {elapsed:.2f} s = {len(taken) / elapsed:,.0f} per second")
        if latencies:
            print(
                f"latency ms: p50 {statistics.median(latencies):.1f}  p95 {_percentile(latencies, 0.95):.1f}  "
                f"p99 {_percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}"
            )
        print(f"duplicates (one task handed out twice): {duplicates}")
        print(f"errors: {len(errors)}" + (f" — first: {errors[0]}" if errors else ""))
        print(
            f"database: tasks by status {check['statuses']}, taken without assignee {check['no_assignee']}, "
            f"cases acquired twice {check['cases_acquired_twice']}, 获取初审任务 events {check['acquire_events']}"
        )
        ok = not duplicates and not errors and len(taken) == args.tasks and check["ok"]
        print("every task taken exactly once: " + ("yes" if ok else "NO"))
        return 0 if ok else 1
    finally:
        from django.db import connections as django_connections

        django_connections.close_all()
        if not args.keep:
            _admin(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
