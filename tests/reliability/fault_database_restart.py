"""PostgreSQL restarts under API load: the requests in flight get a clean 503, the next ones succeed (issue 17).

    python tests/reliability/fault_database_restart.py [--pause 8] [--faults fast,immediate,down5,redis]

On a PostgreSQL cluster and a Redis of its own (never the machine's), with gunicorn (2 workers) serving the
console, threads in this process keep sending, as fast as they are answered:
  - ``POST /api/v1/cases`` as three signed-in 中山 clerks (受理: a case, its 追踪, its 初审 task, its 受理短信);
  - ``GET /api/v1/cases/{receipt_no}`` of a case accepted before (a read of the database);
  - ``POST /api/v1/route`` (answered from the in-memory published configuration).
After ``--pause`` seconds of load, each fault in turn, with ``--pause`` seconds of load after it:
  ``fast``       ``pg_ctl restart -m fast`` (every session terminated, a clean shutdown);
  ``immediate``  ``pg_ctl restart -m immediate`` (a crash: recovery from the WAL at start);
  ``down5``      stopped for 5 s, then started;
  ``redis``      Redis (the cache and django-q2's broker) stopped for 5 s, then started empty: every request still
                 succeeds (a 受理's SMS enqueue refused at commit is left queued for the outbox sweeper).

Guarantees (exit 1 when one breaks):
  - every answer is either a success or a 503 in JSON with ``reason_code`` ``database_unavailable`` and a
    ``Retry-After`` header: no 500, no HTML page, no connection refused or reset by gunicorn;
  - every request that starts once PostgreSQL accepts connections again succeeds (no stale connection is reused),
    and every request succeeds while Redis is down;
  - ``/api/v1/route`` answers 200 throughout (it needs no database);
  - the same gunicorn worker processes serve before and after (nothing restarted them);
  - what the clients were told is what the database holds: a case for every 201 (found by its employer code,
    unique per request) and none for a 503; and the case invariants of ``harness.case_invariants``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability import harness  # noqa: E402

ROUTE = json.dumps(
    {
        "matter": "GS0101",
        "accepting_agency": "440199",
        "insured_agency": "442099",
        "injury_date": "2023-03-01",
        "advance_payment": False,
    }
).encode()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pause", type=float, default=8.0, help="seconds of load before and after each fault"
    )
    parser.add_argument("--faults", default="fast,immediate,down5,redis")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    return parser.parse_args()


def _fault(stack: harness.Stack, fault: str) -> None:
    if fault == "fast":
        stack.postgres.restart("fast")
    elif fault == "immediate":
        stack.postgres.restart("immediate")
    elif fault.startswith("down"):
        stack.postgres.stop("fast")
        time.sleep(float(fault[4:] or 5))
        stack.postgres.start()
    elif fault == "redis":
        stack.redis.restart(down_seconds=5)  # the cache and django-q2's broker: the requests need neither
    else:
        raise SystemExit(f"unknown fault {fault!r}")


def _clean_refusal(answer: harness.Answer) -> bool:
    return (
        answer.status == 503
        and answer.content_type.startswith("application/json")
        and answer.reason_code == "database_unavailable"
        and bool(answer.retry_after)
    )


def _success(answer: harness.Answer) -> bool:
    return answer.status == (201 if answer.kind == "accept" else 200)


def main() -> int:
    args = _arguments()
    faults = [fault for fault in args.faults.split(",") if fault]
    problems: list[str] = []
    with harness.Stack(redis=True, name="fault-database", keep=args.keep) as stack:
        stack.setup_django()
        with harness.timed("setup (migrate, reference data, demo published)"):
            users = harness.prepare_cases(clerks=3)
        web = stack.gunicorn(workers=2)
        workers_before = sorted(web.worker_pids())
        headers = [
            {**harness.session_headers(clerk), "Content-Type": "application/json"}
            for clerk in users["clerks"]
        ]
        status, _, body = web.request("POST", "/api/v1/cases", harness.acceptance_body(10**7), headers[0])
        if status != 201:
            raise SystemExit(f"the first acceptance failed: {status} {body[:300]!r}")
        known = json.loads(body)["receipt_no"]

        def accept(clerk: int):
            return lambda n: ("POST", "/api/v1/cases", harness.acceptance_body(n), headers[clerk])

        plan = [("accept", accept(clerk)) for clerk in range(3)]
        plan.append(("read", lambda n: ("GET", f"/api/v1/cases/{known}", None, headers[0])))
        plan.append(
            ("route", lambda n: ("POST", "/api/v1/route", ROUTE, {"Content-Type": "application/json"}))
        )
        print(
            f"PostgreSQL :{stack.postgres.port}, Redis :{stack.redis.port}, {web.describe()} "
            f"(workers {workers_before}); load: 3 × 受理, 1 × case read, 1 × route; faults {faults}",
            flush=True,
        )
        windows = []
        with harness.Load(web.port, plan) as load:
            time.sleep(args.pause)
            for fault in faults:
                began = time.monotonic()
                _fault(stack, fault)
                ready = time.monotonic()
                windows.append((fault, began, ready))
                time.sleep(args.pause)
        answers = sorted(load.answers, key=lambda answer: answer.started)
        workers_after = sorted(web.worker_pids())

        # ---- what the clients saw ----------------------------------------------------------------------
        bad = [a for a in answers if not (_success(a) or _clean_refusal(a))]
        route_failures = [a for a in answers if a.kind == "route" and not _success(a)]
        print(f"\n{len(answers):,} answers in {answers[-1].ended - answers[0].started:.0f} s")
        print(f"{'fault':<10} {'outage s':>8} {'in window':>9} {'503':>5} {'ok':>5} {'after: ok':>9} {'after: not ok':>13}"
              f" {'first ok after':>14}")  # fmt: skip
        ends = [began for _, began, _ in windows[1:]] + [answers[-1].ended + 1]
        for (fault, began, ready), end in zip(windows, ends, strict=True):
            # In the window: in flight at some moment of the outage. After: from PostgreSQL up again until the next
            # fault, answered before it too (a request in flight when the next fault hits belongs to that one).
            window = [a for a in answers if a.ended >= began and a.started < ready and a.kind != "route"]
            after = [a for a in answers if ready <= a.started and a.ended < end and a.kind != "route"]
            failed_after = [a for a in after if not _success(a)]
            first_ok = min((a.ended for a in after if _success(a)), default=float("nan"))
            print(
                f"{fault:<10} {ready - began:8.2f} {len(window):9} {sum(_clean_refusal(a) for a in window):5}"
                f" {sum(_success(a) for a in window):5} {len(after) - len(failed_after):9} {len(failed_after):13}"
                f" {(first_ok - ready) * 1000:11.0f} ms"
            )
            if fault == "redis":
                failed_after += [a for a in window if not _success(a)]  # no database outage: nothing may fail
            for answer in failed_after[:5]:
                problems.append(
                    f"after {fault}, started {(answer.started - ready) * 1000:.0f} ms after PostgreSQL was up, answered"
                    f" {(answer.ended - ready) * 1000:.0f} ms after: {answer.describe()}"
                )
        kinds = Counter((a.kind, a.status or a.error.split(":")[0]) for a in answers)
        print("answers by kind and status:", dict(sorted(kinds.items(), key=str)))
        latencies = [a.ended - a.started for a in answers if _clean_refusal(a)]
        if latencies:
            print(
                f"503 database_unavailable: {len(latencies)}, answered in p50 {harness.percentile(latencies, 0.5) * 1000:.0f} ms"
                f" / max {max(latencies) * 1000:.0f} ms; Retry-After {sorted({a.retry_after for a in answers if _clean_refusal(a)})}"
            )
        for answer in bad[:10]:
            problems.append(f"not a success nor a clean 503: {answer.describe()}")
        if len(bad) > 10:
            problems.append(f"… {len(bad) - 10} more answers neither a success nor a clean 503")
        if route_failures:
            problems.append(
                f"{len(route_failures)} route answers were not 200, e.g. {route_failures[0].describe()}"
            )
        if workers_after != workers_before:
            problems.append(f"gunicorn workers changed: {workers_before} → {workers_after}")
        else:
            print(f"gunicorn workers before and after: {workers_before} (not restarted)")

        # ---- what the database holds ------------------------------------------------------------------
        from django.db import close_old_connections

        from routing.models import Case

        close_old_connections()
        stored = set(
            Case.objects.filter(employer_code__startswith="E").values_list("employer_code", flat=True)
        )
        told_yes = {f"E{a.n:08d}" for a in answers if a.kind == "accept" and a.status == 201}
        told_no = {f"E{a.n:08d}" for a in answers if a.kind == "accept" and a.status != 201}
        lost = told_yes - stored
        written_anyway = told_no & stored
        unexplained = stored - told_yes - told_no - {f"E{10**7:08d}"}
        print(
            f"cases: {len(told_yes):,} answered 201, {len(stored) - 1:,} in the database; "
            f"201 without a case: {len(lost)}; refused but written: {len(written_anyway)}; unexplained: {len(unexplained)}"
        )
        if lost:
            problems.append(
                f"{len(lost)} cases answered 201 are not in the database, e.g. {sorted(lost)[:3]}"
            )
        if written_anyway:
            problems.append(
                f"{len(written_anyway)} cases answered with an error were written, e.g. {sorted(written_anyway)[:3]}"
            )
        if unexplained:
            problems.append(
                f"{len(unexplained)} cases no answer accounts for, e.g. {sorted(unexplained)[:3]}"
            )
        figures, broken = harness.case_invariants()
        print("database:", figures)
        problems += broken
        if args.keep:
            print(f"logs kept in {stack.workdir}")
        elif problems:
            print(f"gunicorn log (end):\n{harness.tail(Path(web.log), 2000)}")

    for problem in problems:
        print(f"FAILED: {problem}")
    print("PostgreSQL (and Redis) restarts under API load:", "FAILED" if problems else "every guarantee held")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
