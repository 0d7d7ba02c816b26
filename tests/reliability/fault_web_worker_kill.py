"""Web workers killed (SIGKILL) in the middle of 受理 requests leave no half-written case (issue 17).

    python tests/reliability/fault_web_worker_kill.py [--kills 40] [--clients 4]

On a PostgreSQL cluster and a Redis of the script's own (never the machine's), gunicorn (2 workers) serves the
console while ``--clients`` threads keep posting ``POST /api/v1/cases`` as signed-in 中山 clerks. ``--kills`` times,
once both workers serve again (three cases accepted since the last kill), 0–0.6 s later at random, one of gunicorn's
workers is SIGKILLed — no hook in the code, so a kill lands wherever the worker happens to be: parsing the request,
routing, inside the acceptance's transaction (the case, its 追踪, the 初审 task, the receipt counters, the outbox row),
committing, or answering. gunicorn's master starts a new worker each time.

Guarantees (exit 1 when one breaks), checked in SQL at the end:
  - every case is whole (``harness.case_invariants``: its 追踪 rows, its task, its 受理短信, counters equal to the
    cases numbered from them);
  - every 201 answer has its case; no answer other than 201 or a dropped connection has one;
  - no session is left idle in a transaction or holding a lock (a killed worker's transaction was rolled back);
  - the console still accepts cases after the last kill.
  - every acceptance carries an ``Idempotency-Key``; each dropped one, sent again with its key, answers 201: the case
    it had committed (``Idempotent-Replayed: true``, the same receipt number) or a case accepted now — so every
    dropped acceptance ends as exactly one case, and no employer code has two.
Prints the answers (201 / dropped connections), how many dropped requests had in fact been committed (the client
cannot know; its retry with the same key is safe either way), the retries and the kills.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability import harness  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    chance = random.Random(seed)
    problems: list[str] = []
    kills: list[str] = []
    with harness.Stack(redis=True, name="fault-web-kill", keep=args.keep) as stack:
        stack.setup_django()
        with harness.timed("setup (migrate, reference data, demo published)"):
            users = harness.prepare_cases(clerks=args.clients)
        web = stack.gunicorn(workers=2)
        headers = [
            {**harness.session_headers(clerk), "Content-Type": "application/json"}
            for clerk in users["clerks"]
        ]

        sent: dict[int, tuple[bytes, dict]] = {}  # n → (body, headers) as sent, for the retry

        def accept(clerk: int):
            def make(n: int):
                # Each acceptance carries an Idempotency-Key, as a calling system retrying safely would.
                request = (harness.acceptance_body(n), {**headers[clerk], "Idempotency-Key": f"kill-{n}"})
                sent[n] = request
                return ("POST", "/api/v1/cases", *request)

            return make

        print(
            f"PostgreSQL :{stack.postgres.port}, Redis :{stack.redis.port}, {web.describe()}; {args.clients} "
            f"clients; {args.kills} kills (seed {seed})",
            flush=True,
        )
        started = time.monotonic()
        with harness.Load(web.port, [("accept", accept(i)) for i in range(args.clients)], timeout=60) as load:
            time.sleep(2)
            for _ in range(args.kills):
                # Once both workers serve again (a few answers since the last kill), at a random moment.
                resume = time.monotonic() + 60
                before = load.successes()
                while time.monotonic() < resume and (
                    len(web.worker_pids()) < 2 or load.successes() < before + 3
                ):
                    time.sleep(0.05)
                time.sleep(chance.uniform(0.0, 0.6))
                victim = chance.choice(web.worker_pids())
                with_requests = len(load.answers)
                os.kill(victim, signal.SIGKILL)
                kills.append(
                    f"{time.monotonic() - started:5.1f} s pid {victim} after {with_requests} answers"
                )
            time.sleep(3)  # the master replaces the last one; the clients go on
            deadline = time.monotonic() + 60
            after_last_kill = time.monotonic()
            while time.monotonic() < deadline and not any(
                a.status == 201 and a.started > after_last_kill
                for a in load.between(after_last_kill, deadline)
            ):
                time.sleep(0.5)
        answers = load.answers
        successes_after = [a for a in answers if a.status == 201 and a.started > after_last_kill]

        from django.db import connection
        from django.db.models import Count

        from routing.models import Case

        time.sleep(1)  # PostgreSQL notices the last killed worker's connection is gone
        stored = set(Case.objects.values_list("employer_code", flat=True))
        receipts = dict(Case.objects.values_list("employer_code", "receipt_no"))
        # The client's side of a dropped connection: send the same request with the same key again. One that had
        # committed must answer its case (a replay), one that had not is accepted now; never a second case.
        retried: Counter = Counter()
        for a in (a for a in answers if a.error):
            body, request_headers = sent[a.n]
            status, response_headers, content = web.request("POST", "/api/v1/cases", body, request_headers)
            code = f"E{a.n:08d}"
            replay = response_headers.get("idempotent-replayed") == "true"
            retried["replayed" if replay else f"HTTP {status}"] += 1
            answer = json.loads(content) if status == 201 else {}
            if status != 201:
                problems.append(f"retry of dropped #{a.n} answered {status} {content[:120]!r}")
            elif replay != (code in stored):
                problems.append(
                    f"retry of dropped #{a.n}: replayed {replay} though committed {code in stored}"
                )
            elif replay and answer.get("receipt_no") != receipts[code]:
                problems.append(
                    f"retry of dropped #{a.n} answered {answer.get('receipt_no')}, not {receipts[code]}"
                )
        duplicates = Case.objects.values("employer_code").annotate(n=Count("id")).filter(n__gt=1).count()
        stored_after_retries = set(Case.objects.values_list("employer_code", flat=True))
        answered = {f"E{a.n:08d}": a for a in answers}
        told_yes = {code for code, a in answered.items() if a.status == 201}
        dropped = {code for code, a in answered.items() if a.error}
        other = {code for code, a in answered.items() if not a.error and a.status != 201}
        figures, broken = harness.case_invariants()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
            )
            idle_in_transaction = cursor.fetchone()[0]
            cursor.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND l.locktype IN "
                "('relation', 'tuple', 'transactionid') AND a.state <> 'active'"
            )
            stale_locks = cursor.fetchone()[0]

    statuses = Counter(a.status if not a.error else a.error.split(":")[0] for a in answers)
    print(f"{len(answers):,} requests: {dict(statuses)}")
    print(f"kills: {len(kills)} (first {kills[0] if kills else '-'}, last {kills[-1] if kills else '-'})")
    print(
        f"cases in the database {len(stored):,}: answered 201 {len(told_yes & stored):,}; dropped connections "
        f"{len(dropped):,}, of which committed anyway {len(dropped & stored)} (whole: see below) and not written "
        f"{len(dropped - stored)}"
    )
    print(
        f"database: {figures}; idle in transaction {idle_in_transaction}; locks held by idle sessions {stale_locks}"
    )
    print(f"accepted after the last kill: {len(successes_after)}")
    print(
        f"dropped acceptances retried with their Idempotency-Key: {dict(retried)}; every dropped one now a case: "
        f"{not {f'E{a.n:08d}' for a in answers if a.error} - stored_after_retries}; employers with two cases: "
        f"{duplicates}"
    )
    if duplicates:
        problems.append(f"{duplicates} acceptances made twice")
    missing_after_retry = {f"E{a.n:08d}" for a in answers if a.error} - stored_after_retries
    if missing_after_retry:
        problems.append(f"{len(missing_after_retry)} dropped acceptances still missing after their retry")
    if told_yes - stored:
        problems.append(
            f"{len(told_yes - stored)} cases answered 201 are missing, e.g. {sorted(told_yes - stored)[:3]}"
        )
    if other & stored:
        problems.append(
            f"{len(other & stored)} cases written though answered {[answered[c].status for c in other & stored][:5]}"
        )
    unexplained = stored - set(answered)
    if unexplained:
        problems.append(f"{len(unexplained)} cases no request accounts for, e.g. {sorted(unexplained)[:3]}")
    if other:
        problems.append(
            f"answers neither 201 nor a dropped connection: {[answered[c].describe() for c in sorted(other)[:3]]}"
        )
    if idle_in_transaction or stale_locks:
        problems.append(
            f"{idle_in_transaction} sessions idle in a transaction, {stale_locks} locks held by idle sessions"
        )
    if not successes_after:
        problems.append("no case accepted after the last kill")
    if not dropped:
        problems.append("no kill interrupted a request: the fault was not applied")
    problems += broken
    for problem in problems:
        print(f"FAILED: {problem}")
    print(
        "Web workers killed during 受理:",
        "FAILED" if problems else "no half-written case, every guarantee held",
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
