"""Plain release data and a built ``EngineSnapshot`` for the engine's and the route decision's unit tests."""

import datetime

from config_center.runtime.engine import Refusal, build_snapshot
from routing.decisions import route

ZHONGSHAN, GUANGZHOU, PROVINCE_REGION = "442000", "440100", "440000"
ZS_AGENCY, GZ_AGENCY, PROVINCIAL = "442099", "440199", "440099"
AFTER = datetime.date(2023, 3, 1)

MATERIALS = {
    "CL001": "居民身份证",
    "CL003": "工伤认定决定书",
    "CL005": "医疗收费票据",
    "CL009": "工伤医疗费申请表",
    "CL022": "授权委托书",
    "CL026": "辅助器具配置费票据",
}


def item(code, name="", ministry=False):
    return {"material": code, "name": name, "send_to_ministry": ministry}


def binding(matter, mode="local", *, active=True, checklists=None, sms=None, days=20, levels=2):
    return {
        "matter": matter,
        "active": active,
        "flow_mode": "promised",
        "review_levels": levels,
        "time_limit_days": days,
        "distribution_mode": mode,
        "properties": {},
        "checklists": checklists or {},
        "sms": sms or {},
        "prints": {},
        "tags": {"acceptance": [], "review": []},
    }


COUNTER = {
    "main": [item("CL009", ministry=True), item("CL001"), item("CL003", ministry=True)],
    "auxiliary": [item("CL022", "近亲属代办")],
    "application": [item("CL005", "医疗费用"), item("CL026", "辅助器具费用")],
}


def make_snapshot(
    *, zs_mode="province", gz_mode="local", gs0301_zs_active=True, provincial_release=None
) -> object:
    releases = {
        ZHONGSHAN: (
            3,
            {
                "GS0101": binding(
                    "GS0101",
                    zs_mode,
                    checklists={"counter": COUNTER},
                    sms={"accepted": "GS_SL_01", "completed": "GS_BJ_01"},
                ),
                "GS0301": binding("GS0301", "local", active=gs0301_zs_active, days=15, levels=1),
            },
        ),
        GUANGZHOU: (7, {"GS0101": binding("GS0101", gz_mode)}),
    }
    if provincial_release is not None:
        releases[PROVINCE_REGION] = provincial_release
    return build_snapshot(
        version=42,
        releases=releases,
        matters=[
            {"code": "GS0101", "name": "工伤医疗费", "province_wide": True},
            {"code": "GS0301", "name": "工伤认定申请", "province_wide": False},
        ],
        agencies=[
            {
                "code": PROVINCIAL,
                "name": "广东省社会保险基金管理局",
                "region_code": PROVINCE_REGION,
                "city_code": None,
                "parent_code": None,
            },
            {
                "code": ZS_AGENCY,
                "name": "中山市社会保险基金管理局",
                "region_code": ZHONGSHAN,
                "city_code": ZHONGSHAN,
                "parent_code": PROVINCIAL,
            },
            {
                "code": GZ_AGENCY,
                "name": "广州市社会保险基金管理局",
                "region_code": GUANGZHOU,
                "city_code": GUANGZHOU,
                "parent_code": PROVINCIAL,
            },
        ],
        channels={"counter": "柜台", "web": "网厅", "kiosk": "自助机"},
        materials=MATERIALS,
    )


def assert_refused(answer, reason):
    assert isinstance(answer, Refusal), answer
    assert answer.reason_code == reason
    assert answer.ok is False
    assert answer.message and not answer.message.isascii()  # a Chinese sentence for the clerk


def go(snap, accepting, insured, *, matter="GS0101", injury=AFTER, advance=False):
    return route(
        snap,
        matter=matter,
        accepting_agency=accepting,
        insured_agency=insured,
        injury_date=injury,
        advance_payment=advance,
    )
