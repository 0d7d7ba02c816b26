"""Reads of joint applications: the catalog's rules as plain data, a person's decided and open matters, and the
applications a user may see (those with a case in their 业务状态查询 scope)."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Matter
from catalog.selectors import matter_relations

from .. import states
from ..models import Case
from ..selectors import QUERY_PERMISSION, cases_for
from .models import JointApplication, JointCase
from .planning import DECIDED, MatterRule


def matter_rules() -> dict[str, MatterRule]:
    """Every active matter with its joint flag and relations (three queries)."""
    prerequisites, conflicts = matter_relations()
    return {
        code: MatterRule(
            code=code,
            name=name,
            joint=joint,
            prerequisites=frozenset(prerequisites.get(code, ())),
            conflicts=frozenset(conflicts.get(code, ())),
        )
        for code, name, joint in Matter.objects.filter(is_active=True).values_list(
            "code", "name", "joint_handling"
        )
    }


def person_matters(id_type: str, id_number: str) -> tuple[frozenset[str], frozenset[str]]:
    """(decided, open): the matters of the person's completed cases, and of their open ones."""
    decided: set[str] = set()
    still_open: set[str] = set()
    rows = Case.objects.filter(id_type=id_type, id_number=id_number.strip().upper(), target_case__isnull=True)
    for code, status in rows.values_list("matter__code", "status"):
        if status in DECIDED:
            decided.add(code)
        elif status in states.OPEN:
            still_open.add(code)
    return frozenset(decided), frozenset(still_open)


def decided_case(id_type: str, id_number: str, matter: str) -> Case | None:
    """The person's latest completed case of ``matter`` (whose decision a new application relies on)."""
    return (
        Case.objects.filter(
            id_type=id_type, id_number=id_number.strip().upper(), matter__code=matter, status__in=DECIDED
        )
        .select_related("matter")
        .order_by("-finished_at", "-id")
        .first()
    )


def applications_for(user, perm: str = QUERY_PERMISSION) -> QuerySet[JointApplication]:
    """The joint applications with at least one case ``user`` may see."""
    visible = cases_for(user, perm).values("pk")
    return JointApplication.objects.filter(
        pk__in=JointCase.objects.filter(case__in=visible).values("application")
    )


def application_for(user, number: str, perm: str = QUERY_PERMISSION) -> JointApplication | None:
    return (
        applications_for(user, perm)
        .select_related("channel", "accepting_agency", "insured_agency", "submitted_by")
        .filter(number=number)
        .first()
    )


def application_cases(application: JointApplication) -> list[JointCase]:
    """Its cases in plan order, each with its case and the positions it waits for (two queries)."""
    return list(
        JointCase.objects.filter(application=application)
        .select_related("case", "case__matter", "case__handling_agency")
        .prefetch_related("waits_for__case__matter")
        .order_by("position")
    )
