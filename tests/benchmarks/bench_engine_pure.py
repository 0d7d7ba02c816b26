"""Throughput of the pure runtime engine; run on demand: ``python tests/benchmarks/bench_engine_pure.py``.

Named bench_*.py so pytest (which collects test_*.py) never runs it. Builds a province-sized snapshot
in memory from plain dicts (no database): 21 cities x 150 matters x 6 channels, each channel with
8 main materials, 2 auxiliary and 2 application items. Prints the build time, the memory the build
allocates (tracemalloc current = what the snapshot keeps, peak = the high-water mark while building)
and answers per second for mixed random checklist / route / sms_slot queries (best of 5, one process).
Target: >= 50,000 answers/s for checklist and for route.
"""

import datetime
import random
import sys
import time
import tracemalloc
from pathlib import Path

# Runnable as a plain script from the project root or anywhere else.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from config_center.runtime.engine import (  # noqa: E402
    SMS_EVENTS,
    Refusal,
    build_snapshot,
    checklist,
    route,
    sms_slot,
)

TARGET_ANSWERS_PER_SECOND = 50_000
RUNS = 5
QUERIES_PER_RUN = 100_000
CITIES = 21
MATTERS = 150
CHANNELS = 6
MAIN_MATERIALS = 8
COUNTIES_PER_CITY = 6
MATERIAL_POOL = 400
SEED = 20230401


def _city_codes() -> list[str]:
    # 21 prefecture-level cities of Guangdong (GB/T 2260).
    codes = "440100 440200 440300 440400 440500 440600 440700 440800 440900 441200 441300"
    codes += " 441400 441500 441600 441700 441800 441900 442000 445100 445200 445300"
    return codes.split()


def province_data(rng: random.Random) -> dict:
    """The plain inputs of ``build_snapshot`` for a whole province."""
    cities = _city_codes()
    assert len(cities) == CITIES
    channels = {f"ch{index}": f"渠道{index}" for index in range(CHANNELS)}
    materials = {f"CL{index:03d}": f"材料名称{index}" for index in range(MATERIAL_POOL)}
    material_codes = list(materials)
    matters = [
        {"code": f"GS{index:04d}", "name": f"事项{index}", "province_wide": index % 2 == 0}
        for index in range(MATTERS)
    ]
    agencies = [
        {"code": "440099", "name": "省局", "region_code": "440000", "city_code": None, "parent_code": None}
    ]
    for city in cities:
        city_agency = city[:4] + "99"
        agencies.append(
            {
                "code": city_agency,
                "name": f"{city}市局",
                "region_code": city,
                "city_code": city,
                "parent_code": "440099",
            }
        )
        for county in range(1, COUNTIES_PER_CITY + 1):
            region = f"{city[:4]}{county:02d}"
            agencies.append(
                {
                    "code": region + "9",
                    "name": f"{region}分局",
                    "region_code": region,
                    "city_code": city,
                    "parent_code": city_agency,
                }
            )
    events = list(SMS_EVENTS)
    releases = {}
    for number, city in enumerate(cities, start=1):
        bindings = {}
        for matter in matters:
            checklists = {}
            for channel in channels:
                picked = rng.sample(material_codes, MAIN_MATERIALS + 4)
                checklists[channel] = {
                    "main": [
                        {"material": code, "name": "", "send_to_ministry": rng.random() < 0.3}
                        for code in picked[:MAIN_MATERIALS]
                    ],
                    "auxiliary": [
                        {"material": code, "name": f"辅助项{i}", "send_to_ministry": False}
                        for i, code in enumerate(picked[MAIN_MATERIALS : MAIN_MATERIALS + 2])
                    ],
                    "application": [
                        {"material": code, "name": f"申请事项{i}", "send_to_ministry": False}
                        for i, code in enumerate(picked[MAIN_MATERIALS + 2 :])
                    ],
                }
            bindings[matter["code"]] = {
                "matter": matter["code"],
                "active": rng.random() < 0.95,
                "flow_mode": "promised",
                "review_levels": rng.choice((1, 2)),
                "time_limit_days": rng.choice((5, 10, 15, 20)),
                "distribution_mode": "province"
                if matter["province_wide"] and rng.random() < 0.8
                else "local",
                "properties": {"counter_enabled": True},
                "checklists": checklists,
                "sms": {event: f"TPL_{event}" for event in rng.sample(events, 4)},
                "prints": {},
                "tags": {"acceptance": [], "review": []},
            }
        releases[city] = (number, bindings)
    return {
        "releases": releases,
        "matters": matters,
        "agencies": agencies,
        "channels": channels,
        "materials": materials,
    }


