"""Writes of roles and assignments: reference roles, assigning a role to a user within a scope."""

import json
from collections.abc import Iterable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.models import Agency, Region
from core.loading import LoadReport, upsert

from . import api_rules, scope
from .api_auth import clients_changed
from .models import ApiClient, Assignment, Role

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


def assignment_scope(*, role: Role, agency: Agency | None = None, region: Region | None = None):
    """(kind, region, agency) of an assignment of ``role`` named by an agency (or a region): at the agency
    if the role may be given there, else the province or the agency's city; a region names the province
    or a city. The one place a scope is decided; ``Assignment.clean`` then checks it is consistent."""
    if agency is None:
        kind = scope.PROVINCE if region is not None and region.level == Region.Level.PROVINCE else scope.CITY
        return kind, region, None
    if role.allow_agency:
        return scope.AGENCY, agency.region, agency
    if agency.region.level == Region.Level.PROVINCE and role.allow_province:
        return scope.PROVINCE, agency.region, None
    if role.allow_city:
        return scope.CITY, agency.region, None
    raise ValidationError({"role": _("岗位“%(role)s”不能按该机构分配。") % {"role": role.name}})


def self_grant_refusal(*, assignment: Assignment, actor) -> str | None:
    """Nobody grants or changes their own roles (an administrator would make themselves their own auditor
    or reviewer); another administrator does it. A superuser needs no role and is exempt."""
    if actor is None or actor.is_superuser or assignment.user_id != actor.pk:
        return None
    return _("不能给自己分配或修改岗位（例如让自己成为审计员或复审员）；请由另一位管理员办理。")


@transaction.atomic
def assignment_save(*, assignment: Assignment, actor=None) -> Assignment:
    """Save an assignment (the admin's, the user page's, the importer's): validated here, history by
    ``actor``, and the user may then log in to the console."""
    refusal = self_grant_refusal(assignment=assignment, actor=actor)
    if refusal:
        raise ValidationError({"user": [refusal]})
    assignment.full_clean()
    assignment._history_user = actor
    assignment.save()
    user_grant_console_access(assignment.user)
    return assignment


def assignment_create(
    *, user, role: Role, region: Region | None = None, agency: Agency | None = None, actor=None
) -> Assignment:
    """Give ``user`` the role within the scope an agency or a region names (``assignment_scope``)."""
    kind, region, agency = assignment_scope(role=role, agency=agency, region=region)
    assignment = Assignment(user=user, role=role, kind=kind, region=region, agency=agency)
    return assignment_save(assignment=assignment, actor=actor)


def user_grant_console_access(user) -> None:
    """A user holding a role works in the console: make sure they may log in to it (is_staff)."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


# ---- API clients (接口调用方) --------------------------------------------------------------------------------
SERVICE_USER_PREFIX = "api."


def _service_username(name: str) -> str:
    return f"{SERVICE_USER_PREFIX}{name}"


def service_username_taken(name: str, *, user_id: int | None = None) -> bool:
    """Whether the service user a client named ``name`` would have is another user's name already."""
    return get_user_model().objects.filter(username=_service_username(name)).exclude(pk=user_id).exists()


def _with_new_token(client: ApiClient) -> str:
    token = api_rules.token_new()
    client.token_hash = api_rules.token_hash(token)
    client.token_prefix = api_rules.token_visible(token)
    return token


@transaction.atomic
def api_client_create(
    *,
    client: ApiClient,
    cities: Iterable[Region] = (),
    agencies: Iterable[Agency] = (),
    actor=None,
) -> str:
    """Create the client (its fields filled in, unsaved), its service user and its token; returns the token —
    the only time it is seen (only its hash is stored)."""
    if service_username_taken(client.name):
        raise ValidationError(
            {"name": _("服务账号 api.%(name)s 的用户名已被占用，请换一个名称。") % {"name": client.name}}
        )
    token = _with_new_token(client)
    client.full_clean(exclude=["user"])
    # A service user logs in nowhere (no password, not staff); the client's scopes are all it may do.
    user = get_user_model()(
        username=_service_username(client.name), is_active=client.is_active, is_staff=False
    )
    user.set_unusable_password()
    user.save()
    client.user = user
    client._history_user = actor
    client._change_reason = _("创建接口调用方")
    client.save()
    client.cities.set(cities)
    client.agencies.set(agencies)
    return token


@transaction.atomic
def api_client_save(*, client: ApiClient, actor=None) -> ApiClient:
    """Save an edited client (the admin): its service user follows its name and whether it is active."""
    client.full_clean(exclude=["user"])
    if service_username_taken(client.name, user_id=client.user_id):
        raise ValidationError(
            {"name": _("服务账号 api.%(name)s 的用户名已被占用，请换一个名称。") % {"name": client.name}}
        )
    get_user_model().objects.filter(pk=client.user_id).update(
        username=_service_username(client.name), is_active=client.is_active
    )
    client._history_user = actor
    client.save()
    transaction.on_commit(clients_changed)
    return client


@transaction.atomic
def api_client_rotate(*, client: ApiClient, actor=None) -> str:
    """A new token for the client; the old one stops working at once. Returns the new token (seen once)."""
    token = _with_new_token(client)
    client._history_user = actor
    client._change_reason = _("轮换令牌")
    client.save(update_fields=["token_hash", "token_prefix"])
    transaction.on_commit(clients_changed)
    return token


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor=None) -> ApiClient:
    """Revoke: the client and its service user are deactivated; its token is refused at once."""
    client.is_active = False
    client._history_user = actor
    client._change_reason = _("吊销令牌")
    client.save(update_fields=["is_active"])
    get_user_model().objects.filter(pk=client.user_id).update(is_active=False)
    transaction.on_commit(clients_changed)
    return client
