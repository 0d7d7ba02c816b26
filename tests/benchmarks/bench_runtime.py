"""Runtime engine and runtime API on a province-sized published configuration, against the ORM.

Run on demand from the project root (pytest never collects bench_*.py)::

    python tests/benchmarks/bench_runtime.py            # fresh SQLite file in var/bench/, removed afterwards
    python tests/benchmarks/bench_runtime.py --pg       # PostgreSQL database console_bench (dropped, created)
    python tests/benchmarks/bench_runtime.py --reuse    # keep and reuse the database (build once)
    python tests/benchmarks/bench_runtime.py --profile  # also cProfile the ORM paths and 200 API requests
    python tests/benchmarks/bench_runtime.py --bump-during-load  # extra run: a publish in mid-load

1. Migrates a fresh database, loads the reference data, builds 21 cities x 150 matters x 6 channels x
   8 main materials (``tests.factories.config.province_configuration``) and publishes every city with
   ``release_publish`` as a superuser. Benchmark-only data changes, made with ``.update()`` before
   publishing so the route answers are not all "local_only": the province-wide matters are put in
   province mode (the rules allow it: they are eligible and their counter list is filled) and every
   20th local matter is unbound. No synthetic row breaks a validity rule, so nothing else is changed.
2. Times ``build_engine_snapshot()`` (best of 3), its memory (tracemalloc current / peak during one
   build) and the size of the release JSON rows.
3. Answers per second in this one process (= one core): the engine on the snapshot (and through the
   ``RuntimeEngine`` with its version check) side by side with straightforward ORM answers to the
   same random valid queries; a sample is checked to give the same answers on both paths.
4. Starts gunicorn (2 sync workers) on a free port against the same database, warms it up, drives an
   open-loop load of 200 requests/s for 20 s (half checklist GETs, half route POSTs; latency counted
   from the scheduled send time, so a stalled server cannot hide queueing), then a closed-loop run
   (8 clients, 10 s) for the maximum throughput. Every response's status is checked against the
   engine's answer computed in this process. gunicorn is always stopped.

Targets: engine >= 50,000 answers/s per core for checklist and route, >= 100x the ORM path;
API p99 < 20 ms at 200 requests/s with no errors.
"""

import argparse
import datetime
import gc
import http.client
import json
import logging
import os
import queue
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "var" / "bench"
REUSED_DB = BENCH_DIR / "bench-runtime.sqlite3"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "console_bench"

