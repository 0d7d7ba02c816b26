"""Who may act on a case, and where: the one place the services (which refuse) and the screens (which offer)
ask. A user acts through the agencies where a role gives them a capability (``agency_codes_for``); a
superuser (or a province-wide grant) answers ``None``: every agency.

受理 at the agency named as accepting; 补正 (and 不予受理 of a case waiting for it) where the case was accepted
or where it is handled (附件 2: the applicant may bring materials to either); 影像扫描 by the account that
accepted it or at the accepting side; 补扫 by that account or with 高级扫描 at either side (附件 2 四); paper
归档 at the accepting side, electronic 归档 at the handling side (附件 2 四（七））.
"""

from __future__ import annotations

from permissions.selectors import agency_codes_for

ACCEPT = "permissions.accept_case"
SCAN = "permissions.scan"
ADVANCED_SCAN = "permissions.advanced_scan"
REVIEW = ("permissions.first_review", "permissions.second_review")

PAPER, ELECTRONIC = "paper", "electronic"


def agencies_holding(user, *perms: str) -> frozenset[str] | None:
    """The agencies (codes) where ``user`` holds any of ``perms`` (None: every agency)."""
    found: set[str] = set()
    for perm in perms:
        codes = agency_codes_for(user, perm)
        if codes is None:
            return None
        found |= codes
    return frozenset(found)


def may_work_at(user, agencies, *perms: str) -> bool:
    """Whether ``user`` holds one of ``perms`` at one of ``agencies`` (codes)."""
    if not user.is_active:
        return False
    held = agencies_holding(user, *perms)
    return held is None or bool(held & set(agencies))


def may_accept_at(user, agency_code: str) -> bool:
    return may_work_at(user, {agency_code}, ACCEPT)


def may_accept_anywhere(user) -> bool:
    held = agencies_holding(user, ACCEPT)
    return user.is_active and (held is None or bool(held))


def may_correct(user, case) -> bool:
    return may_work_at(user, {case.accepting_agency.code, case.handling_agency.code}, ACCEPT)


def may_scan(user, case) -> bool:
    return case.accepted_by_id == user.pk or may_work_at(user, {case.accepting_agency.code}, ACCEPT, SCAN)


def may_supplement(case, user) -> bool:
    """补扫: the account that accepted the case, or 高级扫描 for the accepting or the handling agency."""
    if case.accepted_by_id == user.pk:
        return True
    return may_work_at(user, {case.accepting_agency.code, case.handling_agency.code}, ADVANCED_SCAN)


def may_archive(user, case, side: str) -> bool:
    if side == PAPER:
        return may_work_at(user, {case.accepting_agency.code}, ACCEPT, SCAN)
    return may_work_at(user, {case.handling_agency.code}, ACCEPT, SCAN, *REVIEW)


def may_manage(user, case) -> bool:
    """中止 / 恢复办理 / 终止: staff of the handling agency (受理, 初审 or 复审) or 受理 at the accepting agency."""
    return may_work_at(user, {case.handling_agency.code}, ACCEPT, *REVIEW) or may_work_at(
        user, {case.accepting_agency.code}, ACCEPT
    )
