"""A 10,000-SMS burst through django-q2 while a worker is killed, the cluster is killed, Redis restarts: every SMS
delivered exactly once (issue 17).

    python tests/reliability/fault_sms_delivery.py [--faults worker,cluster,redis] [--messages 10000]
        [--workers 4] [--timeout 1200] [--redis-appendonly]

Each fault is a phase of its own, on a fresh PostgreSQL cluster and a fresh Redis of the script's own (never the
machine's): ``manage.py migrate`` and the reference data (which create the outbox sweeper's django-q2 schedule, every
minute, as in production), a real ``manage.py qcluster`` (``--workers`` processes) on the Redis broker, and a fake
SMS gateway on 127.0.0.1 (tests/sms_templates/fake_gateway.py: it honours ``Idempotency-Key`` like a real gateway and
answers 503 to the first attempt of one message in ten). A writer thread writes the messages through
``sms_outbox_write`` in transactions of 200 (each row enqueued on commit) while deliveries run. The faults:

  ``worker``   SIGKILL a worker that is processing a message, at 25 %, 50 % and 75 % of the messages sent;
               django-q2 starts a new worker, the killed worker's row stays ``sending`` until its lease ends;
  ``cluster``  SIGKILL every process of the cluster at 50 % sent, then start a new cluster (every task it had
               pulled from Redis is lost);
  ``redis``    restart Redis while the writer is half-way: without ``--redis-appendonly`` it comes back empty, so every
               task waiting in the broker is lost, and enqueues during the restart fail (the outbox row stays queued).

Only the outbox sweeper (the schedule) may recover what was lost: from the outbox rows, with the same idempotency key.
Settings are production's except ``SMS_STALE_SECONDS=90`` (the lease of a send; it must exceed django-q2's 60 s
task timeout, production has 300) and ``SMS_RETRY_BACKOFF_SECONDS=5`` (30), so that recovery fits in minutes.

Prints, per phase: delivered (distinct messages the gateway took), lost (outbox rows the gateway never took),
duplicates (messages the gateway took more than once — the outbox resent them and the gateway's idempotency key
kept them to one delivery; a gateway without the key would have delivered these twice), the outbox statuses, the
sweeper's recoveries and the time. Exits 1 unless every phase delivered every message exactly once.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability import harness  # noqa: E402

BATCH = 200
SETTINGS = {
    "SMS_GATEWAY_BACKEND": "sms_templates.gateways.HttpGateway",
    "SMS_GATEWAY_TOKEN": "fault-token",
    "SMS_GATEWAY_CONNECT_TIMEOUT": "2",
    "SMS_GATEWAY_READ_TIMEOUT": "5",
    "SMS_STALE_SECONDS": "90",
    "SMS_RETRY_BACKOFF_SECONDS": "5",
    "SMS_RETRY_BACKOFF_MAX_SECONDS": "60",
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faults", default="worker,cluster,redis")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds a phase may take to deliver")
    parser.add_argument("--redis-appendonly", action="store_true", help="Redis keeps its data over a restart")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    return parser.parse_args()


def _statuses() -> Counter:
    from django.db.models import Count

    from sms_templates.models import SmsMessage

    return Counter(dict(SmsMessage.objects.values_list("status").annotate(n=Count("id")).order_by()))


class RefusedEnqueues(logging.Handler):
    """Counts the enqueues that failed after their commit (Django logs each robust on_commit failure), instead of
    printing a traceback for each: the rows stay queued for the sweeper."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "on_commit()" in record.getMessage():
            self.count += 1

    def install(self) -> RefusedEnqueues:
        backends = logging.getLogger("django.db.backends.base")
        backends.addHandler(self)
        backends.propagate = False
        return self


