"""Response times of the configuration-centre admin on a province-sized configuration.

Run on demand from the project root (pytest never collects bench_*.py)::

    python tests/benchmarks/bench_config_centre.py            # fresh SQLite file, removed afterwards
    python tests/benchmarks/bench_config_centre.py --reuse    # keep/reuse var/bench/bench.sqlite3
    python tests/benchmarks/bench_config_centre.py --db var/bench/x.sqlite3 --keep
    python tests/benchmarks/bench_config_centre.py --profile change   # cProfile one page

It migrates a SQLite database under ``var/bench/``, loads the reference data, builds 21 cities × 150
matters × 6 channels × 8 main materials (``tests.factories.config.province_configuration``), then times
each page with Django's test client as a superuser: best and median of 10 requests after one warm-up,
with the query count of one request. Target: every page under 300 ms.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_MS = 300
RUNS = 10
BENCH_DIR = ROOT / "var" / "bench"
REUSED_DB = BENCH_DIR / "bench.sqlite3"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="SQLite file to use (default: a fresh file in var/bench/)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"keep the database and reuse its configuration if already built (default file {REUSED_DB})",
    )
    parser.add_argument("--keep", action="store_true", help="do not delete a fresh database afterwards")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed requests per page (default {RUNS})")
    parser.add_argument("--debug", action="store_true", help="run with DEBUG=1 (default: DEBUG=0)")
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        action="append",
        default=[],
        help="cProfile one page (a key of the table, e.g. change); may repeat",
    )
    return parser.parse_args()


def _configure(args: argparse.Namespace) -> tuple[Path, bool]:
    """Point Django at the benchmark database; return (path, delete afterwards)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.db is not None:
        path, fresh = args.db.resolve(), not args.reuse
    elif args.reuse:
        path, fresh = REUSED_DB, False
    else:
        handle, name = tempfile.mkstemp(prefix="bench-", suffix=".sqlite3", dir=BENCH_DIR)
        os.close(handle)
        path, fresh = Path(name), True
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DEBUG"] = "1" if args.debug else "0"
    if not args.debug:
        os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
        os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return path, fresh and not args.keep


def _build() -> None:
    from django.core.management import call_command

    from config_center.drafts.models import ChecklistItem, LocalMatter
    from config_center.project.reference import reference_data_load_all
    from tests.factories.config import province_configuration

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if LocalMatter.objects.exists():
        print(
            f"reusing the configuration: {LocalMatter.objects.count():,} local matters, "
            f"{ChecklistItem.objects.count():,} checklist rows"
        )
        return
    started = time.perf_counter()
    reference_data_load_all()
    print(f"reference data: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    summary = province_configuration()
    elapsed = time.perf_counter() - started
    print(
        f"province configuration: {elapsed:.1f} s — {summary.cities} cities × {summary.matters} matters "
        f"× {summary.channels} channels; {summary.local_matters:,} local matters, "
        f"{summary.checklist_items:,} checklist rows, {summary.sms_slots:,} SMS slots, "
        f"{summary.print_slots:,} print slots, pool of {summary.materials} materials"
    )


def _pages() -> dict[str, tuple[str, str, dict]]:
    """{key: (label, url, params)} of the pages timed."""
    from django.urls import reverse

    from catalog.models import Region
    from config_center.drafts.models import LocalMatter

    zhongshan = Region.objects.get(code="442000")
    sample = LocalMatter.objects.filter(region=zhongshan, matter__code__startswith="BM").order_by(
        "matter__code"
    )[0]
    changelist = reverse("admin:config_center_localmatter_changelist")
    return {
        "list": ("本地业务列表 (50 rows)", changelist, {}),
        "search": ("本地业务列表 ?q=中山", changelist, {"q": "中山"}),
        "city": ("本地业务列表 ?region=中山市", changelist, {"region__id__exact": zhongshan.pk}),
        "change": (
            "本地业务修改页 (6 channels × 8 main)",
            reverse("admin:config_center_localmatter_change", args=[sample.pk]),
            {},
        ),
        "bindable": (
            "定制本地业务 ?city=442000",
            reverse("admin:config_center_bindablematter_changelist"),
            {"city": "442000"},
        ),
        "categories": (
            "定制本地业务 大类列表",
            reverse("admin:config_center_bindingcategory_changelist"),
            {},
        ),
    }


def _measure(client, url: str, params: dict, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, params)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    sql_seconds = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_seconds[0] += time.perf_counter() - started

    with CaptureQueriesContext(connection) as context, connection.execute_wrapper(timed):
        response = client.get(url, params)
    queries = context.captured_queries  # now: the next request's request_started resets the log
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return {
        "queries": len(queries),
        "db_ms": sql_seconds[0] * 1000,
        "best": min(times),
        "median": statistics.median(times),
        "kb": len(response.content) / 1024,
    }


def _profile(client, key: str, url: str, params: dict) -> None:
    import cProfile
    import pstats

    client.get(url, params)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        client.get(url, params)
    profiler.disable()
    print(f"\n--- cProfile of {key} ({url}), 3 requests, top 25 by cumulative time ---")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"--- top 15 by own time ({key}) ---")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first() or user_model.objects.create_superuser(
        "bench", "bench@example.invalid", None
    )
    client = Client(secure=True)
    client.force_login(user)
    return client


def main() -> int:
    args = _arguments()
    path, delete = _configure(args)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    print(
        f"database: {path}  (DEBUG={int(settings.DEBUG)}, Python {sys.version.split()[0]}, Django {django.__version__})"
    )
    try:
        _build()
        client = _client()
        pages = _pages()
        results = {}
        for key, (_label, url, params) in pages.items():
            results[key] = _measure(client, url, params, args.runs)
        _print_table(pages, results, args.runs)
        for key in args.profile:
            _label, url, params = pages[key]
            _profile(client, key, url, params)
        return 0 if all(r["median"] < TARGET_MS for r in results.values()) else 1
    finally:
        connections.close_all()
        if delete:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def _print_table(pages: dict, results: dict, runs: int) -> None:
    header = f"{'page':<12}{'queries':>8}{'SQL ms':>9}{'best ms':>10}{'median ms':>11}{'KB':>8}  {'target':<8}label"
    print(f"\nbest / median of {runs} requests after one warm-up; target < {TARGET_MS} ms (median)")
    print(header)
    print("-" * (len(header) + 30))
    for key, result in results.items():
        ok = "ok" if result["median"] < TARGET_MS else "OVER"
        print(
            f"{key:<12}{result['queries']:>8}{result['db_ms']:>9.1f}{result['best']:>10.1f}"
            f"{result['median']:>11.1f}{result['kb']:>8.0f}  {ok:<8}{pages[key][0]}"
        )


if __name__ == "__main__":
    sys.exit(main())
