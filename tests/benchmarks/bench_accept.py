"""受理 under the clock: accepting a case (routing + the published checklist + 受理回执号 + the 受理短信's outbox
row), through the service and through the API; run on demand from the project root (pytest never collects it)::

    python tests/benchmarks/bench_accept.py                       # SQLite file in var/bench/, removed afterwards
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python tests/benchmarks/bench_accept.py
        [--cases 1000] [--keep]

A PostgreSQL DATABASE_URL names the server (its database part is ignored): the benchmark creates its own
database ``bench_accept`` there (dropped first if left over) and drops it at the end unless ``--keep``.

1. Migrates, loads the reference data and publishes the demo configuration of 中山 and 广州 (中山's GS0101 has a
   受理短信 slot, so every complete case writes one outbox row).
2. ``--cases`` acceptances through ``case_accept`` by a 中山 综合柜员: 90 % complete local cases, 5 % with a
   material missing (待补正, 一次性告知), 5 % accepted at the 广州 counter for a person insured in 中山
   (异地受理, routed to 中山). Each is timed alone, its transaction included; 20 warm-up acceptances first.
3. The same mix through ``POST /api/v1/cases`` with Django's test client as the signed-in clerk (the view, its
   permission check, JSON in and out, and the electronic materials' move to the 初审 pool).
4. Checks: every answer a case, one outbox row per complete case, receipt numbers unique.

Prints p50 / p95 / p99 / max, acceptances per second and this process's CPU per acceptance for both, with a
``SELECT 1`` round trip and the load average before and after (latency on a busy machine is mostly waiting for a
CPU); target p95 < 50 ms for each. ``--profile`` also prints where 200 service acceptances spend their time.
Exits 1 when a target is missed or a check fails.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DATABASE = "bench_accept"
TARGET_P95_MS = 50.0
WARM_UP = 20


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="acceptances per path (default 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile 200 acceptances through the service"
    )
    return parser.parse_args()


# ---- database -------------------------------------------------------------------------------------------
def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _postgres(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def _configure() -> tuple[str, callable]:
    """Point Django at a fresh database; answer its engine's name and how to remove it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        _postgres(url, f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}")
        os.environ["DATABASE_URL"] = _with_database(url, DATABASE)

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            _postgres(url, f"DROP DATABASE IF EXISTS {DATABASE}")

        return "PostgreSQL", drop
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkstemp(prefix="accept-", suffix=".sqlite3", dir=folder)[1])
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    def remove() -> None:
        from django.db import connections

        connections.close_all()
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):  # WAL mode leaves two beside it
            (path.parent / name).unlink(missing_ok=True)

    return "SQLite", remove


# ---- the work -------------------------------------------------------------------------------------------
def _mix(n: int) -> list[str]:
    """The kind of the n-th acceptance: complete, incomplete or remote (90 / 5 / 5)."""
    kinds = []
    for i in range(n):
        kinds.append("incomplete" if i % 20 == 7 else "remote" if i % 20 == 13 else "complete")
    return kinds


def _id_number(n: int) -> str:
    from tests.factories.cases import id_card

    return id_card(f"4420001990{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}")


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(samples),
        "mean": statistics.fmean(samples),
    }


def _report(label: str, seconds: list[float], wall: float, cpu: float) -> bool:
    figures = {key: value * 1000 for key, value in _percentiles(seconds).items()}
    ok = figures["p95"] < TARGET_P95_MS
    print(
        f"{label:<34} p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  p99 {figures['p99']:6.1f} ms"
        f"  max {figures['max']:6.1f} ms  mean {figures['mean']:5.1f} ms  {len(seconds) / wall:6.0f}/s"
        f"  (target p95 < {TARGET_P95_MS:.0f} ms) {'ok' if ok else 'MISS'}"
    )
    print(f"{'':<34} CPU of this process {cpu / len(seconds) * 1000:.1f} ms per acceptance")
    return ok


def _round_trip(connection) -> str:
    """How busy the machine is: a ``SELECT 1`` round trip and the load average, printed beside the figures."""
    samples = []
    with connection.cursor() as cursor:
        for _ in range(500):
            began = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            samples.append(time.perf_counter() - began)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"SELECT 1 p50 {cuts[49] * 1000:.2f} ms p95 {cuts[94] * 1000:.2f} ms; load average {load} on {os.cpu_count()} CPUs"


