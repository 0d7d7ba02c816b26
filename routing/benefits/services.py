"""Writes of the benefit standards — the admin, the importer and the reference data go through these — and
the computation over what is stored."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.loading import LoadReport

from . import rules
from .models import Benefit, BenefitStandard
from .selectors import benefit_standards

REFERENCE_FILE = Path(__file__).resolve().parent / "reference_data" / "benefit_standards.json"


@transaction.atomic
def benefit_save(*, benefit: Benefit, user=None, reason: str = "") -> Benefit:
    """Validate and save a benefit, its history by ``user`` with ``reason``."""
    benefit.full_clean()
    benefit._history_user = user
    benefit._change_reason = reason or None
    benefit.save()
    return benefit


def benefit_standard_overlap(standard: BenefitStandard) -> str | None:
    """What is wrong with ``standard``'s period beside the stored standards of its benefit and grade (None: nothing)."""
    if not (standard.benefit_id and standard.grade and standard.valid_from):
        return None  # the fields' own errors say what is missing
    siblings = BenefitStandard.objects.filter(benefit_id=standard.benefit_id, grade=standard.grade).exclude(
        pk=standard.pk
    )
    code = standard.benefit.code
    return rules.overlap_problem(
        rules.Standard(
            code, standard.grade, standard.months or rules.FEN, standard.valid_from, standard.valid_to
        ),
        [rules.Standard(code, s.grade, s.months, s.valid_from, s.valid_to) for s in siblings],
    )


def benefit_standard_overlaps() -> list[tuple[BenefitStandard, str]]:
    """Every stored standard whose period shares a day with an earlier-starting one (what an import checks once
    its rows are written)."""
    found = []
    seen: dict[tuple[int, int], list[rules.Standard]] = {}
    for standard in BenefitStandard.objects.select_related("benefit").order_by(
        "benefit__code", "grade", "valid_from", "pk"
    ):
        rule = standard.as_rule()
        earlier = seen.setdefault((standard.benefit_id, standard.grade), [])
        problem = rules.overlap_problem(rule, earlier)
        if problem:
            found.append((standard, problem))
        earlier.append(rule)
    return found


@transaction.atomic
def benefit_standard_save(*, standard: BenefitStandard, user=None, reason: str = "") -> BenefitStandard:
    """Validate and save a standard row; its period may share no day with another of its benefit and grade.

    The benefit's row is locked first, so two people adding overlapping periods at once are judged one after
    the other (PostgreSQL; SQLite writes one at a time anyway)."""
    if standard.benefit_id:
        Benefit.objects.select_for_update().filter(pk=standard.benefit_id).first()
    standard.full_clean()
    problem = benefit_standard_overlap(standard)
    if problem:
        raise ValidationError({"valid_from": problem})
    standard._history_user = user
    standard._change_reason = reason or None
    standard.save()
    return standard


def benefit_compute(
    *, benefit, grade, monthly_wage, on: datetime.date | str | None = None
) -> rules.Computation:
    """The benefit's amount under the stored standards (on ``on``, today in the console's time zone if None);
    raises ``rules.BenefitRefused``."""
    day = timezone.localdate() if on is None else on
    return rules.compute(benefit_standards(), benefit=benefit, grade=grade, monthly_wage=monthly_wage, on=day)


def read_reference_file() -> dict:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def benefit_reference_data_load(report: LoadReport) -> None:
    """The reference standards (``reference_data/benefit_standards.json``): idempotent, and never over an edit.

    They seed the tables: a benefit is created when its code is missing, and a grade's standards when that
    benefit has none for the grade. What the province's staff changed since (a months figure, a period ended
    by a new standard) is theirs: loading again neither reverts it nor adds a period that would overlap it."""
    data = read_reference_file()
    for row in data["benefits"]:
        benefit = Benefit.objects.filter(code=row["code"]).first()
        if benefit is None:
            benefit = Benefit(
                code=row["code"],
                name=row["name"],
                scope=row["scope"],
                basis=row["basis"],
                source_text=row["source_text"],
            )
            benefit_save(benefit=benefit, reason="参考数据")
            report.count(report.created, Benefit)
        graded = set(benefit.standards.values_list("grade", flat=True))
        for grade, months in row["months"].items():
            if int(grade) in graded:
                continue
            standard = BenefitStandard(
                benefit=benefit,
                grade=int(grade),
                months=Decimal(months),
                valid_from=datetime.date.fromisoformat(row["valid_from"]),
            )
            benefit_standard_save(standard=standard, reason="参考数据")
            report.count(report.created, BenefitStandard)
