"""Benchmark: how fresh the runtime stays when cities publish (issue 12), at province size.

    python tests/benchmarks/bench_runtime_freshness.py            # SQLite under var/bench/
    python tests/benchmarks/bench_runtime_freshness.py --pg       # PostgreSQL database console_bench
    (--reuse keeps the database of bench_runtime.py and reuses its releases)

Prints, with targets:
- full build of the province's snapshot (21 cities × 150 matters × 6 channels × 8 materials): as before (~1 s);
- one city's reload after its publish (what every process does): < 50 ms;
- RSS of a process after 1 and after ``--publishes`` (200) publishes, each reloaded: within 10 %;
- the API (2 gunicorn workers, open loop ``--rate`` req/s for ``--duration`` s) while a publisher publishes a city every
  2 s: p50/p99 (goal p99 < 20 ms) and, after each publish, how long until a request answered from it.
"""

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import bench_runtime as base  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-api", action="store_true")
    parser.add_argument("--publish-to", type=int, default=0, help=argparse.SUPPRESS)  # the publisher process
    return parser.parse_args()


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 1024 / 1024


class Publisher:
    """Publishes the cities in turn, each with a real change (a matter's 办理时限 flips between two values)."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from config_center.drafts.models import LocalMatter

        self.user = get_user_model().objects.get(username="bench")
        self.locals = list(
            LocalMatter.objects.filter(is_active=True, matter__code__startswith="BM")
            .select_related("region")
            .order_by("region__code", "matter__code")
            .distinct("region__code")
            if _is_pg()
            else _one_per_city()
        )
        self.turn = 0

    def publish(self):
        """Publish the next city; return (region code, new release number)."""
        from config_center.drafts.models import LocalMatter
        from config_center.releases.services import release_publish

        local = self.locals[self.turn % len(self.locals)]
        self.turn += 1
        current = LocalMatter.objects.values_list("time_limit_days", flat=True).get(pk=local.pk)
        LocalMatter.objects.filter(pk=local.pk).update(time_limit_days=20 if current != 20 else 21)
        result = release_publish(region=local.region, user=self.user, comment="基准测试：时效变更")
        return local.region.code, result.release.number


def _is_pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _one_per_city():
    from config_center.drafts.models import LocalMatter

    seen, chosen = set(), []
    for local in (
        LocalMatter.objects.filter(is_active=True).select_related("region").order_by("region__code", "pk")
    ):
        if local.region.code not in seen:
            seen.add(local.region.code)
            chosen.append(local)
    return chosen


def _in_process(args) -> dict:
    from config_center.runtime.holder import RuntimeEngine, build_engine_snapshot

    builds = []
    for _ in range(3):
        started = time.perf_counter()
        build_engine_snapshot()
        builds.append(time.perf_counter() - started)
    print(
        f"full build of the province: best {min(builds) * 1000:.0f} ms, median {statistics.median(builds) * 1000:.0f} ms"
    )

    engine = RuntimeEngine(watch=False, report=False, max_staleness=3600)
    engine.snapshot()
    publisher = Publisher()
    reloads = []
    region, number = publisher.publish()
    engine.refresh()
    assert engine.snapshot().releases[region] == number
    gc.collect()
    first_rss = _rss_mb()
    for index in range(args.publishes - 1):
        region, number = publisher.publish()
        engine.refresh()
        assert engine.serving.reloaded == (region,), engine.serving.reloaded
        assert engine.snapshot().releases[region] == number
        reloads.append(engine.serving.reload_ms)
        if (index + 1) % 50 == 0:
            print(f"  {index + 2} publishes: RSS {_rss_mb():.0f} MB")
    gc.collect()
    last_rss = _rss_mb()
    growth = (last_rss - first_rss) / first_rss * 100
    print(
        f"one city's reload after its publish ({len(reloads)} reloads): median {statistics.median(reloads):.1f} ms, "
        f"max {max(reloads):.1f} ms  (target < 50 ms) {'ok' if max(reloads) < 50 else 'MISS'}"
    )
    print(
        f"RSS after 1 publish {first_rss:.0f} MB, after {args.publishes}: {last_rss:.0f} MB ({growth:+.1f} %; "
        f"target within 10 %) {'ok' if abs(growth) <= 10 else 'MISS'}"
    )
    return {"reload_max": max(reloads), "growth": growth}


def _release_seen(port: int, region: str, matter: str) -> int:
    query = f"/api/v1/checklist?matter={matter}&region={region}&channel=counter"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{query}", timeout=10) as response:
        return json.loads(response.read()).get("release", 0)


def _api(url: str, args) -> None:
    import random

    from config_center.runtime.holder import build_engine_snapshot

    snap = build_engine_snapshot()
    requests = base._api_requests(snap, random.Random(base.SEED + 2), 20_000)
    port = base._free_port()
    log = base.BENCH_DIR / f"gunicorn-freshness-{port}.log"
    process = base._start_gunicorn(url, port, args.workers, log)
    try:
        base._wait_ready(process, port, requests[0], log)
        base._warm_up(port, requests, args.workers)
        # The publisher runs in its own process: in this one it would hold up the load generator (one GIL).
        publisher = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--publish-to",
                str(port),
                "--duration",
                str(args.duration),
                "--workers",
                str(args.workers),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        result = base._open_loop(port, requests, args.rate, args.duration)
        lags = [float(line) for line in publisher.communicate(timeout=60)[0].split()]
        base._print_load(
            f"open loop {args.rate:.0f} req/s × {args.duration:.0f} s while a city publishes every 2 s "
            f"({len(lags)} publishes)",
            result,
            open_loop=True,
        )
        p99 = result.percentile(0.99)
        print(f"  p99 {p99:.2f} ms (goal < 20 ms) {'ok' if p99 < 20 else 'MISS'}")
        if lags:
            print(
                f"  publish → every sampled answer from it: median {statistics.median(lags) * 1000:.0f} ms, "
                f"max {max(lags) * 1000:.0f} ms (target ≤ 1 s) {'ok' if max(lags) <= 1.0 else 'MISS'}"
            )
    finally:
        base._stop_gunicorn(process)


def _publish_every_two_seconds(port: int, duration: float, workers: int) -> None:
    """(A process of its own.) Publish a city every 2 s; print how long until sampled answers came from it."""
    publisher = Publisher()
    deadline = time.perf_counter() + duration - 2
    while time.perf_counter() < deadline:
        time.sleep(2.0)
        local = publisher.locals[publisher.turn % len(publisher.locals)]
        region, number = publisher.publish()
        published = time.perf_counter()
        while time.perf_counter() - published < 5:
            if all(_release_seen(port, region, local.matter.code) >= number for _ in range(workers * 2)):
                break
            time.sleep(0.05)
        print(f"{time.perf_counter() - published:.3f}", flush=True)


def main() -> None:
    args = _arguments()
    if args.publish_to:
        import django

        django.setup()  # the parent's environment names the database
        _publish_every_two_seconds(args.publish_to, args.duration, args.workers)
        return
    url, cleanup = base._configure(args)
    import django

    django.setup()
    try:
        base._build()
        _in_process(args)
        if not args.no_api:
            _api(url, args)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