def main() -> int:
    args = _arguments()
    engine, remove = _configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config_center.project.reference import reference_data_load_all
    from config_center.runtime.holder import runtime
    from routing.models import Case
    from routing.services import Applicant, Employer, case_accept
    from sms_templates.models import SmsMessage
    from tests.factories.cases import (
        GS0101_MAIN,
        GUANGZHOU_AGENCY,
        ZHONGSHAN_AGENCY,
        accept_request,
        publish_demo,
        staff,
    )

    runtime.watch, runtime.report = False, False
    failures: list[str] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        reference_data_load_all()
        from django.contrib.auth import get_user_model

        root = get_user_model().objects.create_superuser("bench-root", "bench@example.invalid", None)
        publish_demo(root)
        clerk = staff("bench-clerk", "clerk", agency=ZHONGSHAN_AGENCY)
        gz_clerk = staff("bench-gz-clerk", "clerk", agency=GUANGZHOU_AGENCY)
        print(
            f"\n== 受理 on {engine}: setup {time.perf_counter() - started:.1f} s, {args.cases:,} acceptances per path"
        )

        def request_for(n: int, kind: str):
            return accept_request(
                accepting_agency=GUANGZHOU_AGENCY if kind == "remote" else ZHONGSHAN_AGENCY,
                applicant=Applicant(name="黄林", id_number=_id_number(n), phone="13800000000"),
                employer=Employer(code=f"E{n:08d}", name="中山市某某制造有限公司"),
                injury_date=datetime.date(2024, 3, 1),
                received=GS0101_MAIN[:2] if kind == "incomplete" else GS0101_MAIN,
            )

        # 1. the service
        kinds = _mix(WARM_UP + args.cases)
        for n in range(WARM_UP):
            case_accept(request=request_for(n, kinds[n]), user=gz_clerk if kinds[n] == "remote" else clerk)
        sms_before = SmsMessage.objects.count()
        with CaptureQueriesContext(connection) as queries:
            case_accept(request=request_for(10**6, "complete"), user=clerk)
        print(f"queries per complete acceptance through the service: {len(queries)}")
        print(f"machine: {_round_trip(connection)}")
        sms_before += 1
        timings: list[float] = []
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(WARM_UP, WARM_UP + args.cases):
            kind = kinds[n]
            request = request_for(n, kind)
            user = gz_clerk if kind == "remote" else clerk
            began = time.perf_counter()
            case_accept(request=request, user=user)
            timings.append(time.perf_counter() - began)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        complete = sum(1 for kind in kinds[WARM_UP:] if kind != "incomplete")
        written = SmsMessage.objects.count() - sms_before
        if written != complete:
            failures.append(f"service: {written} outbox rows for {complete} complete cases")
        if not _report("case_accept (service)", timings, wall, cpu):
            failures.append("service p95 over target")

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for n in range(200):
                case_accept(request=request_for(2 * 10**6 + n, "complete"), user=clerk)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)

        # 2. the API
        clients = {}
        for user in (clerk, gz_clerk):
            client = Client()
            client.force_login(user)
            clients[user.pk] = client

        def body_for(n: int, kind: str) -> str:
            request = request_for(n, kind)
            return json.dumps(
                {
                    "matter": request.matter,
                    "channel": request.channel,
                    "accepting_agency": request.accepting_agency,
                    "insured_agency": request.insured_agency,
                    "injury_date": request.injury_date.isoformat(),
                    "advance_payment": False,
                    "applicant": {
                        "name": request.applicant.name,
                        "id_type": "id_card",
                        "id_number": request.applicant.id_number,
                        "phone": request.applicant.phone,
                    },
                    "employer": {"code": request.employer.code, "name": request.employer.name},
                    "materials": list(request.received),
                }
            )

        offset = 2 * (WARM_UP + args.cases)
        for n in range(offset, offset + WARM_UP):
            clients[clerk.pk].post("/api/v1/cases", body_for(n, "complete"), content_type="application/json")
        sms_before = SmsMessage.objects.count()
        timings = []
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(WARM_UP, WARM_UP + args.cases):
            kind = kinds[n]
            body = body_for(offset + n, kind)
            client = clients[gz_clerk.pk if kind == "remote" else clerk.pk]
            began = time.perf_counter()
            response = client.post("/api/v1/cases", body, content_type="application/json")
            timings.append(time.perf_counter() - began)
            if response.status_code != 201:
                failures.append(f"API: {response.status_code} {response.content[:200]!r}")
                break
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        written = SmsMessage.objects.count() - sms_before
        if written != complete:
            failures.append(f"API: {written} outbox rows for {complete} complete cases")
        if not _report("POST /api/v1/cases (test client)", timings, wall, cpu):
            failures.append("API p95 over target")

        print(f"machine: {_round_trip(connection)}")
        total = Case.objects.count()
        distinct = Case.objects.values("receipt_no").distinct().count()
        print(f"cases written {total:,}, distinct receipt numbers {distinct:,}")
        if total != distinct:
            failures.append("duplicate receipt numbers")
    finally:
        if not args.keep:
            remove()
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
