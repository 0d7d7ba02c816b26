"""API clients, pure: the scope names, tokens and their hashes, what a client may do and where, rate windows.

A client (粤省事, 网厅, 自助机 …) calls with ``Authorization: Bearer <token>``. Only the token's SHA-256 is stored:
a token is 32 random bytes (256 bits), so nobody can search for a preimage and a slow hash (PBKDF2) would add
nothing but its cost to every call; an unsalted hash also lets the database find the client by an index.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import scope

# ---- scopes: which endpoints a client may call (the one place they are named) ---------------------------
CASES_WRITE = "cases:write"
CASES_READ = "cases:read"
TASKS_WRITE = "tasks:write"
TRANSFERS_WRITE = "transfers:write"
JOINT_WRITE = "joint:write"
READS = "reads"

SCOPES: dict[str, str] = {
    CASES_WRITE: _("业务受理（POST /api/v1/cases）"),
    CASES_READ: _("业务查询（GET /api/v1/cases/{受理回执号}）"),
    TASKS_WRITE: _("审核任务（/api/v1/tasks/…：获取、完成、退回）"),
    TRANSFERS_WRITE: _("业务移交与疑难案件（/api/v1/transfers、移送、报请指导、决定管辖）"),
    JOINT_WRITE: _("“一件事”联办申请"),
    READS: _("目录、材料清单与分发查询（仅在要求接口凭证时需要）"),
}

# The capabilities a client's service user holds, at the client's agencies, for each scope: what the services
# behind those endpoints ask of the user who acts (受理 for 受理; 初审/复审 for the review queues and for 移送 /
# 报请指导 by the handling agency; 业务移交 for a transfer; 业务状态查询 to name a case by its receipt number).
QUERY_CASE = "routing.query_case"
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    CASES_WRITE: frozenset({"permissions.accept_case"}),
    CASES_READ: frozenset({QUERY_CASE}),
    TASKS_WRITE: frozenset({"permissions.first_review", "permissions.second_review"}),
    TRANSFERS_WRITE: frozenset(
        {"permissions.transfer_case", "permissions.first_review", "permissions.second_review", QUERY_CASE}
    ),
    JOINT_WRITE: frozenset({"permissions.accept_case"}),
    READS: frozenset(),
}

# ---- tokens ---------------------------------------------------------------------------------------------
TOKEN_PREFIX = "gsk_"  # says what a leaked string is (a 工伤 console key) to a secret scanner and a reader
TOKEN_BYTES = 32
VISIBLE_CHARS = 12  # gsk_ + 8 characters: enough to tell clients apart in a list, useless to an attacker
MAX_TOKEN_LENGTH = 128
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]{1,%d}" % MAX_TOKEN_LENGTH)


def token_new() -> str:
    """A fresh token: the prefix and 32 random bytes, URL-safe base64 (47 characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex (64 characters)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_visible(token: str) -> str:
    """The part of a token shown in lists and history, to recognise it."""
    return token[:VISIBLE_CHARS]


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when the header is absent.

    A header that is present but not a well-formed bearer token gives "" (refused like an unknown token)."""
    if header is None:
        return None
    scheme, _space, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN_SHAPE.fullmatch(token):
        return ""
    return token


# ---- scope names ----------------------------------------------------------------------------------------
def scopes_parse(text: str | Iterable[str]) -> tuple[str, ...]:
    """Scope names from a space- or comma-separated string (or a list), in the order of ``SCOPES``."""
    names = set(text.replace(",", " ").split() if isinstance(text, str) else text)
    return tuple(name for name in SCOPES if name in names)


def unknown_scopes(text: str | Iterable[str]) -> tuple[str, ...]:
    names = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    return tuple(sorted(set(names) - set(SCOPES)))


def scopes_text(names: Iterable[str]) -> str:
    """How scopes are stored: known names, space-separated (as OAuth writes a scope), in a fixed order."""
    return " ".join(scopes_parse(list(names)))


# ---- what a client may do ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientAccess:
    """A client as a request needs it: who it is, its scopes, the agencies it acts for, its rate limit.

    ``agencies`` maps each agency code the client may submit cases for (its agencies, and every agency of its
    cities) to the code of the agency's region."""

    client_id: int
    name: str
    user_id: int
    scopes: frozenset[str]
    agencies: Mapping[str, str]
    rate_limit: int

    def has_scope(self, name: str) -> bool:
        return name in self.scopes

    def acts_for(self, agency_code: str) -> bool:
        """May the client submit or work on cases at this agency?"""
        return agency_code in self.agencies

    def grants(self) -> tuple[scope.Grant, ...]:
        """The service user's grants: its scopes' capabilities at each of its agencies, nothing else."""
        perms = frozenset().union(
            *(SCOPE_PERMISSIONS[name] for name in self.scopes if name in SCOPE_PERMISSIONS)
        )
        if not perms:
            return ()
        return tuple(
            scope.Grant(perms, scope.AGENCY, region, code) for code, region in sorted(self.agencies.items())
        )


# ---- rate windows ---------------------------------------------------------------------------------------
WINDOW_SECONDS = 60


def rate_window(now: float) -> int:
    """The number of the one-minute window ``now`` (seconds since the epoch) falls in."""
    return int(now // WINDOW_SECONDS)


def retry_after(now: float) -> int:
    """Whole seconds until the next window opens (at least 1)."""
    return max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS))
