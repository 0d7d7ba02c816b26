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


def _imports() -> None:
    for rows in (10_000, 100_000):
        started = time.perf_counter()
        output = subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests" / "benchmarks" / "bench_import.py"),
                "--rows",
                str(rows),
                "--skip-export",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [line for line in output.splitlines() if "import " in line or "peak RSS" in line]
        print(f"-- {rows:,} rows ({time.perf_counter() - started:.0f} s with setup)")
        for line in lines:
            print("  ", line.strip())


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