TARGET_ENGINE_RATE = 50_000  # answers/s per core
TARGET_RATIO = 100  # engine / ORM
TARGET_P99_MS = 20.0
SEED = 20240517
ENGINE_RUNS = 5
ENGINE_QUERIES = 100_000
ORM_RUNS = 3
ORM_QUERIES = 600
VERIFY_SAMPLE = 2_000
DATES = [
    datetime.date(2018, 5, 1),
    datetime.date(2019, 6, 30),
    datetime.date(2019, 7, 1),
    datetime.date(2021, 3, 15),
    datetime.date(2024, 1, 10),
]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true", help=f"use PostgreSQL {PG_SERVER}/{PG_DATABASE}")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"keep the database and reuse its releases if already built (SQLite: {REUSED_DB})",
    )
    parser.add_argument("--keep", action="store_true", help="do not delete a fresh database afterwards")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop requests/s (default 200)")
    parser.add_argument("--duration", type=float, default=20.0, help="open-loop seconds (default 20)")
    parser.add_argument("--clients", type=int, default=8, help="closed-loop clients (default 8)")
    parser.add_argument("--closed-seconds", type=float, default=10.0, help="closed-loop seconds (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--no-api", action="store_true", help="skip the gunicorn part")
    parser.add_argument(
        "--bump-during-load",
        action="store_true",
        help="extra (not a target): another open-loop run with a ConfigVersion bump (= a publish) halfway",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the ORM paths and in-process API")
    return parser.parse_args()


# ---- database ---------------------------------------------------------------------------------------


def _configure(args: argparse.Namespace) -> tuple[str, Callable[[], None]]:
    """Point Django at the benchmark database; return (DATABASE_URL, cleanup)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.pg:
        url = f"{PG_SERVER}/{PG_DATABASE}"
        _pg_recreate(keep_existing=args.reuse)

        def cleanup() -> None:
            if not (args.keep or args.reuse):
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")

    else:
        if args.reuse:
            path, fresh = REUSED_DB, False
        else:
            handle, name = tempfile.mkstemp(prefix="bench-runtime-", suffix=".sqlite3", dir=BENCH_DIR)
            os.close(handle)
            path, fresh = Path(name), True
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"

        def cleanup() -> None:
            if fresh and not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return url, cleanup


def _pg_admin(*statements: str) -> list:
    import psycopg

    results = []
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            results.append(cursor.fetchall() if cursor.description else None)
    return results


def _pg_recreate(*, keep_existing: bool) -> None:
    (rows,) = _pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'")
    if rows and keep_existing:
        return
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}")


def _build() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from catalog.models import Region
    from config_center.drafts.models import LocalMatter
    from config_center.project.reference import reference_data_load_all
    from config_center.releases.models import Release
    from config_center.releases.services import release_publish
    from tests.factories.config import province_configuration

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if Release.objects.exists():
        print(f"reusing {Release.objects.count()} releases ({LocalMatter.objects.count():,} local matters)")
        return
    started = time.perf_counter()
    reference_data_load_all()
    print(f"reference data: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    summary = province_configuration()
    print(
        f"province configuration: {time.perf_counter() - started:.1f} s — {summary.cities} cities × "
        f"{summary.matters} matters × {summary.channels} channels; {summary.local_matters:,} local matters, "
        f"{summary.checklist_items:,} checklist rows, {summary.sms_slots:,} SMS slots, "
        f"{summary.print_slots:,} print slots"
    )
    # Benchmark-only data: province mode where the catalog allows it, a few unbound matters.
    province = LocalMatter.objects.filter(
        region__code__in=summary.region_codes, matter__province_wide=True
    ).update(distribution_mode="province")
    ids = list(LocalMatter.objects.order_by("pk").values_list("pk", flat=True))[::20]
    unbound = LocalMatter.objects.filter(pk__in=ids).update(is_active=False)
    print(f"benchmark data: {province:,} local matters set to province mode, {unbound} unbound")

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first() or user_model.objects.create_superuser(
        "bench", "bench@example.invalid", None
    )
    started = time.perf_counter()
    for region in Region.objects.filter(code__in=summary.region_codes).order_by("code"):
        release_publish(region=region, user=user, comment="基准测试发布")
    print(f"published {len(summary.region_codes)} cities: {time.perf_counter() - started:.1f} s")


# ---- snapshot ---------------------------------------------------------------------------------------


def _snapshot_figures() -> dict:
    from django.db import connection

    from config_center.releases.models import Release
    from config_center.runtime.holder import build_engine_snapshot

    build = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        snap = build_engine_snapshot()
        build = min(build, time.perf_counter() - started)
    del snap
    gc.collect()
    tracemalloc.start()
    snap = build_engine_snapshot()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    table = Release._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT COUNT(*), SUM(octet_length(snapshot::text)), SUM(pg_column_size(snapshot)) FROM {table}"
            )
            rows, text_bytes, stored_bytes = cursor.fetchone()
        else:
            cursor.execute(f"SELECT COUNT(*), SUM(LENGTH(CAST(snapshot AS BLOB))) FROM {table}")
            rows, text_bytes = cursor.fetchone()
            stored_bytes = text_bytes
    lists = sum(len(config.checklists) for config in snap.configs.values())
    print(
        f"\nsnapshot: {len(snap.releases)} cities, {len(snap.configs):,} bound matters, {lists:,} channel lists, "
        f"{len(snap.matters)} matters, {len(snap.agencies)} agencies, {len(snap.materials)} materials"
    )
    print(f"build_engine_snapshot() best of 3: {build * 1000:.0f} ms")
    print(f"build memory (tracemalloc): current {current / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB")
    stored = (
        f", {stored_bytes / 2**20:.1f} MiB stored (TOAST-compressed)" if stored_bytes != text_bytes else ""
    )
    print(f"release JSON: {rows} rows, {text_bytes / 2**20:.1f} MiB as text{stored}")
    return {
        "snap": snap,
        "build_ms": build * 1000,
        "current_mib": current / 2**20,
        "peak_mib": peak / 2**20,
        "json_mib": text_bytes / 2**20,
    }


# ---- queries ----------------------------------------------------------------------------------------


def _checklist_queries(snap, rng: random.Random, count: int) -> list[dict]:
    matters = sorted(snap.matters)
    regions = sorted(snap.releases)
    if "440000" in snap.known_regions:
        regions.append("440000")  # the province: known (agency 440099), never published → not_bound
    channels = sorted(snap.channels)
    return [
        {"matter": rng.choice(matters), "region": rng.choice(regions), "channel": rng.choice(channels)}
        for _ in range(count)
    ]


def _route_queries(snap, rng: random.Random, count: int) -> list[dict]:
    matters = sorted(snap.matters)
    agencies = sorted(snap.agencies)
    queries = []
    for _ in range(count):
        insured = rng.choice(agencies)
        queries.append(
            {
                "matter": rng.choice(matters),
                "accepting_agency": insured if rng.random() < 0.4 else rng.choice(agencies),
                "insured_agency": insured,
                "injury_date": rng.choice(DATES),
                "advance_payment": rng.random() < 0.1,
            }
        )
    return queries


# ---- straightforward ORM answers --------------------------------------------------------------------


def _region_known(region: str) -> bool:
    """The engine's ``known_regions`` for a region without a release: the config region of an agency."""
    from catalog.codes import city_of, is_province
    from catalog.models import Agency

    if is_province(region):
        return Agency.objects.filter(is_active=True, region__code=region).exists()
    if city_of(region) != region:
        return False
    return Agency.objects.filter(is_active=True, region__code__startswith=region[:4]).exists()


def _config_region(region_code: str) -> str:
    from catalog.codes import city_of, is_province

    return region_code if is_province(region_code) else city_of(region_code)


def _latest_release(region: str, matter: str):
    """(number, the matter's binding dict or None) of the region's latest release, or None."""
    from django.db.models.fields.json import KeyTransform

    from config_center.releases.models import Release

    return (
        Release.objects.filter(region__code=region)
        .order_by("-number")
        .annotate(binding=KeyTransform(matter, "snapshot"))
        .values_list("number", "binding")
        .first()
    )


def orm_checklist_rows(*, matter: str, region: str, channel: str):
    """Checklist from the configuration rows: LocalMatter + its ChecklistItems (material joined)."""
    from catalog.models import Channel, Matter
    from config_center.drafts.models import ChecklistItem, LocalMatter
    from config_center.releases.models import Release
    from config_center.runtime import engine

    if not Matter.objects.filter(code=matter, is_active=True).exists():
        return engine.Refusal(engine.UNKNOWN_MATTER, "")
    release = (
        Release.objects.filter(region__code=region)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if release is None and not _region_known(region):
        return engine.Refusal(engine.UNKNOWN_REGION, "")
    channel_id = Channel.objects.filter(code=channel, is_active=True).values_list("pk", flat=True).first()
    if channel_id is None:
        return engine.Refusal(engine.UNKNOWN_CHANNEL, "")
    local = (
        LocalMatter.objects.filter(region__code=region, matter__code=matter, is_active=True)
        .values("pk", "distribution_mode", "time_limit_days", "review_levels")
        .first()
    )
    if local is None or release is None:
        return engine.Refusal(engine.NOT_BOUND, "")
    main, auxiliary, application = [], [], []
    items = (
        ChecklistItem.objects.filter(local_matter_id=local["pk"], channel_id=channel_id)
        .select_related("material")
        .order_by("kind", "position", "id")
    )
    for item in items:
        if item.kind == "main":
            main.append(engine.MaterialRef(item.material.code, item.material.name, item.send_to_ministry))
        elif item.kind == "auxiliary":
            auxiliary.append(
                engine.AuxiliaryItem(item.name, item.material.code, item.material.name, item.send_to_ministry)
            )
        else:
            application.append(
                engine.ApplicationItem(
                    len(application) + 1, item.name, item.material.code, item.material.name
                )
            )
    return engine.ChecklistAnswer(
        matter,
        region,
        channel,
        release,
        local["distribution_mode"],
        local["time_limit_days"],
        local["review_levels"],
        tuple(main),
        tuple(auxiliary),
        tuple(application),
    )


def orm_checklist_release(*, matter: str, region: str, channel: str):
    """Checklist from the published JSON: the matter's entry of the latest release (key extracted in SQL)."""
    from catalog.models import Channel, Material, Matter
    from config_center.runtime import engine

    if not Matter.objects.filter(code=matter, is_active=True).exists():
        return engine.Refusal(engine.UNKNOWN_MATTER, "")
    row = _latest_release(region, matter)
    if row is None and not _region_known(region):
        return engine.Refusal(engine.UNKNOWN_REGION, "")
    if not Channel.objects.filter(code=channel, is_active=True).exists():
        return engine.Refusal(engine.UNKNOWN_CHANNEL, "")
    if row is None or not row[1] or not row[1].get("active"):
        return engine.Refusal(engine.NOT_BOUND, "")
    number, binding = row
    lists = (binding.get("checklists") or {}).get(channel, {})
    codes = {item["material"] for kind in lists.values() for item in kind}
    names = dict(Material.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return engine.ChecklistAnswer(
        matter,
        region,
        channel,
        number,
        binding["distribution_mode"],
        int(binding.get("time_limit_days") or 0),
        binding["review_levels"],
        tuple(
            engine.MaterialRef(i["material"], names.get(i["material"], ""), bool(i.get("send_to_ministry")))
            for i in lists.get("main", ())
        ),
        tuple(
            engine.AuxiliaryItem(
                i.get("name", ""),
                i["material"],
                names.get(i["material"], ""),
                bool(i.get("send_to_ministry")),
            )
            for i in lists.get("auxiliary", ())
        ),
        tuple(
            engine.ApplicationItem(n, i.get("name", ""), i["material"], names.get(i["material"], ""))
            for n, i in enumerate(lists.get("application", ()), start=1)
        ),
    )


def orm_route_rows(*, matter: str, accepting_agency: str, insured_agency: str, injury_date, advance_payment):
    """Route from the configuration rows: the matter, both agencies, the latest release number, the LocalMatter."""
    from catalog.models import Agency, Matter
    from config_center.drafts.models import LocalMatter
    from config_center.releases.models import Release
    from config_center.runtime import engine
    from routing import decisions

    info = Matter.objects.filter(code=matter, is_active=True).values("province_wide").first()
    if info is None:
        return engine.Refusal(engine.UNKNOWN_MATTER, "")
    accepting = (
        Agency.objects.filter(code=accepting_agency, is_active=True)
        .values_list("region__code", flat=True)
        .first()
    )
    if accepting is None:
        return engine.Refusal(decisions.UNKNOWN_AGENCY, "")
    insured = (
        Agency.objects.filter(code=insured_agency, is_active=True)
        .values_list("region__code", flat=True)
        .first()
    )
    if insured is None:
        return engine.Refusal(decisions.UNKNOWN_AGENCY, "")
    region = _config_region(insured)
    number = (
        Release.objects.filter(region__code=region)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    mode = (
        LocalMatter.objects.filter(region__code=region, matter__code=matter, is_active=True)
        .values_list("distribution_mode", flat=True)
        .first()
    )
    if number is None or mode is None:
        return engine.Refusal(engine.NOT_BOUND, "")
    if _config_region(accepting) == region:
        return decisions.RouteAnswer(insured_agency, False, mode, number)
    if mode != decisions.PROVINCE or not info["province_wide"]:
        return engine.Refusal(decisions.LOCAL_ONLY, "")
    if injury_date < decisions.PROVINCE_WIDE_FROM:
        return engine.Refusal(decisions.BEFORE_2019_07_01, "")
    if advance_payment:
        return engine.Refusal(decisions.ADVANCE_PAYMENT_EXCLUDED, "")
    return decisions.RouteAnswer(insured_agency, True, decisions.PROVINCE, number)


def orm_route(*, matter: str, accepting_agency: str, insured_agency: str, injury_date, advance_payment):
    """Route from the ORM: the matter, both agencies, the insured city's latest release and its binding."""
    from catalog.models import Agency, Matter
    from config_center.runtime import engine
    from routing import decisions

    info = Matter.objects.filter(code=matter, is_active=True).values("province_wide").first()
    if info is None:
        return engine.Refusal(engine.UNKNOWN_MATTER, "")
    accepting = (
        Agency.objects.filter(code=accepting_agency, is_active=True)
        .values_list("region__code", flat=True)
        .first()
    )
    if accepting is None:
        return engine.Refusal(decisions.UNKNOWN_AGENCY, "")
    insured = (
        Agency.objects.filter(code=insured_agency, is_active=True)
        .values_list("region__code", flat=True)
        .first()
    )
    if insured is None:
        return engine.Refusal(decisions.UNKNOWN_AGENCY, "")
    region = _config_region(insured)
    row = _latest_release(region, matter)
    if row is None or not row[1] or not row[1].get("active"):
        return engine.Refusal(engine.NOT_BOUND, "")
    number, binding = row
    if _config_region(accepting) == region:
        return decisions.RouteAnswer(insured_agency, False, binding["distribution_mode"], number)
    if binding["distribution_mode"] != decisions.PROVINCE or not info["province_wide"]:
        return engine.Refusal(decisions.LOCAL_ONLY, "")
    if injury_date < decisions.PROVINCE_WIDE_FROM:
        return engine.Refusal(decisions.BEFORE_2019_07_01, "")
    if advance_payment:
        return engine.Refusal(decisions.ADVANCE_PAYMENT_EXCLUDED, "")
    return decisions.RouteAnswer(insured_agency, True, decisions.PROVINCE, number)


# ---- in-process rates -------------------------------------------------------------------------------


def _same(left, right) -> bool:
    from config_center.runtime.engine import Refusal

    if isinstance(left, Refusal) or isinstance(right, Refusal):
        return type(left) is type(right) and left.reason_code == right.reason_code
    return left == right


def _best_rate(call: Callable, queries: list[dict], runs: int) -> float:
    best = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        for query in queries:
            call(**query)
        best = max(best, len(queries) / (time.perf_counter() - started))
    return best


def _refused(answers) -> float:
    return sum(not answer.ok for answer in answers) / len(answers)


def _verify(name: str, engine_call: Callable, orm_call: Callable, queries: list[dict]) -> int:
    mismatches = answers = 0
    for query in queries:
        expected, got = engine_call(**query), orm_call(**query)
        answers += expected.ok
        if not _same(expected, got):
            mismatches += 1
            if mismatches <= 3:
                print(f"  MISMATCH {name} {query}:\n    engine {expected}\n    orm    {got}")
    if answers == 0:
        raise RuntimeError(f"{name}: the sample holds only refusals; nothing compared")
    return mismatches


def _in_process(snap, profile: bool) -> dict:
    from functools import partial

    from django.db import reset_queries

    from config_center.runtime import engine
    from config_center.runtime.holder import RuntimeEngine
    from routing import decisions

    rng = random.Random(SEED)
    checklist_queries = _checklist_queries(snap, rng, ENGINE_QUERIES)
    route_queries = _route_queries(snap, rng, ENGINE_QUERIES)
    runtime = RuntimeEngine()
    runtime.snapshot()
    paths = {
        "checklist": {
            "queries": checklist_queries,
            "engine": partial(engine.checklist, snap),
            "runtime": runtime.checklist,
            "orm": {"rows": orm_checklist_rows, "release JSON": orm_checklist_release},
        },
        "route": {
            "queries": route_queries,
            "engine": partial(decisions.route, snap),
            "runtime": lambda **query: decisions.route(runtime.snapshot(), **query),
            "orm": {"rows": orm_route_rows, "release JSON": orm_route},
        },
    }
    results = {}
    print(
        f"\nin-process answers/s (one process = one core; engine: best of {ENGINE_RUNS} × {ENGINE_QUERIES:,}, "
    )
    print(
        f"ORM: best of {ORM_RUNS} × {ORM_QUERIES}; same random valid queries; verified on {VERIFY_SAMPLE:,})"
    )
    for name, path in paths.items():
        queries = path["queries"]
        refused = _refused([path["engine"](**query) for query in queries[:VERIFY_SAMPLE]])
        engine_rate = _best_rate(path["engine"], queries, ENGINE_RUNS)
        runtime_rate = _best_rate(path["runtime"], queries, ENGINE_RUNS)
        orm_rates = {}
        mismatches = 0
        for label, orm_call in path["orm"].items():
            mismatches += _verify(f"{name}/{label}", path["engine"], orm_call, queries[:VERIFY_SAMPLE])
            orm_rates[label] = _best_rate(orm_call, queries[:ORM_QUERIES], ORM_RUNS)
            reset_queries()
        best_orm = max(orm_rates.values())
        results[name] = {
            "engine": engine_rate,
            "runtime": runtime_rate,
            "orm": orm_rates,
            "ratio": engine_rate / best_orm,
            "mismatches": mismatches,
        }
        print(
            f"{name:9} engine {engine_rate:>12,.0f}/s   via RuntimeEngine {runtime_rate:>12,.0f}/s   "
            f"({refused:.0%} refusals, {mismatches} mismatches)"
        )
        for label, rate in orm_rates.items():
            print(f"{'':9} ORM ({label:12}) {rate:>9,.0f}/s   engine / ORM = {engine_rate / rate:>8,.0f}×")
        if profile:
            for label, orm_call in path["orm"].items():
                _profile_calls(f"ORM {name} ({label})", orm_call, queries[:300])
    return results


def _profile_calls(title: str, call: Callable, queries: list[dict]) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        call(**query)
    profiler.disable()
    print(f"\n--- cProfile: {title}, {len(queries)} answers, top 15 by cumulative time ---")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)


# ---- API under gunicorn -----------------------------------------------------------------------------


@dataclass
class ApiRequest:
    method: str
    path: str
    body: bytes | None
    expected: int


@dataclass
class LoadResult:
    sent: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds (open loop: from the scheduled time)
    service: list[float] = field(default_factory=list)  # seconds from send to full response
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def percentile(self, share: float, values: list[float] | None = None) -> float:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(share * (len(values) - 1))))] * 1000


