"""Benchmark: spreadsheet import and export of the configuration (issues 5 and 18).

    python tests/benchmarks/bench_import.py            # SQLite file under var/bench/
    python tests/benchmarks/bench_import.py --pg       # PostgreSQL database console_bench_import

Prints, each with its target (issue 18):
- import of a 10,000-row 材料清单 sheet from xlsx (``--rows N`` for another size), history included:
  < 5 s PostgreSQL, < 4 s SQLite; peak RSS < 500 MB;
- the same file again (nothing changes, no history): < 2 s;
- export of the province-sized configuration (21 cities × 150 matters, 165,060 rows): < 15 s;
- import of that workbook into a database without the configuration (every row new, with history): < 60 s,
  and its re-import (every row unchanged).
``--profile`` prints where the first import spends its time. ``bench_import_limits.py`` runs it for 10,000 and
100,000 rows and times the refusal of oversized files.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


_CLEANUP: list[Path] = []


def _setup(pg: bool) -> str:
    (ROOT / "var" / "bench").mkdir(
        parents=True, exist_ok=True
    )  # the workbook is written there on both databases
    os.environ["DJANGO_SETTINGS_MODULE"] = "config_center.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if pg:
        name = "console_bench_import"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
            check=True,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        return "PostgreSQL"
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkstemp(prefix="import-", suffix=".sqlite3", dir=folder)[1])
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    _CLEANUP.append(path)
    return "SQLite"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print where the first import spends its time")
    parser.add_argument("--skip-export", action="store_true", help="measure the import only")
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="build the database and the workbook, print their paths and keep them (for a clean import process)",
    )
    args = parser.parse_args()
    engine = _setup(args.pg)

    import django

    django.setup()
    import tablib
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from config_center.drafts.models import ChecklistItem, LocalMatter
    from config_center.project.reference import reference_data_load_all
    from config_center.workbook import config_export, config_import, read_file
    from tests.factories.config import province_configuration

    call_command("migrate", verbosity=0)
    reference_data_load_all()
    user = get_user_model().objects.create_superuser("bench", "", "bench-password-1")

    # Bindings to import lists into: 21 cities × 60 matters (150 for more than 10,080 rows), no lists yet.
    province_configuration(
        matters=60 if args.rows <= 10_080 else 150, materials_per_list=0, channels=0, slots=False
    )
    locals_ = list(
        LocalMatter.objects.select_related("region", "matter").order_by("region__code", "matter__code")
    )
    from catalog.models import Channel, Material

    materials = list(Material.objects.values_list("code", flat=True)[:8])
    channel_names = list(Channel.objects.order_by("sort_order").values_list("name", flat=True))
    rows = []
    for channel in channel_names:
        for local in locals_:
            for position, code in enumerate(materials, start=1):
                rows.append(
                    (
                        local.region.code,
                        local.matter.code,
                        channel,
                        "主材料",
                        position,
                        code,
                        "",
                        "是" if position % 2 else "否",
                    )
                )
                if len(rows) == args.rows:
                    break
            if len(rows) == args.rows:
                break
        if len(rows) == args.rows:
            break
    ChecklistItem.objects.all().delete()
    dataset = tablib.Dataset(
        *rows,
        headers=["地区编码", "事项编码", "渠道", "材料类型", "排序", "材料编码", "名称", "是否发送部平台"],
    )
    dataset.title = "材料清单"
    workbook = ROOT / "var" / "bench" / f"import-{len(rows)}.xlsx"
    workbook.write_bytes(tablib.Databook([dataset]).export("xlsx"))
    history_before = ChecklistItem.history.count()
    if args.prepare_only:
        _CLEANUP.clear()
        print(f"DATABASE_URL={os.environ['DATABASE_URL']}")
        print(f"WORKBOOK={workbook}")
        return

    rss_before = _rss_mb()
    started = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        report = profiler.runcall(config_import, read_file(workbook), user=user)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    else:
        report = config_import(read_file(workbook), user=user)
    first = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    written = ChecklistItem.objects.count()
    history_written = ChecklistItem.history.count() - history_before
    rss_peak = _rss_mb()

    print(f"\n== spreadsheet import/export on {engine}")
    target = 4 if engine == "SQLite" else 5
    print(
        f"import {len(rows):,} 材料清单 rows from xlsx ({workbook.stat().st_size / 1e6:.1f} MB): {first:6.2f} s"
        f"  (target for 10,000 rows < {target} s) {_ok(first < target or len(rows) > 10_000)}"
    )
    print(
        f"   rows written {written:,}, history rows written {history_written:,}, counts {report.counts['材料清单']}"
    )
    print(
        f"   peak RSS {rss_peak:,.0f} MB (before import {rss_before:,.0f} MB; target < 500 MB) {'ok' if rss_peak < 500 else 'MISS'}"
    )
    if args.skip_export:
        return
    started = time.perf_counter()
    again = config_import(read_file(workbook), user=user)
    second = time.perf_counter() - started
    history_again = ChecklistItem.history.count() - history_before - history_written

    # Export of the province-sized configuration.
    ChecklistItem.objects.all().delete()
    province_configuration(matters=150, materials_per_list=8, slots=True)
    total_rows = ChecklistItem.objects.count() + LocalMatter.objects.count()
    started = time.perf_counter()
    [path] = config_export(ROOT / "var" / "bench" / "export-province.xlsx")
    exported = time.perf_counter() - started

    print(
        f"re-import of the same file: {second:6.2f} s  (target < 2 s) {_ok(second < 2)}, "
        f"counts {again.counts['材料清单']}, history rows written {history_again}"
    )
    print(
        f"export of the province ({total_rows:,} rows, {path.stat().st_size / 1e6:.1f} MB xlsx): {exported:6.2f} s"
        f"  (target < 15 s) {_ok(exported < 15)}"
    )

    # The province's workbook into a database without the configuration: every row new, with history.
    LocalMatter.objects.all().delete()  # cascades to lists and slots
    history_before = sum(model.history.count() for model in (LocalMatter, ChecklistItem))
    started = time.perf_counter()
    province = config_import(read_file(path), user=user)
    imported = time.perf_counter() - started
    assert province.ok, [str(error) for error in province.errors[:5]]
    rows_in = sum(counts["新增"] + counts["修改"] + counts["未变"] for counts in province.counts.values())
    history_in = sum(model.history.count() for model in (LocalMatter, ChecklistItem)) - history_before
    print(
        f"import of the province's workbook ({rows_in:,} rows, history rows written {history_in:,}): "
        f"{imported:6.2f} s  (target < 60 s) {_ok(imported < 60)}; peak RSS {_rss_mb():,.0f} MB"
    )
    started = time.perf_counter()
    unchanged = config_import(read_file(path), user=user)
    again_province = time.perf_counter() - started
    assert unchanged.ok
    print(
        f"re-import of the province's workbook (unchanged): {again_province:6.2f} s; "
        f"peak RSS {_rss_mb():,.0f} MB"
    )


def _ok(met: bool) -> str:
    return "ok" if met else "MISS"


if __name__ == "__main__":
    try:
        main()
    finally:
        for leftover in _CLEANUP:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{leftover}{suffix}").unlink(missing_ok=True)
