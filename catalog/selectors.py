"""Reads of the catalog shared by the admin and the API."""

from django.db.models import Q, QuerySet

from .models import Agency, Channel, Holiday, Material, Matter, Region
from .workdays import WorkCalendar


def region_list() -> QuerySet[Region]:
    return Region.objects.select_related("parent").order_by("code")


def agency_list(*, region_code: str | None = None) -> QuerySet[Agency]:
    queryset = Agency.objects.select_related("region", "parent").order_by("code")
    if region_code:
        queryset = queryset.filter(region__code=region_code)
    return queryset


def channel_list() -> QuerySet[Channel]:
    return Channel.objects.filter(is_active=True).order_by("sort_order", "code")


def matter_search(*, q: str = "", province_wide: bool | None = None) -> QuerySet[Matter]:
    """Matters whose code, name or alias contains ``q`` (case-insensitive)."""
    queryset = Matter.objects.select_related("category").order_by("code")
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(aliases__icontains=q))
    if province_wide is not None:
        queryset = queryset.filter(province_wide=province_wide)
    return queryset


def material_search(*, q: str = "") -> QuerySet[Material]:
    """Materials whose code or name contains ``q``."""
    queryset = Material.objects.order_by("code")
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return queryset


def work_calendar() -> WorkCalendar:
    """The holiday calendar as administrators keep it (a few rows a year: read whole)."""
    holidays, extra = [], []
    for day, works in Holiday.objects.values_list("date", "is_workday_override"):
        (extra if works else holidays).append(day)
    return WorkCalendar.of(holidays, extra)


def matter_relations() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The joint-handling relations as plain mappings {matter code: codes}: (前置事项, 冲突事项), two queries."""
    prerequisites: dict[str, set[str]] = {}
    conflicts: dict[str, set[str]] = {}
    for relation, found in ((Matter.prerequisites, prerequisites), (Matter.conflicts, conflicts)):
        for code, other in relation.through.objects.values_list("from_matter__code", "to_matter__code"):
            found.setdefault(code, set()).add(other)
    return prerequisites, conflicts
