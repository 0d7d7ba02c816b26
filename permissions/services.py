"""Writes of roles and assignments: reference roles, assigning a role to a user within a scope."""

import json
from pathlib import Path

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from catalog.models import Agency, Region
from core.loading import LoadReport, upsert

from . import scope
from .models import Assignment, Role

REFERENCE_FILE = Path(__file__).resolve().parent / "reference_data" / "roles.json"
ACTIONS = ("view", "add", "change", "delete")


def _expand(perms: list[str]) -> list[tuple[str, str]]:
    expanded = []
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        if codename.startswith("*_"):
            expanded += [(app_label, f"{action}_{codename[2:]}") for action in ACTIONS]
        else:
            expanded.append((app_label, codename))
    return expanded


def _permissions(perms: list[str]) -> list[Permission]:
    wanted = _expand(perms)
    condition = Q(pk__in=[])
    for app_label, codename in wanted:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition).select_related("content_type"))
    missing = set(wanted) - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise ValueError(f"unknown permissions in reference roles: {sorted(missing)}")
    return found


@transaction.atomic
def roles_reference_data_load(report: LoadReport) -> None:
    """The six reference roles with their permissions; idempotent."""
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    for row in data["roles"]:
        role = upsert(
            Role,
            report,
            lookup={"code": row["code"]},
            values={
                "name": row["name"],
                "description": row["description"],
                "allow_province": row["province"],
                "allow_city": row["city"],
                "allow_agency": row["agency"],
            },
        )
        wanted = _permissions(row["perms"])
        if set(role.permissions.values_list("pk", flat=True)) != {p.pk for p in wanted}:
            role.permissions.set(wanted)
            report.count(report.updated, Role)


@transaction.atomic
def assignment_create(
    *, user, role: Role, region: Region | None = None, agency: Agency | None = None, actor=None
) -> Assignment:
    """Give ``user`` the role within a scope: an agency, a city, or the province (region of level province)."""
    if agency is not None:
        kind = scope.AGENCY
        region = agency.region
    elif region is not None and region.level == Region.Level.PROVINCE:
        kind = scope.PROVINCE
    else:
        kind = scope.CITY
    assignment = Assignment(user=user, role=role, kind=kind, region=region, agency=agency)
    assignment.full_clean()
    assignment._history_user = actor
    assignment.save()
    user_grant_console_access(user)
    return assignment


def user_grant_console_access(user) -> None:
    """A user holding a role works in the console: make sure they may log in to it (is_staff)."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
