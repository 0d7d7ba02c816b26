"""Scope resolution rules (pure)."""

from permissions.scope import AGENCY, CITY, PROVINCE, Grant, Scope, allows, scope_for

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


def test_the_agency_a_grant_works_on_is_its_own_its_citys_or_the_provinces():
    from permissions.scope import grant_agency

    assert grant_agency(TIANHE_CLERK) == "440106"
    assert grant_agency(ZHONGSHAN_ADMIN) == "442099"
    assert grant_agency(Grant(frozenset(), CITY, "440106")) == "440199"  # a county names its city's agency
    assert grant_agency(SUPERVISOR) == "440099"


def test_all_perms_is_the_union_of_the_grants_permissions():
    from permissions.scope import all_perms

    assert all_perms([ZHONGSHAN_ADMIN, TIANHE_CLERK]) == {VIEW, CHANGE}
    assert all_perms([TIANHE_CLERK]) == {VIEW}
    assert all_perms([]) == frozenset()


def test_a_scope_collects_the_agencies_of_its_agency_grants():
    scope = scope_for([ZHONGSHAN_ADMIN, TIANHE_CLERK], [VIEW])
    assert scope.agencies == {"440106"}
    assert not scope.empty
    assert scope_for([SUPERVISOR], [VIEW]) == scope_for([SUPERVISOR, TIANHE_CLERK], [VIEW])


def test_a_province_grant_does_not_cover_another_province_nor_a_city_grant_the_province_itself():
    assert not SUPERVISOR.covers("110100")
    assert SUPERVISOR.covers("440000")
    assert not ZHONGSHAN_ADMIN.covers("440000")
    assert not ZHONGSHAN_ADMIN.covers(None)
    assert TIANHE_CLERK.covers("440100") and TIANHE_CLERK.covers("440106")


def test_a_grant_without_the_permission_does_not_end_the_search():
    assert scope_for([TIANHE_CLERK, ZHONGSHAN_ADMIN], [CHANGE]) == Scope(False, frozenset({"442000"}))


def test_the_scopes_are_plain_values():
    assert scope_for([ZHONGSHAN_ADMIN, SUPERVISOR], [CHANGE]) == Scope(True, frozenset())
    assert scope_for([ZHONGSHAN_ADMIN, TIANHE_CLERK], [VIEW]) == Scope(
        False, frozenset({"442000", "440100"}), frozenset({"440106"})
    )
