"""Benchmark: 业务状态查询 over 1,000,000 cases of 21 cities on PostgreSQL (issue 14, Performance).

    python tests/benchmarks/bench_case_query.py                 # builds console_bench_case_query afresh
    python tests/benchmarks/bench_case_query.py --reuse         # keeps the cases of an earlier run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mydb python tests/benchmarks/bench_case_query.py
    python tests/benchmarks/bench_case_query.py --cases 100000 --explain

Builds the cases with COPY (the indexes are dropped for the load and built again after it: minutes, not hours),
then times through the admin (the test client, the real screen: conditions checked, scope, capped count, one
page, rendering) with a province user and with a city clerk:
- lookup by 受理回执号,
- lookup by 证件号,
- the first page of a filtered listing: 流程状态 + 分管机构 + a 30-day 受理开始/结束 range,
each p95 < 200 ms; the SQL alone (conditions, count + page) is printed beside. Lookup by 姓名 and the page with
no condition (the planner's estimate instead of a count) are printed too, without a target. Exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, as routing.identity
_CHECK = "10X98765432"

DEFAULT_DB = "console_bench_case_query"
TARGET_MS = 200.0
YEARS = 3
CHUNK = 50_000


def _arguments():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200, help="requests per measurement")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database and its cases if they are there"
    )
    parser.add_argument("--explain", action="store_true", help="print the plans of the three queries")
    parser.add_argument(
        "--export",
        action="store_true",
        help="time the xlsx export of the 中山 clerk's cases (up to 100,000 rows)",
    )
    parser.add_argument("--seed", type=int, default=14)
    return parser.parse_args()


def _configure(args) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    if url:
        sys.exit("this benchmark runs on PostgreSQL: DATABASE_URL must be a postgres:// URL")
    if not args.reuse:
        for sql in (f"DROP DATABASE IF EXISTS {DEFAULT_DB}", f"CREATE DATABASE {DEFAULT_DB}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    else:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {DEFAULT_DB}"],
            check=False,
            capture_output=True,
        )
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}"
    return os.environ["DATABASE_URL"]


# ---- the data -------------------------------------------------------------------------------------------
def _build(args) -> None:
    """``--cases`` synthetic cases over the 21 cities (tests/factories/bulk_cases.py, the home page's too)."""
    from tests.factories.bulk_cases import bench_console_prepare

    bench_console_prepare(args.cases, seed=args.seed, reuse=args.reuse, years=YEARS)


# ---- measuring --------------------------------------------------------------------------------------------
def _users():
    from django.contrib.auth import get_user_model

    from catalog.models import Agency, Region
    from permissions.models import Role
    from permissions.services import assignment_create

    users = get_user_model()
    province = users.objects.filter(username="bench-province").first()
    if province is None:
        province = users.objects.create_user("bench-province", is_staff=True)
        assignment_create(
            user=province, role=Role.objects.get(code="supervisor"), region=Region.objects.get(code="440000")
        )
    city = users.objects.filter(username="bench-city").first()
    if city is None:
        city = users.objects.create_user("bench-city", is_staff=True)
        assignment_create(
            user=city, role=Role.objects.get(code="clerk"), agency=Agency.objects.get(code="442099")
        )
    return province, city


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _time(label: str, samples: list[dict], request, sql, *, target: bool = True) -> tuple[str, float]:
    from django.db import reset_queries

    screen, database = [], []
    for params in samples:
        reset_queries()
        began = time.perf_counter()
        request(params)
        screen.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        sql(params)
        database.append((time.perf_counter() - began) * 1000)
    p95 = _percentile(screen, 0.95)
    print(
        f"{label:<58} screen p50 {statistics.median(screen):6.1f}  p95 {p95:6.1f}  max {max(screen):6.1f} ms"
        f" | SQL p50 {statistics.median(database):5.1f}  p95 {_percentile(database, 0.95):5.1f} ms"
        f"  {('ok' if p95 < TARGET_MS else 'MISS') if target else ''}"
    )
    return label, p95


def _export(user) -> None:
    """The export screen for everything the user may see: rows, seconds, file size, peak memory."""
    import resource

    from django.test import Client
    from django.urls import reverse

    client = Client(secure=True)
    client.force_login(user)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.perf_counter()
    response = client.get(reverse("admin:routing_cases_export"))
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"export (中山 clerk, no condition, capped at 100,000 rows): {elapsed:.1f} s, {size / 1e6:.1f} MB xlsx, "
        f"peak RSS {peak:.0f} MB (before {before:.0f} MB)"
    )


