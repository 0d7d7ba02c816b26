"""Reads of cases, in the user's scope: the one place a case query is narrowed to what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import Agency, Region
from permissions.selectors import agency_codes_for, allowed_city_codes

from .models import Case

QUERY_PERMISSION = "routing.query_case"
FULL_DATA_PERMISSION = "routing.view_full_case_data"


def cases_for(user, perm: str = QUERY_PERMISSION) -> QuerySet[Case]:
    """The cases ``user`` may see: accepted or handled in a city of their scope (the province: all).
    Staff holding ``perm`` only at an agency see that city's cases too (their city's scope)."""
    cases = Case.objects.all()
    if not (user.is_active and user.is_authenticated):
        return cases.none()
    cities = allowed_city_codes(user, [perm])
    if cities is None:
        return cases
    if not cities:
        return cases.none()
    # By id, not through a join on the codes: two index scans the database can OR (one small query first).
    regions = list(Region.objects.filter(code__in=cities).values_list("pk", flat=True))
    scope = Q(accepting_region_id__in=regions) | Q(handling_region_id__in=regions)
    agencies = agency_codes_for(user, perm)
    if agencies:
        # A common superior agency asked to decide a 疑难案件 sees it while it waits (附件 2 三(五)).
        # By id too (no join): every arm of the OR can then use its own index.
        scope |= Q(
            escalated_to_id__in=list(Agency.objects.filter(code__in=agencies).values_list("pk", flat=True))
        )
    return cases.filter(scope)


def case_for(user, receipt_no: str, perm: str = QUERY_PERMISSION) -> Case | None:
    """One case by its 受理回执号, if ``user`` may see it (None otherwise: a foreign case is "not found")."""
    return (
        cases_for(user, perm)
        .select_related(
            "matter",
            "insured_agency",
            "accepting_agency",
            "handling_agency",
            "channel",
            "accepted_by",
            "handling_region",
            "accepting_region",
            "insured_region",
        )
        .filter(receipt_no=receipt_no)
        .first()
    )


def may_see_full_data(user) -> bool:
    """Names and ID numbers unmasked (lists, exports): only with 查看完整个人信息."""
    return user.is_active and user.has_perm(FULL_DATA_PERMISSION)


def accepting_agencies_for(user) -> frozenset[str] | None:
    """Where ``user`` may accept cases (受理): their agencies holding 受理 (None: any, a superuser)."""
    return agency_codes_for(user, "permissions.accept_case")
