"""Reads of roles and assignments: a user's grants (cached on the user object for the request)."""

from collections import defaultdict

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from . import scope
from .models import Assignment


def user_grants(user) -> tuple[scope.Grant, ...]:
    """The user's active assignments as pure grants; two queries, once per user object (request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_scope_grants", None)
    if cached is None:
        assignments = list(Assignment.objects.active().filter(user=user).select_related("region", "agency"))
        perms: dict[int, set[str]] = defaultdict(set)
        rows = Permission.objects.filter(group__in={a.role_id for a in assignments}).values_list(
            "group", "content_type__app_label", "codename"
        )
        for role_id, app_label, codename in rows:
            perms[role_id].add(f"{app_label}.{codename}")
        cached = tuple(a.grant(frozenset(perms[a.role_id])) for a in assignments)
        user._scope_grants = cached
    return cached


def region_code_of(obj) -> str | None:
    """The region code an object belongs to, following its model's ``scope_region_path`` (None: province-wide)."""
    path = getattr(type(obj), "scope_region_path", None)
    if path is None:
        return None
    if path == "self":
        return obj.code
    target = obj
    for part in path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target.code


def scope_queryset(
    queryset: QuerySet, user, perms: list[str], *, include_province_wide: bool = False
) -> QuerySet:
    """Only the rows inside the scope where ``user`` holds any of ``perms`` — the one place scope is applied."""
    if user.is_active and user.is_superuser:
        return queryset
    found = scope.scope_for(user_grants(user), perms)
    if found.everywhere:
        return queryset
    path = queryset.model.scope_region_path
    prefix = "" if path == "self" else f"{path}__"
    condition = Q(**{f"{prefix}code__in": found.cities}) | Q(**{f"{prefix}parent__code__in": found.cities})
    if include_province_wide and path != "self":
        condition |= Q(**{f"{path}__isnull": True})
    return queryset.filter(condition)


def allowed_city_codes(user, perms: list[str]) -> frozenset[str] | None:
    """Cities where the user holds any of ``perms``; None means everywhere."""
    if user.is_active and user.is_superuser:
        return None
    found = scope.scope_for(user_grants(user), perms)
    return None if found.everywhere else found.cities


def agency_codes_for(user, perm: str) -> frozenset[str] | None:
    """The agencies where ``user`` holds ``perm`` for work on cases (None: every agency, a superuser).

    An assignment at an agency gives that agency; one at a city gives the city's own agency; one at the
    province gives the provincial agency — never the agencies below (annex 4: the province's reviewers
    see a city's case only once it is transferred to them)."""
    if user.is_active and user.is_superuser:
        return None
    return frozenset(scope.grant_agency(grant) for grant in user_grants(user) if perm in grant.perms)


def bind_client(user, access):
    """``user`` acting for the API client ``access`` (its service user) for this request: its grants are the
    client's (``ClientAccess.grants``) — role assignments give it nothing — and its writes record the client."""
    user._scope_grants = access.grants() if user.is_active else ()
    user._api_client_id = access.client_id
    return user


def acting_client_id(user) -> int | None:
    """The API client ``user`` acts for in this request (``bind_client``), or None (a console user, the system)."""
    return getattr(user, "_api_client_id", None)