def main() -> int:
    args = _arguments()
    url = _configure(args)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Agency
    from routing.admin.case_query_form import CaseQueryForm
    from routing.models import Case
    from routing.search import RELATED, case_count, case_search

    print(
        f"database: {url.rsplit('@', 1)[-1]} (PostgreSQL {connection.cursor().connection.info.server_version})"
    )
    _build(args)
    total = Case.objects.count()
    province, city = _users()
    rng = random.Random(args.seed + 1)
    ids = list(
        Case.objects.order_by("?").values_list("receipt_no", "id_number", "applicant_name")[: args.samples]
    )
    city_ids = list(
        Case.objects.filter(handling_region__code="442000")
        .order_by("?")
        .values_list("receipt_no", "id_number", "applicant_name")[: args.samples]
    )
    agencies = list(Agency.objects.filter(region__level="city").values_list("code", flat=True))
    newest = Case.objects.order_by("-accepted_at").values_list("accepted_at", flat=True).first().date()
    oldest = newest - datetime.timedelta(days=365 * YEARS - 40)

    def listing(agency_choice):
        params = []
        for _ in range(args.samples):
            first = oldest + datetime.timedelta(days=rng.randrange((newest - oldest).days))
            params.append(
                {
                    "status": rng.choice(
                        ["archived", "completed", "scanned", "first_assigned", "review_failed"]
                    ),
                    "handling_agency": agency_choice(),
                    "accepted_from": first.isoformat(),
                    "accepted_to": (first + datetime.timedelta(days=30)).isoformat(),
                }
            )
        return params

    measurements, extra = [], []  # extra: printed, not held to the target
    for user, who, receipts, listings in (
        (province, "province", ids, listing(lambda: rng.choice(agencies))),
        (city, "中山 clerk", city_ids, listing(lambda: "442099")),
    ):
        client = Client(secure=True)
        client.force_login(user)
        page = reverse("admin:routing_cases")

        def request(params, client=client, page=page):
            response = client.get(page, params)
            assert response.status_code == 200, response.status_code
            text = response.content.decode()
            assert 'id="case-query-errors"' not in text, params
            return text.count('data-receipt="')  # the rows shown

        def sql(params, user=user):
            form = CaseQueryForm(params)
            assert form.is_valid(), form.errors
            cases = case_search(user, form.filters())
            case_count(cases, form.filters())
            return list(cases.select_related(*RELATED)[:50])

        request({})  # warm the theme and the connection
        by_receipt = [{"receipt_no": receipt} for receipt, _id, _name in receipts]
        by_id = [{"id_number": id_number} for _receipt, id_number, _name in receipts]
        by_name = [{"name": name} for _receipt, _id, name in receipts]
        assert request(by_receipt[0]) == 1, f"the receipt number was not found for {who}"
        measurements.append(_time(f"[{who}] lookup by 受理回执号", by_receipt, request, sql))
        measurements.append(_time(f"[{who}] lookup by 证件号", by_id, request, sql))
        extra.append(_time(f"[{who}] lookup by 姓名 (no target)", by_name, request, sql, target=False))
        measurements.append(
            _time(f"[{who}] 流程状态 + 分管机构 + 30 days, first page", listings, request, sql)
        )
        sizes = [request(params) for params in listings[:20]]
        print(f"    rows on the first pages of the listing (20 samples): min {min(sizes)}, max {max(sizes)}")
        unfiltered = [{} for _ in range(20)]
        extra.append(
            _time(f"[{who}] no condition (estimate, no target)", unfiltered, request, sql, target=False)
        )
        if args.explain:
            for params in (by_receipt[0], by_id[0], listings[0]):
                form = CaseQueryForm(params)
                form.is_valid()
                cases = case_search(user, form.filters()).select_related(*RELATED)[:50]
                with connection.cursor() as cursor:
                    sql_text, sql_params = cases.query.sql_with_params()
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql_text, sql_params)
                    print(f"\n-- {who} {params}\n" + "\n".join(row[0] for row in cursor.fetchall()))

    if args.export:
        _export(city)
    missed = [label for label, p95 in measurements if p95 >= TARGET_MS]
    print(
        f"\n{total:,} cases; target p95 < {TARGET_MS:.0f} ms: {'all met' if not missed else 'MISSED: ' + ', '.join(missed)}"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
