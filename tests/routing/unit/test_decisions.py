"""The route decision of 全省通办 (pure): where a case accepted anywhere goes, or why it cannot go."""

import dataclasses
import datetime

import pytest

from config_center.runtime.engine import NOT_BOUND, UNKNOWN_MATTER, build_snapshot
from routing.decisions import (
    ADVANCE_PAYMENT_EXCLUDED,
    BEFORE_2019_07_01,
    LOCAL_ONLY,
    UNKNOWN_AGENCY,
    RouteAnswer,
)
from tests.factories.engine import (
    GZ_AGENCY,
    PROVINCIAL,
    ZHONGSHAN,
    ZS_AGENCY,
    assert_refused,
    binding,
    go,
    make_snapshot,
)


@pytest.fixture(scope="module")
def snap():
    return make_snapshot()


# --- route ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["local", "province"])
def test_local_case_goes_to_the_insured_agency_in_any_mode(mode):
    snap = make_snapshot(zs_mode=mode)
    answer = go(snap, ZS_AGENCY, ZS_AGENCY)
    assert answer == RouteAnswer(handling_agency=ZS_AGENCY, remote=False, mode=mode, release=3)
    assert answer.ok


def test_local_case_with_advance_payment_and_old_injury_is_still_accepted(snap):
    answer = go(snap, GZ_AGENCY, GZ_AGENCY, injury=datetime.date(2015, 1, 1), advance=True)
    assert answer == RouteAnswer(GZ_AGENCY, False, "local", 7)


def test_local_case_of_a_matter_outside_the_province_wide_list_is_accepted(snap):
    assert go(snap, ZS_AGENCY, ZS_AGENCY, matter="GS0301") == RouteAnswer(ZS_AGENCY, False, "local", 3)


def test_remote_case_in_province_mode_goes_to_the_insured_city(snap):
    answer = go(snap, GZ_AGENCY, ZS_AGENCY)
    assert answer == RouteAnswer(handling_agency=ZS_AGENCY, remote=True, mode="province", release=3)


def test_remote_case_is_refused_when_the_insured_city_is_in_local_mode(snap):
    assert_refused(go(snap, ZS_AGENCY, GZ_AGENCY), LOCAL_ONLY)


def test_remote_case_is_refused_for_a_matter_not_province_wide_even_in_province_mode():
    snap = make_snapshot()
    # GS0301 is local in 中山 in the fixture; force a province-mode config for a non-province-wide matter.
    forced = build_snapshot(
        version=1,
        releases={ZHONGSHAN: (1, {"GS0301": binding("GS0301", "province")})},
        matters=[{"code": "GS0301", "name": "工伤认定申请", "province_wide": False}],
        agencies=[dataclasses.asdict(a) for a in snap.agencies.values()],
        channels=dict(snap.channels),
        materials=dict(snap.materials),
    )
    assert_refused(go(forced, GZ_AGENCY, ZS_AGENCY, matter="GS0301"), LOCAL_ONLY)


def test_remote_case_is_refused_for_an_injury_before_2019_07_01_and_accepted_from_that_day(snap):
    assert_refused(go(snap, GZ_AGENCY, ZS_AGENCY, injury=datetime.date(2019, 6, 30)), BEFORE_2019_07_01)
    assert go(snap, GZ_AGENCY, ZS_AGENCY, injury=datetime.date(2019, 7, 1)) == RouteAnswer(
        ZS_AGENCY, True, "province", 3
    )


def test_remote_case_is_refused_for_advance_payment(snap):
    assert_refused(go(snap, GZ_AGENCY, ZS_AGENCY, advance=True), ADVANCE_PAYMENT_EXCLUDED)


def test_remote_refusals_come_in_order_local_only_then_date_then_advance_payment(snap):
    old = datetime.date(2018, 1, 1)
    assert_refused(go(snap, ZS_AGENCY, GZ_AGENCY, injury=old, advance=True), LOCAL_ONLY)
    assert_refused(go(snap, GZ_AGENCY, ZS_AGENCY, injury=old, advance=True), BEFORE_2019_07_01)


def test_route_refuses_a_matter_not_bound_in_the_insured_city(snap):
    assert_refused(go(snap, ZS_AGENCY, GZ_AGENCY, matter="GS0301"), NOT_BOUND)


def test_route_refuses_an_unknown_matter(snap):
    assert_refused(go(snap, ZS_AGENCY, ZS_AGENCY, matter="GS9999"), UNKNOWN_MATTER)
    assert_refused(go(snap, "000000", ZS_AGENCY, matter="GS9999"), UNKNOWN_MATTER)


def test_route_refuses_an_unknown_accepting_or_insured_agency(snap):
    assert_refused(go(snap, "445199", ZS_AGENCY), UNKNOWN_AGENCY)
    assert_refused(go(snap, ZS_AGENCY, "445199"), UNKNOWN_AGENCY)


def test_provincial_agency_accepting_for_a_city_insured_person_is_a_remote_case(snap):
    assert go(snap, PROVINCIAL, ZS_AGENCY) == RouteAnswer(ZS_AGENCY, True, "province", 3)
    assert_refused(go(snap, PROVINCIAL, GZ_AGENCY), LOCAL_ONLY)


def test_provincial_insured_agency_is_not_bound_without_a_provincial_release(snap):
    assert_refused(go(snap, PROVINCIAL, PROVINCIAL), NOT_BOUND)


def test_provincial_insured_agency_routes_to_itself_with_the_provincial_release():
    snap = make_snapshot(provincial_release=(2, {"GS0101": binding("GS0101", "province")}))
    assert go(snap, PROVINCIAL, PROVINCIAL) == RouteAnswer(PROVINCIAL, False, "province", 2)
    assert go(snap, ZS_AGENCY, PROVINCIAL) == RouteAnswer(PROVINCIAL, True, "province", 2)
