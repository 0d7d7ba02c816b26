"""SMS delivery through django-q2 with the Redis broker; run on demand, it prints figures.

    python tests/benchmarks/bench_sms_delivery.py [--messages 10000] [--workers 4]
        [--redis redis://127.0.0.1:6379/14] [--pg postgres://…] [--kill worker|cluster|both|none]

What it does, per phase (a fresh database each time):

1. starts the fake gateway (tests/sms_templates/fake_gateway.py) on 127.0.0.1, failing the first
   attempt of 10 % of the messages with 503;
2. starts a real ``manage.py qcluster`` subprocess (Redis broker, ``--workers`` processes) against a
   file SQLite database (or PostgreSQL with ``--pg``);
3. writes the messages through ``sms_outbox_write`` in transactions of 200 (each enqueued on commit),
   while this process runs the sweeper once a second (in production it is a django-q2 schedule every
   minute; here the backoff is 1 s and the stale timeout 30 s so retries and recovery fit in a run);
4. waits until every row is sent (or failed), then counts at the gateway: every row id taken exactly
   once, none missing, and how many repeated sends the gateway had to deduplicate.

The kill phases do the same and, when half the messages are sent, either SIGKILL one worker process
of the cluster (django-q2 starts a new one; the task that worker was running is lost) or SIGKILL the
whole qcluster process group and start a new cluster (every task it had pulled from Redis is lost,
rows are left in ``sending``). The outbox sweeper must recover them, still exactly once at the gateway.

Redis: the given database number is FLUSHED at the start of each phase; use one nothing else uses.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.sms_templates.fake_gateway import FakeGateway  # noqa: E402

BATCH = 200
STALE_SECONDS = 30


def _environment(args, database_url: str, gateway_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config_center.settings",
        DATABASE_URL=database_url,
        REDIS_URL=args.redis,
        Q_WORKERS=str(args.workers),
        LOG_LEVEL="WARNING",
        SMS_GATEWAY_BACKEND="sms_templates.gateways.HttpGateway",
        SMS_GATEWAY_URL=gateway_url,
        SMS_GATEWAY_TOKEN="bench-token",
        SMS_GATEWAY_CONNECT_TIMEOUT="2",
        SMS_GATEWAY_READ_TIMEOUT="2",
        SMS_RETRY_BACKOFF_SECONDS="1",
        SMS_RETRY_BACKOFF_MAX_SECONDS="4",
        SMS_STALE_SECONDS=str(STALE_SECONDS),
        SMS_MAX_ATTEMPTS="6",
    )
    return env


def _start_cluster(env: dict[str, str], log) -> subprocess.Popen:
    # Its own session, so that the whole cluster (sentinel, pusher, monitor, workers) can be killed at once.
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _worker_pids() -> list[int]:
    from django_q.status import Stat

    for _ in range(50):
        stats = [stat for stat in Stat.get_all() if getattr(stat, "workers", None)]
        if stats:
            return list(stats[0].workers)
        time.sleep(0.2)
    return []


def _statuses() -> Counter:
    from django.db.models import Count

    from sms_templates.models import SmsMessage

    return Counter(dict(SmsMessage.objects.values_list("status").annotate(n=Count("id")).order_by()))


def run_phase(args, kill: str) -> dict:
    gateway = FakeGateway(token="bench-token", fail_first_every=10, fail_status=503).start()
    workdir = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    database_url = args.pg or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = _environment(args, database_url, gateway.url)
    os.environ.update(env)

    import django
    import redis

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    redis.from_url(args.redis).flushdb()
    if args.pg:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)

    from sms_templates import tasks
    from sms_templates.services import sms_outbox_write

    log = open(workdir / "qcluster.log", "w")  # noqa: SIM115
    cluster = _start_cluster(env, log)
    time.sleep(2)
    killed = None
    restarted = None
    started = time.perf_counter()
    written = 0
    last_sweep = 0.0
    sweeps = Counter()
    try:
        while written < args.messages:
            with transaction.atomic():
                for i in range(written, min(args.messages, written + BATCH)):
                    sms_outbox_write(
                        recipient=f"138{i:08d}",
                        text=f"尊敬的 黄林 先生/女士，您办理的工伤医疗费（受理回执号 GS{i:010d}）已受理成功。",
                        case_reference=f"GS{i:010d}",
                        event="accepted",
                    )
            written = min(args.messages, written + BATCH)
            if time.perf_counter() - last_sweep > 1:
                sweeps.update(tasks.sweep())
                last_sweep = time.perf_counter()
        write_seconds = time.perf_counter() - started
        deadline = time.perf_counter() + args.timeout
        while time.perf_counter() < deadline:
            counts = _statuses()
            done = counts["sent"] + counts["failed"]
            if kill != "none" and killed is None and counts["sent"] >= args.messages // 2:
                if kill == "worker":
                    pids = _worker_pids()
                    if pids:
                        os.kill(pids[0], signal.SIGKILL)
                        killed = f"worker pid {pids[0]} at {counts['sent']} sent"
                else:
                    os.killpg(cluster.pid, signal.SIGKILL)
                    cluster.wait()
                    killed = f"whole cluster (pid {cluster.pid}) at {counts['sent']} sent"
                    cluster = _start_cluster(env, log)
                    restarted = time.perf_counter() - started
                stuck = _statuses()
                print(f"  killed {killed}; rows then: {dict(stuck)}")
            if done >= args.messages:
                break
            sweeps.update(tasks.sweep())
            time.sleep(1)
        total_seconds = time.perf_counter() - started
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
        log.close()
        gateway.stop()

    from sms_templates.models import SmsMessage

    ids = {str(pk) for pk in SmsMessage.objects.values_list("pk", flat=True)}
    counts = _statuses()
    attempts = Counter(SmsMessage.objects.values_list("attempts", flat=True))
    per_key = Counter(gateway.requests)
    return {
        "kill": kill,
        "killed": killed,
        "restarted_at_s": restarted,
        "messages": args.messages,
        "write_seconds": write_seconds,
        "total_seconds": total_seconds,
        "statuses": dict(counts),
        "taken_at_gateway": gateway.taken,
        "missing_at_gateway": len(ids - set(gateway.messages)),
        "unknown_at_gateway": len(set(gateway.messages) - ids),
        "gateway_requests": sum(per_key.values()),
        "first_attempt_503s": gateway.failures,
        "deduplicated_resends": gateway.duplicates,
        "attempts_histogram": dict(sorted(attempts.items())),
        "sweeps": dict(sweeps),
        "log": str(workdir / "qcluster.log"),
    }


def _exactly_once(result: dict) -> bool:
    return (
        result["taken_at_gateway"] == result["messages"]
        and result["missing_at_gateway"] == 0
        and result["unknown_at_gateway"] == 0
        and result["statuses"].get("sent") == result["messages"]
    )


def _print(result: dict) -> None:
    ok = _exactly_once(result)
    print(f"phase kill={result['kill']}: {'EXACTLY ONCE' if ok else 'NOT EXACTLY ONCE'}")
    print(f"  messages {result['messages']}, written in {result['write_seconds']:.1f} s")
    print(
        f"  all sent after {result['total_seconds']:.1f} s "
        f"({result['messages'] / result['total_seconds']:.0f} messages/s end to end)"
    )
    print(f"  outbox statuses: {result['statuses']}; attempts per row: {result['attempts_histogram']}")
    print(
        f"  gateway: {result['taken_at_gateway']} distinct messages taken, {result['missing_at_gateway']} missing, "
        f"{result['gateway_requests']} requests, {result['first_attempt_503s']} answered 503, "
        f"{result['deduplicated_resends']} repeated sends deduplicated by Idempotency-Key"
    )
    if result["killed"]:
        print(f"  killed: {result['killed']}")
    print(f"  sweeper totals: {result['sweeps']}; qcluster log: {result['log']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--pg", default="", help="a PostgreSQL DATABASE_URL (its tables are flushed)")
    parser.add_argument("--kill", choices=["none", "worker", "cluster", "both", "all"], default="all")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for delivery per phase")
    parser.add_argument("--child", choices=["none", "worker", "cluster"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    phases = {
        "all": ["none", "worker", "cluster"],
        "both": ["worker", "cluster"],
    }.get(args.kill, [args.kill])
    if not args.child:
        print(
            f"SMS delivery benchmark: {args.messages} messages, {args.workers} workers, Redis {args.redis}, "
            f"{'PostgreSQL' if args.pg else 'SQLite file'}; gateway fails 10 % of first attempts with 503"
        )
    if args.child:
        result = run_phase(args, args.child)
        _print(result)
        return 0 if _exactly_once(result) else 1
    failures = 0
    for kill in phases:
        # Each phase in its own process: fresh settings (database, gateway URL) and a fresh database.
        child = subprocess.run([sys.executable, __file__, *sys.argv[1:], "--child", kill], cwd=ROOT)
        failures += child.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