def _queries(rng: random.Random, data: dict) -> tuple[list, list, list]:
    cities = list(data["releases"])
    matters = [row["code"] for row in data["matters"]] + ["GS9999"]  # some unknown matters
    channels = list(data["channels"]) + ["fax"]
    agencies = [row["code"] for row in data["agencies"]] + ["000000"]
    events = list(SMS_EVENTS) + ["birthday"]
    dates = [datetime.date(2018, 5, 1), datetime.date(2019, 7, 1), datetime.date(2023, 3, 1)]
    checklist_queries = [
        {"matter": rng.choice(matters), "region": rng.choice(cities), "channel": rng.choice(channels)}
        for _ in range(QUERIES_PER_RUN)
    ]
    route_queries = [
        {
            "matter": rng.choice(matters),
            "accepting_agency": rng.choice(agencies),
            "insured_agency": rng.choice(agencies),
            "injury_date": rng.choice(dates),
            "advance_payment": rng.random() < 0.1,
        }
        for _ in range(QUERIES_PER_RUN)
    ]
    sms_queries = [
        {"matter": rng.choice(matters), "region": rng.choice(cities), "event": rng.choice(events)}
        for _ in range(QUERIES_PER_RUN)
    ]
    return checklist_queries, route_queries, sms_queries


def _best_rate(function, snap, queries) -> tuple[float, float]:
    """(best answers/s over RUNS, share of refusals)."""
    best = 0.0
    refused = 0
    for _ in range(RUNS):
        refused = 0
        started = time.perf_counter()
        for query in queries:
            answer = function(snap, **query)
        elapsed = time.perf_counter() - started
        best = max(best, len(queries) / elapsed)
    for query in queries:
        answer = function(snap, **query)
        refused += isinstance(answer, Refusal)
    return best, refused / len(queries)


def main() -> int:
    rng = random.Random(SEED)
    data = province_data(rng)

    build_seconds = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        snap = build_snapshot(version=1, **data)
        build_seconds = min(build_seconds, time.perf_counter() - started)
    del snap

    tracemalloc.start()
    snap = build_snapshot(version=1, **data)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    lists = sum(len(config.checklists) for config in snap.configs.values())
    print(
        f"snapshot: {len(snap.releases)} cities, {len(snap.configs)} bound matters, {lists} channel lists, "
        f"{len(snap.agencies)} agencies"
    )
    print(f"build (best of 3): {build_seconds * 1000:.0f} ms")
    print(f"build memory (tracemalloc): current {current / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB")

    checklist_queries, route_queries, sms_queries = _queries(rng, data)
    ok = True
    for name, function, queries in (
        ("checklist", checklist, checklist_queries),
        ("route", route, route_queries),
        ("sms_slot", sms_slot, sms_queries),
    ):
        rate, refused = _best_rate(function, snap, queries)
        status = "OK" if rate >= TARGET_ANSWERS_PER_SECOND else "BELOW TARGET"
        print(
            f"{name:9}: {rate:>12,.0f} answers/s (best of {RUNS} x {len(queries):,}; "
            f"{refused:.0%} refusals)  target {TARGET_ANSWERS_PER_SECOND:,}  {status}"
        )
        if name in ("checklist", "route"):
            ok = ok and rate >= TARGET_ANSWERS_PER_SECOND
    accepted = [query for query in route_queries if not isinstance(route(snap, **query), Refusal)]
    rate, _ = _best_rate(route, snap, accepted)
    print(f"route (accepted queries only, {len(accepted):,}): {rate:,.0f} answers/s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
