"""Clerks accepting cases at the same second get distinct 受理回执号 and 业务流水号 (issue 17).

    python tests/reliability/race_receipt_numbers.py [--rounds 200] [--clerks 2]

On a PostgreSQL cluster of the script's own (never the machine's): the reference data, the demo configuration
published in 中山 and 广州, ``--clerks`` 中山 clerks (综合柜员). Each round, one process per clerk, released by one
barrier, calls ``case_accept`` (the service behind the 综合受理 screen and ``POST /api/v1/cases``) for a case of its
own. The 受理回执号 is the second of acceptance plus a sequence within that second, from a counter row per second
(``routing.models.Counter``) that the first acceptance of a second creates — so most rounds race on creating the
row, the rest on incrementing it.

Guarantees (exit 1 when one breaks): every call accepts its case (no exception); the receipt numbers and the
serial numbers of each round are distinct, and distinct over the whole run; the cases of one second are numbered
1…n in that second; and the case invariants of ``harness.case_invariants`` (every counter equals the cases numbered
from it). Prints how many rounds landed in one second, how many created the second's counter at once, and the
sequences seen.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability import harness  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--clerks", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def _accept(clerk_pk: int, n: int):
    def call():
        from django.contrib.auth import get_user_model

        from routing.services import Applicant, case_accept
        from tests.factories.cases import accept_request, id_card

        applicant = Applicant(
            name="黄林", id_number=id_card(f"44200019900101{n % 1000:03d}"), phone="13800000000"
        )
        case = case_accept(
            request=accept_request(applicant=applicant), user=get_user_model().objects.get(pk=clerk_pk)
        )
        return case.receipt_no, case.serial_no

    return call


def main() -> int:
    args = _arguments()
    problems: list[str] = []
    receipts: Counter = Counter()
    serials: Counter = Counter()
    same_second = 0
    sequences: Counter = Counter()
    with harness.Stack(name="race-receipts", keep=args.keep) as stack:
        stack.setup_django()
        from config_center.runtime.holder import runtime

        runtime.watch, runtime.report = False, False
        with harness.timed("setup (migrate, reference data, demo published)"):
            users = harness.prepare_cases(clerks=args.clerks)
        clerks = [clerk.pk for clerk in users["clerks"]]
        print(f"PostgreSQL :{stack.postgres.port}; {args.rounds} rounds of {args.clerks} clerks", flush=True)
        for round_no in range(args.rounds):
            outcomes = harness.simultaneously(
                [_accept(clerk, round_no * args.clerks + i) for i, clerk in enumerate(clerks)]
            )
            failed = [outcome for outcome in outcomes if not outcome.ok]
            for outcome in failed:
                problems.append(f"round {round_no}: {outcome.value['type']}: {outcome.value['message']}")
            numbers = [outcome.value for outcome in outcomes if outcome.ok]
            these = [receipt for receipt, _ in numbers]
            if len(set(these)) != len(these) or len({serial for _, serial in numbers}) != len(numbers):
                problems.append(f"round {round_no}: numbers given twice: {numbers}")
            receipts.update(these)
            serials.update(serial for _, serial in numbers)
            if len({receipt[:12] for receipt in these}) == 1 and len(these) > 1:
                same_second += 1
                sequences[tuple(sorted(int(receipt[12:]) for receipt in these))] += 1

        from django.db.models import Count

        from routing.models import Case

        per_second = Counter()
        for receipt in Case.objects.values_list("receipt_no", flat=True):
            per_second[receipt[:12]] += 1
        gaps = []
        for prefix, count in per_second.items():
            got = sorted(
                int(r[12:])
                for r in Case.objects.filter(receipt_no__startswith=prefix).values_list(
                    "receipt_no", flat=True
                )
            )
            if got != list(range(1, count + 1)):
                gaps.append((prefix, got))
        figures, broken = harness.case_invariants()
        twice = Case.objects.values("receipt_no").annotate(n=Count("id")).filter(n__gt=1).count()

    created_together = sum(count for seq, count in sequences.items() if seq[0] == 1)
    print(
        f"{sum(receipts.values()):,} cases accepted; {len(receipts):,} distinct receipt numbers, "
        f"{len(serials):,} distinct serial numbers; rounds within one second: {same_second} of {args.rounds} "
        f"({created_together} of them racing to create the second's counter)"
    )
    print(f"  sequences of the rounds within one second: {dict(sorted(sequences.items())[:8])}")
    print(f"  database: {figures}")
    repeated = [number for number, count in receipts.items() if count > 1]
    if repeated or twice:
        problems.append(f"receipt numbers given more than once: {repeated[:5]} ({twice} in the database)")
    if len(serials) != sum(serials.values()):
        problems.append("serial numbers given more than once")
    if gaps:
        problems.append(f"seconds whose cases are not numbered 1…n: {gaps[:3]}")
    if same_second == 0 and args.clerks > 1:
        problems.append("no round landed in one second: the race was not run")
    problems += broken
    for problem in problems[:20]:
        print(f"FAILED: {problem}")
    print("Accepting at the same second:", "FAILED" if problems else "every guarantee held")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
