"""Scope resolution rules (pure)."""

from permissions.scope import AGENCY, CITY, PROVINCE, Grant, allows, scope_for

VIEW = "config_center.view_localmatter"
CHANGE = "config_center.change_localmatter"

ZHONGSHAN_ADMIN = Grant(frozenset({VIEW, CHANGE}), CITY, "442000")
TIANHE_CLERK = Grant(frozenset({VIEW}), AGENCY, "440106", "440106")
SUPERVISOR = Grant(frozenset({VIEW, CHANGE}), PROVINCE, "440000")


def test_city_grant_covers_its_city_and_counties_only():
    assert allows([ZHONGSHAN_ADMIN], CHANGE, "442000")
    assert not allows([ZHONGSHAN_ADMIN], CHANGE, "440100")
    assert not allows([ZHONGSHAN_ADMIN], CHANGE, "440000")


def test_city_grant_does_not_cover_province_wide_objects():
    assert not allows([ZHONGSHAN_ADMIN], VIEW, None)


def test_province_grant_covers_everything_in_the_province():
    assert allows([SUPERVISOR], CHANGE, "442000")
    assert allows([SUPERVISOR], CHANGE, "440106")
    assert allows([SUPERVISOR], CHANGE, None)
    assert not allows([SUPERVISOR], CHANGE, "110000")


def test_agency_grant_reaches_the_agency_city_for_its_permissions_only():
    assert allows([TIANHE_CLERK], VIEW, "440100")
    assert not allows([TIANHE_CLERK], CHANGE, "440100")
    assert not allows([TIANHE_CLERK], VIEW, "442000")


def test_scope_is_the_union_of_grants_holding_the_permission():
    scope = scope_for([ZHONGSHAN_ADMIN, TIANHE_CLERK], [VIEW])
    assert not scope.everywhere and scope.cities == {"442000", "440100"}
    assert scope_for([ZHONGSHAN_ADMIN, TIANHE_CLERK], [CHANGE]).cities == {"442000"}
    assert scope_for([TIANHE_CLERK], [CHANGE]).empty


def test_a_province_grant_makes_the_scope_everywhere():
    assert scope_for([ZHONGSHAN_ADMIN, SUPERVISOR], [CHANGE]).everywhere


def test_no_grants_no_scope():
    assert scope_for([], [VIEW]).empty
    assert not allows([], VIEW, "442000")
