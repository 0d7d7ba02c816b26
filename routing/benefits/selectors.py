"""Reads of the benefit standards: the stored rows as the plain data ``rules`` computes with."""

from .models import Benefit, BenefitStandard
from .rules import Benefit as BenefitRule
from .rules import Standard, Standards


def benefit_standards() -> Standards:
    """Every benefit and standard row (two queries; the tables hold tens of rows)."""
    benefits = tuple(
        BenefitRule(code, name, basis, scope)
        for code, name, basis, scope in Benefit.objects.order_by("code").values_list(
            "code", "name", "basis", "scope"
        )
    )
    rows = tuple(
        Standard(code, grade, months, valid_from, valid_to)
        for code, grade, months, valid_from, valid_to in BenefitStandard.objects.order_by(
            "benefit__code", "grade", "valid_from"
        ).values_list("benefit__code", "grade", "months", "valid_from", "valid_to")
    )
    return Standards(benefits, rows)
