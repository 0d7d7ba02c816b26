"""A local case accepted below the city agency (a district agency, a 网点) goes to the insured person's agency.

附件 2: 业务办理地 = 参保关系地. Accepting and insured agency differ here on purpose: a decision that answered
with the accepting agency would pass every test where both are the city agency.
"""

import pytest

from config_center.runtime.engine import build_snapshot
from routing.decisions import LOCAL_ONLY, RouteAnswer
from tests.factories.engine import (
    GUANGZHOU,
    GZ_AGENCY,
    MATERIALS,
    PROVINCE_REGION,
    PROVINCIAL,
    ZHONGSHAN,
    ZS_AGENCY,
    assert_refused,
    binding,
    go,
)

TIANHE = "440106"  # 天河区, a district of 广州
TIANHE_AGENCY = "440106"  # 天河区社会保险基金管理局 (区县经办机构)
TIANHE_POINT = "44010601"  # a 网点 under it
ZS_POINT = "44200001"  # a 网点 of 中山 (a city without districts)


def _agency(code, name, region, city, parent):
    return {"code": code, "name": name, "region_code": region, "city_code": city, "parent_code": parent}


@pytest.fixture(scope="module")
def snap():
    return build_snapshot(
        version=1,
        releases={
            GUANGZHOU: (7, {"GS0101": binding("GS0101", "local")}),
            ZHONGSHAN: (3, {"GS0101": binding("GS0101", "province")}),
        },
        matters=[{"code": "GS0101", "name": "工伤医疗费", "province_wide": True}],
        agencies=[
            _agency(PROVINCIAL, "广东省社会保险基金管理局", PROVINCE_REGION, None, None),
            _agency(GZ_AGENCY, "广州市社会保险基金管理局", GUANGZHOU, GUANGZHOU, PROVINCIAL),
            _agency(TIANHE_AGENCY, "天河区社会保险基金管理局", TIANHE, GUANGZHOU, GZ_AGENCY),
            _agency(TIANHE_POINT, "天河区石牌街社保服务网点", TIANHE, GUANGZHOU, TIANHE_AGENCY),
            _agency(ZS_AGENCY, "中山市社会保险基金管理局", ZHONGSHAN, ZHONGSHAN, PROVINCIAL),
            _agency(ZS_POINT, "中山市石岐社保服务网点", ZHONGSHAN, ZHONGSHAN, ZS_AGENCY),
        ],
        channels={"counter": "柜台"},
        materials=MATERIALS,
    )


@pytest.mark.parametrize("accepting", [TIANHE_AGENCY, TIANHE_POINT], ids=["district_agency", "service_point"])
def test_local_case_accepted_below_the_city_agency_goes_to_the_insured_agency(snap, accepting):
    assert go(snap, accepting, GZ_AGENCY) == RouteAnswer(GZ_AGENCY, False, "local", 7)


@pytest.mark.parametrize("insured", [TIANHE_AGENCY, TIANHE_POINT], ids=["district_agency", "service_point"])
def test_local_case_of_a_person_insured_at_a_district_goes_to_that_agency(snap, insured):
    assert go(snap, GZ_AGENCY, insured) == RouteAnswer(insured, False, "local", 7)


def test_local_case_between_two_agencies_below_the_city_goes_to_the_insured_one(snap):
    assert go(snap, TIANHE_POINT, TIANHE_AGENCY) == RouteAnswer(TIANHE_AGENCY, False, "local", 7)


def test_local_case_at_a_service_point_of_a_city_in_province_mode_is_still_local(snap):
    assert go(snap, ZS_POINT, ZS_AGENCY) == RouteAnswer(ZS_AGENCY, False, "province", 3)


def test_a_district_agency_of_another_city_accepts_remotely_only(snap):
    assert go(snap, TIANHE_POINT, ZS_AGENCY) == RouteAnswer(ZS_AGENCY, True, "province", 3)
    assert_refused(go(snap, ZS_POINT, TIANHE_AGENCY), LOCAL_ONLY)
