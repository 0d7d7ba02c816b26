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
import io
import json
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
def _id_number(region: str, birth: datetime.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


# 流程状态 of a case accepted some time ago: most are finished; recent ones are still open.
FINISHED_MIX = [("archived", 55), ("completed", 25), ("review_failed", 4), ("refused", 2), ("terminated", 1)]
OPEN_MIX = [
    ("pending_correction", 2),
    ("accepted", 2),
    ("scanned", 3),
    ("first_assigned", 2),
    ("first_reviewed", 2),
    ("second_assigned", 1),
    ("suspended", 1),
]
COLUMNS = (
    "receipt_no serial_no matter_id applicant_name applicant_sex id_type id_number person_code phone contact "
    "employer_code employer_name insured_agency_id insured_region_id accepting_agency_id accepting_region_id "
    "accepted_by_id handling_agency_id handling_region_id channel_id remote injury_date advance_payment accepted_at "
    "time_limit_days deadline review_levels release_region release_number required_materials received_materials "
    "status scan_status archive_status sms_status post_status distribution_status evaluation refusal_reason "
    "finished_at version"
).split()
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红文辉建国志海波宁"


def _build(args) -> None:
    """1,000,000 synthetic cases (``--cases``) over the 21 cities, loaded with COPY."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Agency, Channel, Matter, Region
    from config_center.project.reference import reference_data_load_all
    from routing.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    have = Case.objects.count() if args.reuse else 0
    if have >= args.cases:
        print(f"reusing {have:,} cases")
        return
    Case.objects.all().delete()
    reference_data_load_all()
    users = get_user_model()
    clerk = users.objects.filter(username="bench-loader").first() or users.objects.create_user("bench-loader")
    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    agencies = {a.region_id: a for a in Agency.objects.filter(region__in=cities)}
    matters = list(Matter.objects.values_list("pk", flat=True))
    channels = list(Channel.objects.values_list("pk", flat=True))
    print(f"migrate + reference data: {time.perf_counter() - started:.1f} s; {len(cities)} cities")

    rng = random.Random(args.seed)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start = now - datetime.timedelta(days=365 * YEARS)
    step = int((now - start).total_seconds()) // args.cases  # one second at least: unique 受理回执号
    assert step >= 1, "too many cases for the time span"
    statuses_done = [s for s, w in FINISHED_MIX for _ in range(w)]
    statuses_open = [s for s, w in OPEN_MIX for _ in range(w)]
    required = json.dumps(
        [{"code": c, "name": c, "kind": "main"} for c in ("CL009", "CL001", "CL003", "CL005")],
        ensure_ascii=False,
    )
    received = json.dumps(["CL001", "CL003", "CL005", "CL009"])
    people = max(1, int(args.cases * 0.7))  # persons with more than one case

    def rows():
        for number in range(args.cases):
            moment = start + datetime.timedelta(seconds=number * step + rng.randrange(step))
            local = moment + datetime.timedelta(hours=8)
            city = cities[rng.randrange(len(cities))]
            handling = city
            accepting = city if rng.random() > 0.1 else cities[rng.randrange(len(cities))]  # 10% remote
            person = rng.randrange(people)
            prng = random.Random(person)
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=prng.randrange(14_000))
            name = SURNAMES[prng.randrange(len(SURNAMES))] + GIVEN[prng.randrange(len(GIVEN))]
            if prng.random() < 0.5:
                name += GIVEN[prng.randrange(len(GIVEN))]
            age_days = (now - moment).days
            status = (
                statuses_open[rng.randrange(len(statuses_open))]
                if age_days < 40 or rng.random() < 0.04
                else (statuses_done[rng.randrange(len(statuses_done))])
            )
            finished = status in ("archived", "completed", "review_failed", "refused", "terminated")
            deadline = (local + datetime.timedelta(days=28)).date()
            yield (
                f"{local:%y%m%d%H%M%S}0001",
                f"{handling.code}{local:%y%m%d}{number:08d}",
                matters[rng.randrange(len(matters))],
                name,
                "M" if prng.random() < 0.6 else "F",
                "id_card",
                _id_number(city.code, birth, person),
                f"P{person:09d}",
                f"13{prng.randrange(10**9):09d}",
                "",
                f"E{handling.code}{prng.randrange(5000):05d}",
                f"{handling.name}某某有限公司",
                agencies[handling.pk].pk,
                handling.pk,
                agencies[accepting.pk].pk,
                accepting.pk,
                clerk.pk,
                agencies[handling.pk].pk,
                handling.pk,
                channels[0] if rng.random() < 0.7 else channels[rng.randrange(len(channels))],
                "t" if accepting is not handling else "f",
                (local - datetime.timedelta(days=30)).date().isoformat(),
                "f",
                moment.isoformat(),
                20,
                deadline.isoformat(),
                2,
                handling.code,
                1,
                required,
                received,
                status,
                "scanned" if status not in ("pending_correction", "accepted", "refused") else "not_scanned",
                "archived" if status == "archived" else "not_archived",
                "sent",
                "not_needed",
                "random" if status not in ("pending_correction", "accepted", "refused") else "unassigned",
                "satisfied" if rng.random() < 0.3 else "none",
                "",
                (moment + datetime.timedelta(days=15)).isoformat() if finished else "\\N",
                1,
            )

    # Fields added since (not null, with a default): their defaults, so the load keeps up with the model.
    later = [
        f for f in Case._meta.concrete_fields if not (f.null or f.primary_key) and f.column not in COLUMNS
    ]
    tail = tuple(_copy_text(f.get_default()) for f in later)
    columns = [*COLUMNS, *(f.column for f in later)]
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [table, "%_pkey"],
        )
        indexes = cursor.fetchall()
        constraints = []
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    loaded = time.perf_counter()
    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    written = 0
    generated = rows()
    while True:
        buffer = io.StringIO()
        count = 0
        for row in generated:
            buffer.write("\t".join(str(value) for value in (*row, *tail)))
            buffer.write("\n")
            count += 1
            if count == CHUNK:
                break
        if not count:
            break
        with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            copy.write(buffer.getvalue())
        written += count
        if written % 200_000 == 0:
            print(f"  {written:,} cases ({time.perf_counter() - loaded:.0f} s)", flush=True)
    copied = time.perf_counter() - loaded
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            if "UNIQUE" not in definition:  # unique ones come back with their constraints
                cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(f"ANALYZE {table}")
    print(
        f"loaded {written:,} cases: COPY {copied:.0f} s, indexes and constraints "
        f"{time.perf_counter() - loaded - copied:.0f} s"
    )


def _copy_text(value) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


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
