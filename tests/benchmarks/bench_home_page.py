"""Benchmark: the console home page (工作台) over 1,000,000 cases on PostgreSQL (issue 15): p95 < 300 ms.

    python tests/benchmarks/bench_home_page.py                 # builds console_bench_home_page afresh
    python tests/benchmarks/bench_home_page.py --reuse         # keeps the cases of an earlier run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mydb python tests/benchmarks/bench_home_page.py
    python tests/benchmarks/bench_home_page.py --cases 100000 --explain

The cases come from ``tests.factories.bulk_cases`` (COPY, indexes rebuilt after the load, then VACUUM
ANALYZE: ~42,000 review tasks, 300 open transfers, 2,000 failed SMS over 21 cities and 3 years); every city
has 20 bound matters with their lists (``tests.factories.config.province_configuration``: 420 local matters,
21,420 checklist rows), 中山 and 广州 the demo's too, both published, with one unpublished save. The page is requested through
the test client (middleware, session, every query, the templates) as each kind of user:
a superuser, a province supervisor (省级业务督导) with the default period and with the longest one, a 中山
clerk, a 中山 reviewer holding tasks, a 中山 city administrator. Prints p50 / p95 / max and the number of
queries; exits 1 when a p95 reaches the target.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "console_bench_home_page"
TARGET_MS = 300.0
CONFIGURED_MATTERS = 20  # per city: about what a city binds of the catalog's matters


def _arguments():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100, help="requests per user")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database and its cases if they are there"
    )
    parser.add_argument("--explain", action="store_true", help="print the plans of the case queries")
    parser.add_argument("--seed", type=int, default=15)
    return parser.parse_args()


def _psql(sql: str, check: bool = True) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=check, capture_output=not check
    )


def _configure(args) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["RUNTIME_WATCH"] = "0"
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    if url:
        sys.exit("this benchmark runs on PostgreSQL: DATABASE_URL must be a postgres:// URL")
    if args.reuse:
        _psql(f"CREATE DATABASE {DEFAULT_DB}", check=False)
    else:
        _psql(f"DROP DATABASE IF EXISTS {DEFAULT_DB}")
        _psql(f"CREATE DATABASE {DEFAULT_DB}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}"
    return os.environ["DATABASE_URL"]


def _build(args) -> None:
    from tests.factories.bulk_cases import bench_console_prepare

    bench_console_prepare(args.cases, seed=args.seed, reuse=args.reuse)


def _configuration(root) -> None:
    """Every city configured (20 matters × 6 channels × 8 materials each, ``province_configuration``) and the
    demo's matters in 中山 and 广州, those two published (once), then one unpublished save in 广州."""
    from catalog.models import Region
    from config_center.drafts.models import LocalMatter
    from config_center.project.demo import demo_data_load
    from config_center.releases.models import Release
    from config_center.releases.services import release_publish
    from tests.factories.config import CATEGORY_CODE, province_configuration

    if not LocalMatter.objects.filter(matter__category__code=CATEGORY_CODE).exists():
        summary = province_configuration(matters=CONFIGURED_MATTERS)
        print(
            f"configuration: {summary.local_matters:,} local matters in {summary.cities} cities, "
            f"{summary.checklist_items:,} checklist rows"
        )
    if not Release.objects.filter(region__code__in=["442000", "440100"]).exists():
        demo_data_load(root)
        for code in ("442000", "440100"):
            release_publish(region=Region.objects.get(code=code), user=root, comment="基准测试发布")
    local = LocalMatter.objects.filter(region__code="440100", is_active=True).order_by("pk").first()
    local.time_limit_days += 1
    local.save()  # a save after the release (the history records it)


def _users():
    from django.contrib.auth import get_user_model

    from catalog.models import Agency, Region
    from permissions.models import Role
    from permissions.services import assignment_create

    users = get_user_model()

    def user(name: str, role: str | None = None, **where):
        found = users.objects.filter(username=name).first()
        if found:
            return found
        if role is None:
            return users.objects.create_superuser(name, f"{name}@example.invalid", None)
        created = users.objects.create_user(name, is_staff=True)
        place = {
            key: (Agency if key == "agency" else Region).objects.get(code=code) for key, code in where.items()
        }
        assignment_create(user=created, role=Role.objects.get(code=role), **place)
        return created

    root = user("bench-home-root")
    return root, {
        "superuser": root,
        "province supervisor": user("bench-home-supervisor", "supervisor", region="440000"),
        "中山 clerk": user("bench-home-clerk", "clerk", agency="442099"),
        "中山 reviewer (tasks)": users.objects.get(username="bulk-reviewer-442000-0"),
        "中山 city admin": user("bench-home-admin", "city_admin", region="442000"),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _measure(label: str, client, params: dict, samples: int) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # the connection, the session, the theme
        assert client.get("/admin/", params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get("/admin/", params)
    queries = len(captured.captured_queries)  # read now: the next request clears the connection's log
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        response = client.get("/admin/", params)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    text = response.content.decode()
    assert 'id="home-period-errors"' not in text, params
    p95 = _percentile(timings, 0.95)
    print(
        f"{label:<44} p50 {statistics.median(timings):6.1f}  p95 {p95:6.1f}  max {max(timings):6.1f} ms"
        f"  {queries:3d} queries  {'ok' if p95 < TARGET_MS else 'MISS'}"
    )
    return p95


def _explain(user) -> None:
    from django.db import connection
    from django.utils import timezone

    from routing import states
    from routing.selectors import cases_for

    start = timezone.now() - datetime.timedelta(days=30)
    queries = {
        "open cases by status": cases_for(user)
        .filter(status__in=states.OPEN)
        .values_list("status")
        .order_by(),
        "accepted in 30 days by status": cases_for(user)
        .filter(accepted_at__gte=start)
        .values_list("status")
        .order_by(),
    }
    for label, queryset in queries.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print(f"\n-- {user.username}: {label}\n" + "\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    args = _arguments()
    url = _configure(args)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from config_center.project.home.period import MAX_DAYS
    from routing.models import Case, Task

    print(
        f"database: {url.rsplit('@', 1)[-1]} (PostgreSQL {connection.cursor().connection.info.server_version})"
    )
    _build(args)
    root, users = _users()
    _configuration(root)
    print(
        f"{Case.objects.count():,} cases, {Task.objects.count():,} tasks; target p95 < {TARGET_MS:.0f} ms\n"
    )

    today = timezone.localdate()
    longest = {"start": (today - datetime.timedelta(days=MAX_DAYS - 1)).isoformat(), "end": today.isoformat()}
    results = []
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        results.append((label, _measure(label, client, {}, args.samples)))
        if label == "province supervisor":
            label = f"province supervisor, {MAX_DAYS}-day period"
            results.append((label, _measure(label, client, longest, args.samples)))
    if args.explain:
        _explain(users["province supervisor"])
        _explain(users["中山 clerk"])
    missed = [label for label, p95 in results if p95 >= TARGET_MS]
    print(f"\ntarget p95 < {TARGET_MS:.0f} ms: {'all met' if not missed else 'MISSED: ' + ', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
