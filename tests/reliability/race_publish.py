"""Two administrators publishing the same city at the same moment: two consecutive releases or one clear refusal,
never a duplicate number (issue 17).

    python tests/reliability/race_publish.py [--rounds 60]

On a PostgreSQL cluster of the script's own (never the machine's): the reference data and the demo configuration,
published in 中山 (release 1); two administrators of 中山 who may both publish. Each round changes 中山's draft
(GS0101's 办理时限, a value no release had), then two processes, released by one barrier, call the services the
发布配置 screen and ``publish_config`` call:
  - even rounds: both ``release_publish`` the same draft → one new release, the other refused
    ``nothing_to_publish`` (the draft is live by then), or — never seen, but allowed — two releases;
  - odd rounds: one ``release_publish``, the other ``release_rollback`` to release 1 → two new releases, numbered
    one after the other, whichever came first.
After each round: 中山's release numbers are 1…n without a gap or a repeat, the new releases are exactly the calls that
succeeded, every refusal is a ``PublishRefused`` with a reason code (no other exception), and the configuration
version moved once per new release. Prints the outcomes, how far apart the two calls started and how long the
second one waited for the first. Exits 1 when any round breaks a guarantee.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability import harness  # noqa: E402

CITY = "442000"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def _publish(admin_pk: int, comment: str):
    def call():
        from django.contrib.auth import get_user_model

        from catalog.models import Region
        from config_center.releases.services import release_publish

        result = release_publish(
            region=Region.objects.get(code=CITY),
            user=get_user_model().objects.get(pk=admin_pk),
            comment=comment,
        )
        return ("publish", result.release.number)

    return call


def _rollback(admin_pk: int, to_number: int):
    def call():
        from django.contrib.auth import get_user_model

        from catalog.models import Region
        from config_center.releases.services import release_rollback

        release = release_rollback(
            region=Region.objects.get(code=CITY),
            to_number=to_number,
            user=get_user_model().objects.get(pk=admin_pk),
        )
        return ("rollback", release.number)

    return call


def main() -> int:
    args = _arguments()
    problems: list[str] = []
    outcomes_seen: Counter = Counter()
    starts, waits = [], []
    with harness.Stack(name="race-publish", keep=args.keep) as stack:
        stack.setup_django()
        from config_center.drafts.models import LocalMatter
        from config_center.releases.models import ConfigVersion, Release
        from config_center.runtime.holder import runtime

        runtime.watch, runtime.report = False, False
        with harness.timed("setup (migrate, reference data, demo published)"):
            users = harness.prepare_cases()
        first, second = (admin.pk for admin in users["admins"])
        local = LocalMatter.objects.get(region__code=CITY, matter__code="GS0101")

        def numbers() -> list[int]:
            return list(
                Release.objects.filter(region__code=CITY).order_by("number").values_list("number", flat=True)
            )

        def version() -> int:
            return ConfigVersion.objects.values_list("version", flat=True).get(id=1)

        print(f"PostgreSQL :{stack.postgres.port}; 中山 releases at the start: {numbers()}", flush=True)
        for round_no in range(args.rounds):
            LocalMatter.objects.filter(pk=local.pk).update(time_limit_days=100 + round_no % 200)
            before, version_before = numbers(), version()
            if round_no % 2 == 0:
                kind = "publish + publish"
                calls = [_publish(first, f"第 {round_no} 轮 甲"), _publish(second, f"第 {round_no} 轮 乙")]
            else:
                kind = "publish + rollback"
                calls = [_publish(first, f"第 {round_no} 轮 发布"), _rollback(second, 1)]
            outcomes = harness.simultaneously(calls)
            after, version_after = numbers(), version()
            new = after[len(before) :]
            succeeded = sorted(outcome.value[1] for outcome in outcomes if outcome.ok)
            refused = [outcome for outcome in outcomes if not outcome.ok]
            label = f"round {round_no} ({kind})"
            outcomes_seen[(kind, tuple(sorted(o.value[0] if o.ok else o.reason_code for o in outcomes)))] += 1
            starts.append(abs(outcomes[0].started - outcomes[1].started))
            later = max(outcomes, key=lambda outcome: outcome.ended)
            earlier = min(outcomes, key=lambda outcome: outcome.ended)
            waits.append((earlier.ended - earlier.started, later.ended - later.started))
            if after != list(range(1, len(after) + 1)):
                problems.append(f"{label}: release numbers {after} are not 1…n")
            if after[: len(before)] != before:
                problems.append(f"{label}: earlier releases changed: {before} → {after}")
            if succeeded != new:
                problems.append(f"{label}: calls answered releases {succeeded}, the new releases are {new}")
            for outcome in refused:
                if outcome.value["type"] != "PublishRefused" or not outcome.reason_code:
                    problems.append(f"{label}: not a clear refusal: {outcome.value}")
            if kind == "publish + rollback" and len(new) != 2:
                problems.append(f"{label}: a publish and a rollback made {len(new)} releases: {outcomes}")
            if not new:
                problems.append(f"{label}: no release at all: {outcomes}")
            if version_after - version_before != len(new):
                problems.append(
                    f"{label}: the configuration version moved by {version_after - version_before}"
                )
        final = numbers()
        example = (
            Release.objects.filter(region__code=CITY, number=final[-1])
            .values_list("comment", flat=True)
            .get()
        )

    print(
        f"{args.rounds} rounds; 中山 releases at the end: 1…{final[-1]} ({len(final)} releases), last: {example}"
    )
    for (kind, result), count in sorted(outcomes_seen.items()):
        print(f"  {kind:<20} {' / '.join(result):<40} {count} rounds")
    print(
        f"  the two calls started {harness.percentile(starts, 0.5) * 1000:.1f} ms apart (median; max "
        f"{max(starts) * 1000:.1f} ms); the one done first took {harness.percentile([w[0] for w in waits], 0.5) * 1000:.0f}"
        f" ms, the other {harness.percentile([w[1] for w in waits], 0.5) * 1000:.0f} ms (medians: it waited for the "
        f"city's row lock, then found the draft live or numbered after the first)"
    )
    for problem in problems[:20]:
        print(f"FAILED: {problem}")
    print("Publishing the same city at the same moment:", "FAILED" if problems else "every guarantee held")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
