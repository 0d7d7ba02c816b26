"""Scope resolution, pure: may a user holding these grants do ``perm`` on something in region R?

A grant is one assignment (user × role × scope) reduced to plain data. Scopes nest: the province
contains every city; a city contains its counties and agencies; an agency scope reaches its city's
configuration only for the permissions its role gives (what a role may do is the role's business).
Code arithmetic (city, province) is ``catalog.codes``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.codes import city_agency_code, city_of, is_province, province_of

PROVINCE = "province"
CITY = "city"
AGENCY = "agency"


@dataclass(frozen=True)
class Grant:
    """One active assignment: the role's permissions and where they apply."""

    perms: frozenset[str]
    kind: str
    region_code: str
    agency_code: str | None = None

    def covers(self, region_code: str | None) -> bool:
        """Does this grant's scope contain ``region_code`` (None: a province-wide object)?"""
        if self.kind == PROVINCE:
            return region_code is None or province_of(region_code) == self.region_code
        if region_code is None or is_province(region_code):
            return False
        return city_of(region_code) == city_of(self.region_code)


@dataclass(frozen=True)
class Scope:
    """Where a permission applies: everywhere, or in these cities (possibly none)."""

    everywhere: bool
    cities: frozenset[str]
    agencies: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.everywhere and not self.cities


def scope_for(grants: Iterable[Grant], perms: Iterable[str]) -> Scope:
    """The union of the scopes of every grant holding any of ``perms``."""
    wanted = set(perms)
    cities: set[str] = set()
    agencies: set[str] = set()
    for grant in grants:
        if not wanted & grant.perms:
            continue
        if grant.kind == PROVINCE:
            return Scope(True, frozenset())
        cities.add(city_of(grant.region_code))
        if grant.agency_code:
            agencies.add(grant.agency_code)
    return Scope(False, frozenset(cities), frozenset(agencies))


def allows(grants: Iterable[Grant], perm: str, region_code: str | None) -> bool:
    """Does some grant give ``perm`` on an object in ``region_code`` (None: province-wide object)?"""
    return any(perm in grant.perms and grant.covers(region_code) for grant in grants)


def all_perms(grants: Iterable[Grant]) -> frozenset[str]:
    return frozenset(perm for grant in grants for perm in grant.perms)


def grant_agency(grant: Grant) -> str:
    """The agency whose own cases a grant works on: its agency, its city's agency, or the provincial one."""
    if grant.agency_code:
        return grant.agency_code
    if grant.kind == PROVINCE:
        return city_agency_code(grant.region_code)
    return city_agency_code(city_of(grant.region_code))