class Writer(threading.Thread):
    """Writes the burst through the outbox service, 200 rows a transaction, as an event's transactions would."""

    def __init__(self, messages: int):
        super().__init__(daemon=True)
        self.messages, self.written, self.error = messages, 0, None
        self.seconds = 0.0

    def run(self) -> None:
        from django.db import connection, transaction

        from sms_templates.services import sms_outbox_write

        began = time.perf_counter()
        try:
            while self.written < self.messages:
                upto = min(self.messages, self.written + BATCH)
                with transaction.atomic():
                    for i in range(self.written, upto):
                        sms_outbox_write(
                            recipient=f"138{i:08d}",
                            text=f"尊敬的 黄林 先生/女士，您办理的工伤医疗费（受理回执号 GS{i:010d}）已受理成功。",
                            case_reference=f"GS{i:010d}",
                            event="accepted",
                        )
                self.written = upto
        except Exception as error:  # reported by the phase
            self.error = error
        finally:
            self.seconds = time.perf_counter() - began
            connection.close()


def run_phase(args, fault: str) -> bool:
    from tests.sms_templates.fake_gateway import FakeGateway

    gateway = FakeGateway(token="fault-token", fail_first_every=10, fail_status=503).start()
    # A killed worker resets its connection to the gateway: expected here, not worth a traceback.
    gateway.server.handle_error = lambda request, client_address: None
    with harness.Stack(
        redis=True,
        redis_appendonly=args.redis_appendonly,
        name=f"fault-sms-{fault}",
        keep=args.keep,
        extra_env={**SETTINGS, "SMS_GATEWAY_URL": gateway.url},
    ) as stack:
        stack.setup_django()
        from django.core.management import call_command

        from config_center.project.reference import reference_data_load_all

        call_command("migrate", verbosity=0, interactive=False)
        reference_data_load_all()  # also the sweeper's schedule (every minute)
        refused = RefusedEnqueues().install()
        cluster = stack.qcluster(workers=args.workers)
        print(
            f"\n== fault {fault}: {args.messages:,} messages, {args.workers} workers, PostgreSQL :{stack.postgres.port},"
            f" Redis :{stack.redis.port} (appendonly {'yes' if args.redis_appendonly else 'no'}), gateway {gateway.url}",
            flush=True,
        )
        events: list[str] = []
        started = time.perf_counter()
        writer = Writer(args.messages)
        writer.start()
        kill_marks = {"worker": [0.25, 0.5, 0.75], "cluster": [0.5], "redis": []}[fault]
        redis_restarted = False
        deadline = time.monotonic() + args.timeout
        counts = Counter()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            counts = _statuses()
            sent = counts["sent"]
            at = time.perf_counter() - started
            if kill_marks and sent >= kill_marks[0] * args.messages:
                kill_marks.pop(0)
                if fault == "worker":
                    busy = cluster.busy_worker_pids()
                    victim = (busy or cluster.worker_pids())[0]
                    os.kill(victim, signal.SIGKILL)
                    state = "processing a message" if busy else "idle"
                    events.append(f"{at:6.1f} s: SIGKILL worker {victim} ({state}) at {sent:,} sent")
                else:
                    cluster.kill_all()
                    stuck = _statuses()
                    events.append(
                        f"{at:6.1f} s: SIGKILL the whole cluster at {sent:,} sent "
                        f"(then {stuck['sending']} sending, {stuck['queued']} queued)"
                    )
                    cluster = stack.qcluster(workers=args.workers)
                    events.append(f"{time.perf_counter() - started:6.1f} s: a new cluster runs")
            if fault == "redis" and not redis_restarted and writer.written >= args.messages // 2:
                redis_restarted = True
                import redis as redis_client

                waiting = redis_client.from_url(stack.redis.url()).llen("django_q:console:q")
                took = stack.redis.restart(down_seconds=2.0)
                events.append(
                    f"{at:6.1f} s: Redis restarted at {writer.written:,} written / {sent:,} sent, "
                    f"{waiting:,} tasks waiting in it; down {took:.1f} s"
                )
            if writer.written >= args.messages and counts["sent"] + counts["failed"] >= args.messages:
                break
            if not writer.is_alive() and writer.error is not None:
                break  # the writer failed (reported below): nothing more will come
        total = time.perf_counter() - started
        writer.join(30)
        # django-q2 also replaces a worker after every 500 tasks (recycle): allow a moment for a replacement.
        settle = time.monotonic() + 15
        while len(cluster.worker_pids()) != args.workers and time.monotonic() < settle:
            time.sleep(0.2)
        workers_at_end = cluster.worker_pids()
        processes_at_end = [harness.command_line(pid) for pid in cluster._descendants()]

        from django.db.models import Count

        from sms_templates.models import SmsMessage

        ids = {str(pk) for pk in SmsMessage.objects.values_list("pk", flat=True)}
        attempts = Counter(SmsMessage.objects.values_list("attempts", flat=True))
        keys_per_row = (
            SmsMessage.objects.values("case_reference", "event", "recipient", "occurrence")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        taken = set(gateway.messages)
        lost = ids - taken
        unknown = taken - ids
        resent = {key for key, n in gateway.requests.items() if n > 1}
        duplicates = gateway.duplicates
        log = harness.tail(Path(cluster.log), 1500) if args.keep else ""
    gateway.stop()

    if fault == "redis":
        events.append(
            f"enqueues refused at commit while Redis was down (rows left queued for the sweeper): {refused.count}"
        )
    for event in events:
        print(f"  {event}")
    problems = []
    if writer.error is not None:
        problems.append(f"the writer failed: {writer.error!r}")
    if writer.written != args.messages or len(ids) != args.messages:
        problems.append(
            f"{writer.written:,} written, {len(ids):,} outbox rows for {args.messages:,} messages"
        )
    if lost:
        problems.append(f"{len(lost):,} messages never reached the gateway (lost), e.g. {sorted(lost)[:5]}")
    if unknown:
        problems.append(f"{len(unknown)} messages at the gateway that the outbox does not hold")
    if counts["sent"] != args.messages:
        problems.append(f"outbox statuses at the end: {dict(counts)}")
    if keys_per_row:
        problems.append(f"{keys_per_row} messages written twice in the outbox")
    if len(workers_at_end) != args.workers:
        problems.append(
            f"the cluster runs {len(workers_at_end)} workers at the end, not {args.workers}: {processes_at_end}"
        )
    if fault != "redis" and not any("SIGKILL" in event for event in events):
        problems.append("the fault was never applied")
    print(f"  written in {writer.seconds:.1f} s; everything delivered after {total:.1f} s")
    print(
        f"  delivered {len(taken):,} of {args.messages:,}; lost {len(lost)}; duplicates {duplicates} (sends of a "
        f"message the gateway had already taken, delivered once by its Idempotency-Key); {len(resent):,} messages "
        f"reached the gateway more than once in all ({gateway.failures:,} scripted 503 answers)"
    )
    print(
        f"  outbox: {dict(counts)}; attempts per row {dict(sorted(attempts.items()))}; workers at the end {len(workers_at_end)}"
    )
    if log:
        print(f"  qcluster log (end):\n{log}")
    for problem in problems:
        print(f"  FAILED: {problem}")
    print(f"  fault {fault}: {'every SMS delivered exactly once' if not problems else 'FAILED'}", flush=True)
    return not problems


def main() -> int:
    args = _arguments()
    if args.phase:
        return 0 if run_phase(args, args.phase) else 1
    faults = [fault for fault in args.faults.split(",") if fault]
    unknown = set(faults) - {"worker", "cluster", "redis"}
    if unknown:
        raise SystemExit(f"unknown faults {sorted(unknown)}")
    failed = []
    signal.signal(signal.SIGTERM, harness.raise_keyboard_interrupt)
    for fault in faults:
        # Each phase in a process of its own: Django is set up once per process, on that phase's database.
        child = subprocess.Popen([sys.executable, __file__, *sys.argv[1:], "--phase", fault])
        try:
            returncode = child.wait()
        except KeyboardInterrupt:
            child.terminate()  # the phase removes its PostgreSQL, Redis and cluster on SIGTERM
            child.wait()
            raise
        if returncode != 0:
            failed.append(fault)
    print(
        f"\nSMS burst under faults {faults}:",
        f"FAILED in {failed}" if failed else "every SMS delivered exactly once",
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
