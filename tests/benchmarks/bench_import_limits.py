"""Benchmark: what an import costs at the limits (issue 11).

    python tests/benchmarks/bench_import_limits.py

Prints the peak RSS of importing 10,000 and 100,000 材料清单 rows (each in its own process, through
``bench_import.py --skip-export``; target < 500 MB), and how long refusing an oversized file takes
(a csv over the size limit and an xlsx that unpacks beyond it; target < 2 s, with the Chinese message).
"""

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


IMPORT_ONLY = """
import os, resource, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from config_center.workbook import config_import, read_file
user = get_user_model().objects.get(username="bench")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
report = config_import(read_file(sys.argv[1]), user=user)
elapsed = time.perf_counter() - started
assert report.ok, report.errors[:3]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{elapsed:.1f} {before:.0f} {peak:.0f} {report.counts}")
"""


def _imports() -> None:
    """Each size prepared in one process, imported in a fresh one: the peak RSS is the import's own."""
    for rows in (10_000, 100_000):
        prepared = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests" / "benchmarks" / "bench_import.py"),
                "--rows",
                str(rows),
                "--prepare-only",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        values = dict(
            line.split("=", 1) for line in prepared.splitlines() if "=" in line and line[:1].isupper()
        )
        env = {
            **os.environ,
            "DATABASE_URL": values["DATABASE_URL"],
            "DJANGO_SETTINGS_MODULE": "config_center.settings",
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
        try:
            output = subprocess.run(
                [sys.executable, "-c", IMPORT_ONLY, values["WORKBOOK"]],
                capture_output=True,
                text=True,
                check=True,
                env=env,
                cwd=ROOT,
            ).stdout.split(maxsplit=3)
        finally:
            database = Path(values["DATABASE_URL"].removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        elapsed, before, peak, counts = output
        verdict = "ok" if float(peak) < 500 else "MISS"
        print(
            f"-- {rows:,} 材料清单 rows from xlsx: {elapsed} s; peak RSS {peak} MB "
            f"(after start-up {before} MB; target < 500 MB) {verdict}; {counts}"
        )


def _refusals() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config_center.settings.test")
    import django

    django.setup()
    from core.spreadsheets.reading import ImportFileError, Limits, read_path

    limits = Limits.from_settings()
    with tempfile.TemporaryDirectory() as folder:
        big_csv = Path(folder) / "材料清单.csv"
        with open(big_csv, "w", encoding="utf-8") as handle:
            handle.write("地区编码,事项编码,渠道,材料类型,排序,材料编码,名称,是否发送部平台\n")
            line = "442000,GS0101,柜台,主材料,1,CL001,,是\n"
            handle.write(line * (limits.max_file_bytes // len(line.encode()) + 1000))
        bomb = Path(folder) / "bomb.xlsx"
        with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "xl/sharedStrings.xml", "<sst>" + "x" * (limits.max_unpacked_bytes + 1) + "</sst>"
            )
        for path in (big_csv, bomb):
            started = time.perf_counter()
            try:
                read_path(path, limits)
            except ImportFileError as error:
                elapsed = time.perf_counter() - started
                print(
                    f"-- refused {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {elapsed * 1000:.0f} ms "
                    f"(target < 2 s) {'ok' if elapsed < 2 else 'MISS'}: {error}"
                )
            else:
                print(f"-- {path.name} was NOT refused: MISS")


if __name__ == "__main__":
    print("== imports at the limits (SQLite)")
    _imports()
    print("== refusals")
    _refusals()