def _api_requests(snap, rng: random.Random, count: int) -> list[ApiRequest]:
    """Half checklist GETs, half route POSTs, each with the status the engine's answer implies."""
    from config_center.runtime import engine
    from config_center.runtime.api import BAD_INPUT
    from routing import decisions

    def status(answer, refusal_status: int) -> int:
        if answer.ok:
            return 200
        return 400 if answer.reason_code in BAD_INPUT else refusal_status

    requests = []
    checklists = _checklist_queries(snap, rng, count // 2)
    routes = _route_queries(snap, rng, count - count // 2)
    for query_a, query_b in zip(checklists, routes, strict=False):
        requests.append(
            ApiRequest(
                "GET",
                "/api/v1/checklist?" + urlencode(query_a),
                None,
                status(engine.checklist(snap, **query_a), 404),
            )
        )
        body = dict(query_b, injury_date=query_b["injury_date"].isoformat())
        requests.append(
            ApiRequest(
                "POST",
                "/api/v1/route",
                json.dumps(body).encode(),
                status(decisions.route(snap, **query_b), 422),
            )
        )
    return requests


class _Client:
    """One HTTP/1.1 connection (keep-alive when the server allows it; sync gunicorn closes each one)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, request: ApiRequest) -> str | None:
        """None when the response has the expected status, else a short error description."""
        headers = {"Content-Type": "application/json"} if request.body is not None else {}
        try:
            self.connection.request(request.method, request.path, body=request.body, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            return f"{request.method} {request.path}: {type(error).__name__} {error}"
        if response.status != request.expected:
            return f"{request.method} {request.path}: {response.status}, expected {request.expected}"
        return None

    def close(self) -> None:
        self.connection.close()


def _record_error(result: LoadResult, error: str, lock: threading.Lock) -> None:
    with lock:
        result.errors += 1
        if len(result.error_samples) < 5:
            result.error_samples.append(error)


def _open_loop(
    port: int,
    requests: list[ApiRequest],
    rate: float,
    duration: float,
    halfway: Callable[[], None] | None = None,
) -> LoadResult:
    """Send at a constant ``rate`` whatever the server does; latency counts from the scheduled time.

    ``halfway`` (if given) runs in its own thread when half the requests have been sent.
    """
    count = int(rate * duration)
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    result = LoadResult(sent=count)
    lock = threading.Lock()
    timings: list[tuple[float, float, float] | None] = [None] * count

    def worker() -> None:
        client = _Client(port)
        while (job := jobs.get()) is not None:
            index, scheduled = job
            started = time.perf_counter()
            error = client.send(requests[index % len(requests)])
            timings[index] = (scheduled, started, time.perf_counter())
            if error:
                _record_error(result, error, lock)
        client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(64)]
    for thread in threads:
        thread.start()
    origin = time.perf_counter() + 0.1
    side = threading.Thread(target=halfway, daemon=True) if halfway else None
    for index in range(count):
        scheduled = origin + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((index, scheduled))
        if side is not None and index == count // 2:
            side.start()
    if side is not None:
        side.join()
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    done = [timing for timing in timings if timing is not None]
    result.latencies = [end - scheduled for scheduled, _started, end in done]
    result.service = [end - started for _scheduled, started, end in done]
    result.elapsed = max(end for _s, _b, end in done) - origin
    return result


def _closed_loop(port: int, requests: list[ApiRequest], clients: int, duration: float) -> LoadResult:
    """``clients`` threads, each sending its next request as soon as the previous one is answered."""
    result = LoadResult()
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    per_thread: list[list[float]] = [[] for _ in range(clients)]

    def worker(number: int) -> None:
        client = _Client(port)
        index = number * 997
        latencies = per_thread[number]
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            error = client.send(requests[index % len(requests)])
            latencies.append(time.perf_counter() - started)
            index += 1
            if error:
                _record_error(result, error, lock)
        client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    result.latencies = [latency for latencies in per_thread for latency in latencies]
    result.service = result.latencies
    result.sent = len(result.latencies)
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config_center.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; otherwise every answer is a 301 to https
        LOG_LEVEL="WARNING",
    )
    options = (
        f"--workers {workers} --worker-class sync --bind 127.0.0.1:{port} --timeout 60 --log-level warning"
    )
    command = [sys.executable, "-m", "gunicorn", *options.split(), "config_center.wsgi:application"]
    with log.open("wb") as handle:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def _stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # SIGTERM to the master (by its pid): graceful stop of the workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    print(f"gunicorn stopped (exit code {process.returncode})")


def _wait_ready(process: subprocess.Popen, port: int, probe: ApiRequest, log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < 90:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        client = _Client(port)
        error = client.send(probe)
        client.close()
        if error is None:
            return time.perf_counter() - started
        if "Connection refused" not in error and "ConnectionRefused" not in error:
            raise RuntimeError(f"gunicorn answered wrongly: {error}\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 90 s:\n{log.read_text()[-3000:]}")


def _warm_up(port: int, requests: list[ApiRequest], workers: int) -> None:
    """Until every worker has built its snapshot: rounds of closed-loop load until one is all fast."""
    for round_number in range(1, 16):
        result = _closed_loop(port, requests, max(4, 2 * workers), 1.5)
        worst = max(result.latencies) * 1000
        if result.errors:
            raise RuntimeError(f"warm-up errors: {result.error_samples}")
        if worst < 50 and round_number >= 2:
            print(f"warm-up: {round_number} rounds of 1.5 s, last round max {worst:.1f} ms")
            return
    print(f"warm-up: still slow after 15 rounds (max {worst:.1f} ms)")


def _api(url: str, snap, args: argparse.Namespace) -> dict:
    rng = random.Random(SEED + 1)
    requests = _api_requests(snap, rng, 20_000)
    port = _free_port()
    log = BENCH_DIR / f"gunicorn-{port}.log"
    print(f"\nAPI: gunicorn {args.workers} sync workers on 127.0.0.1:{port} (log {log.relative_to(ROOT)})")
    process = _start_gunicorn(url, port, args.workers, log)
    try:
        ready = _wait_ready(process, port, requests[0], log)
        print(f"first answer after {ready:.1f} s (includes that worker's snapshot build)")
        _warm_up(port, requests, args.workers)
        open_loop = _open_loop(port, requests, args.rate, args.duration)
        _print_load(f"open loop {args.rate:.0f} req/s × {args.duration:.0f} s", open_loop, open_loop=True)
        closed = _closed_loop(port, requests, args.clients, args.closed_seconds)
        _print_load(
            f"closed loop {args.clients} clients × {args.closed_seconds:.0f} s", closed, open_loop=False
        )
        bumped = None
        if args.bump_during_load:
            time.sleep(2)
            bumped = _open_loop(port, requests, args.rate, args.duration, halfway=_bump_version)
            _print_load(
                f"open loop {args.rate:.0f} req/s × {args.duration:.0f} s, ConfigVersion bumped halfway "
                "(every worker rebuilds its snapshot inside a request)",
                bumped,
                open_loop=True,
            )
    finally:
        _stop_gunicorn(process)
    # The log holds one django.request warning per 404/422 refusal; keep it only when something failed.
    if process.returncode == 0 and not (open_loop.errors or closed.errors or (bumped and bumped.errors)):
        log.unlink(missing_ok=True)
    else:
        print(f"gunicorn log kept: {log}")
    return {"open": open_loop, "closed": closed, "bumped": bumped}


def _bump_version() -> None:
    """What a publish does to the runtime: move the version (the releases themselves stay the same)."""
    from django.db import connection
    from django.db.models import F

    from config_center.releases.models import ConfigVersion

    try:
        ConfigVersion.objects.filter(id=1).update(version=F("version") + 1)
    finally:
        connection.close()


def _print_load(title: str, result: LoadResult, *, open_loop: bool) -> None:
    rate = len(result.latencies) / result.elapsed
    print(
        f"{title}: {len(result.latencies):,} answered in {result.elapsed:.1f} s = {rate:,.1f} req/s, "
        f"{result.errors} errors"
    )
    label = "latency from scheduled send" if open_loop else "latency"
    print(
        f"  {label}: p50 {result.percentile(0.50):.2f} ms, p90 {result.percentile(0.90):.2f} ms, "
        f"p99 {result.percentile(0.99):.2f} ms, max {max(result.latencies) * 1000:.2f} ms"
    )
    if open_loop:
        print(
            f"  service time (send → response): p50 {result.percentile(0.5, result.service):.2f} ms, "
            f"p99 {result.percentile(0.99, result.service):.2f} ms"
        )
    for sample in result.error_samples:
        print(f"  error: {sample}")


def _profile_api(snap) -> None:
    """cProfile 200 API requests in this process (Django test client, same settings as gunicorn)."""
    from django.test import Client

    client = Client()
    requests = _api_requests(snap, random.Random(SEED + 2), 200)

    def run() -> None:
        for request in requests:
            if request.method == "GET":
                response = client.get(request.path)
            else:
                response = client.post(request.path, request.body, content_type="application/json")
            assert response.status_code == request.expected, (request, response.status_code)

    # Django logs every 404/422 refusal as a django.request warning: keep the cost, drop the output.
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    with open(os.devnull, "w") as devnull:
        streams = [handler.setStream(devnull) for handler in handlers]
        try:
            _profile_requests(run, len(requests))
        finally:
            for handler, stream in zip(handlers, streams, strict=True):
                if stream is not None:
                    handler.setStream(stream)


def _profile_requests(run: Callable[[], None], count: int) -> None:
    import cProfile
    import pstats

    run()  # warm (builds this process's runtime snapshot)
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    print(
        f"\nin-process API (Django test client): {count / elapsed:,.0f} req/s, {elapsed / count * 1000:.2f} ms each"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    print(f"--- cProfile: {count} API requests in process, top 25 by cumulative time ---")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


# ---- summary ----------------------------------------------------------------------------------------


def _summary(snapshot: dict, rates: dict, api: dict | None, args: argparse.Namespace, label: str) -> bool:
    rows: list[tuple[str, str, str, bool | None]] = []

    def row(name: str, measured: str, target: str = "-", ok: bool | None = None) -> None:
        rows.append((name, measured, target, ok))

    row("snapshot build (best of 3)", f"{snapshot['build_ms']:,.0f} ms")
    row("snapshot memory current / peak", f"{snapshot['current_mib']:.0f} / {snapshot['peak_mib']:.0f} MiB")
    row("release JSON rows", f"{snapshot['json_mib']:.1f} MiB")
    for name in ("checklist", "route"):
        result = rates[name]
        engine_rate, ratio = result["engine"], result["ratio"]
        row(
            f"engine {name} answers/s (1 core)",
            f"{engine_rate:,.0f}",
            f">= {TARGET_ENGINE_RATE:,}",
            engine_rate >= TARGET_ENGINE_RATE,
        )
        row("  via RuntimeEngine (version check)", f"{result['runtime']:,.0f}")
        for orm_label, rate in result["orm"].items():
            row(f"  ORM {name} ({orm_label}) answers/s", f"{rate:,.0f}")
        row(f"engine / fastest ORM ({name})", f"{ratio:,.0f}×", f">= {TARGET_RATIO}×", ratio >= TARGET_RATIO)
        mismatches = result["mismatches"]
        row(f"engine = ORM on sample ({name})", f"{mismatches} mismatches", "0", mismatches == 0)
    if api is not None:
        open_loop, closed = api["open"], api["closed"]
        achieved = len(open_loop.latencies) / open_loop.elapsed
        at = f"at {args.rate:.0f} req/s"
        p99 = open_loop.percentile(0.99)
        errors = open_loop.errors + closed.errors
        row(
            "API achieved rate (open loop)",
            f"{achieved:,.1f} req/s",
            f">= {0.98 * args.rate:,.0f}",
            achieved >= 0.98 * args.rate,
        )
        row(f"API p50 / p90 {at}", f"{open_loop.percentile(0.5):.2f} / {open_loop.percentile(0.9):.2f} ms")
        row(f"API p99 {at}", f"{p99:.2f} ms", f"< {TARGET_P99_MS:.0f} ms", p99 < TARGET_P99_MS)
        row(f"API max {at}", f"{max(open_loop.latencies) * 1000:.2f} ms")
        row("API errors (open + closed loop)", str(errors), "0", errors == 0)
        row(
            f"API closed loop ({args.clients} clients)",
            f"{len(closed.latencies) / closed.elapsed:,.0f} req/s",
        )
        row("  closed-loop p50 / p99", f"{closed.percentile(0.5):.2f} / {closed.percentile(0.99):.2f} ms")
        if api["bumped"] is not None:
            bumped = api["bumped"]
            row(
                f"  (info) p99 / max {at}, publish halfway",
                f"{bumped.percentile(0.99):.1f} / {max(bumped.latencies) * 1000:.0f} ms",
            )
    print(f"\n==== summary ({label}; load average now {_load()}) ====")
    header = f"{'measure':<42}{'measured':>24}  {'target':<12}result"
    print(header)
    print("-" * len(header))
    for name, measured, target, ok in rows:
        verdict = "" if ok is None else ("ok" if ok else "MISS")
        print(f"{name:<42}{measured:>24}  {target:<12}{verdict}")
    return all(ok for *_rest, ok in rows if ok is not None)


def _load() -> str:
    """The 1/5/15-minute load average: other processes on the machine skew the latencies."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    args = _arguments()
    url, cleanup = _configure(args)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections

    label = f"{connection.vendor} {settings.DATABASES['default']['NAME']}"
    print(
        f"database: {label}  (DEBUG={int(settings.DEBUG)}, Python {sys.version.split()[0]}, "
        f"Django {django.__version__}, {os.cpu_count()} CPUs, load average {_load()})"
    )
    try:
        _build()
        snapshot = _snapshot_figures()
        snap = snapshot["snap"]
        rates = _in_process(snap, args.profile)
        connections.close_all()
        api = None if args.no_api else _api(url, snap, args)
        if args.profile:
            _profile_api(snap)
        ok = _summary(snapshot, rates, api, args, label)
        return 0 if ok else 1
    finally:
        connections.close_all()
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
