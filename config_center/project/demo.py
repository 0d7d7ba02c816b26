"""A small demo on top of the reference data, so a fresh console has something to look at.

Idempotent like the reference data: a second run changes nothing.
"""

from django.db import transaction

from catalog.codes import city_agency_code
from catalog.models import Agency, Matter, Region
from core.loading import LoadReport, upsert

from ..drafts.services import local_matter_apply_snapshot

DEMO_COUNTIES = [
    # (county code, name, city code)
    ("440104", "越秀区", "440100"),
    ("440106", "天河区", "440100"),
    ("440604", "禅城区", "440600"),
]


COUNTER_MEDICAL = {
    "main": [
        {"material": "CL009", "name": "", "send_to_ministry": True},
        {"material": "CL001", "name": "", "send_to_ministry": False},
        {"material": "CL003", "name": "", "send_to_ministry": True},
        {"material": "CL005", "name": "", "send_to_ministry": True},
        {"material": "CL006", "name": "", "send_to_ministry": False},
    ],
    "auxiliary": [
        {"material": "CL022", "name": "近亲属代办", "send_to_ministry": False},
        {"material": "CL023", "name": "无本人银行账户", "send_to_ministry": False},
    ],
    "application": [
        {"material": "CL005", "name": "医疗费用", "send_to_ministry": False},
        {"material": "CL026", "name": "辅助器具费用", "send_to_ministry": False},
    ],
}


def _main(*codes: str) -> list[dict]:
    return [{"material": code, "name": "", "send_to_ministry": False} for code in codes]


# Every applicant-facing step of a joint application sends its SMS (分步反馈).
JOINT_SMS = {
    "accepted": "GS_SL_01",
    "received": "GS_SJ_01",
    "completed": "GS_BJ_01",
    "terminated": "GS_ZZ_01",
    "suspended": "GS_ZHZ_01",
    "review_failed": "GS_BTG_01",
}


def _config(mode: str, counter: dict, sms: dict) -> dict:
    return {
        "flow_mode": "promised",
        "review_levels": 2,
        "time_limit_days": 20,
        "distribution_mode": mode,
        "properties": {},
        "checklists": {"counter": counter, "web": counter} if counter else {},
        "sms": sms,
        "prints": {"completion": {"template": "PT_BJD_01", "e_seal": False, "anti_forgery_code": True}},
        "tags": {"acceptance": ["SL_QSTB"] if mode == "province" else [], "review": []},
    }


# (city code, matter code, configuration): 中山 configures the annex-3 walkthrough's matters.
DEMO_BINDINGS = [
    (
        "442000",
        "GS0101",
        _config("province", COUNTER_MEDICAL, {"accepted": "GS_SL_01", "completed": "GS_BJ_01"}),
    ),
    (
        "442000",
        "GS0104",
        _config("province", {"main": COUNTER_MEDICAL["main"][:3]}, {"accepted": "GS_SL_01"}),
    ),
    (
        "442000",
        "GS0201",
        _config("local", {"main": [{"material": "CL010", "name": "", "send_to_ministry": False}]}, {}),
    ),
    # 工伤「一件事」 (联办申请): 工伤认定 → 劳动能力鉴定 → 伤残待遇, sharing 身份证 and 病历资料; the decisions
    # (工伤认定决定书 CL003, 劳动能力鉴定结论书 CL004) are handed on inside the console, not asked again.
    ("442000", "GS0301", _config("local", {"main": _main("CL001", "CL017", "CL007")}, JOINT_SMS)),
    ("442000", "GS0302", _config("local", {"main": _main("CL001", "CL003", "CL006")}, JOINT_SMS)),
    (
        "442000",
        "GS0106",
        _config("local", {"main": _main("CL001", "CL003", "CL004", "CL006", "CL008")}, JOINT_SMS),
    ),
    # Bound, its counter checklist not written yet: the home page shows it under 配置待完善.
    ("442000", "GS0108", _config("local", {}, {})),
    ("440100", "GS0101", _config("local", {"main": COUNTER_MEDICAL["main"][:4]}, {"accepted": "GS_SL_01"})),
]


@transaction.atomic
def demo_data_load(user=None) -> LoadReport:
    """District agencies under two cities, and 中山/广州 bindings configured as in the annex-3 walkthrough."""
    report = LoadReport()
    for code, name, city_code in DEMO_COUNTIES:
        city = Region.objects.get(code=city_code)
        county = upsert(
            Region,
            report,
            lookup={"code": code},
            values={"name": name, "level": Region.Level.COUNTY, "parent": city},
        )
        upsert(
            Agency,
            report,
            lookup={"code": code},
            values={
                "name": f"{city.name}{name}社会保险基金管理局",
                "region": county,
                "parent": Agency.objects.get(code=city_agency_code(city_code)),
                "kind": Agency.Kind.COUNTY,
            },
        )
    for city_code, matter_code, config in DEMO_BINDINGS:
        local_matter_apply_snapshot(
            region=Region.objects.get(code=city_code),
            matter=Matter.objects.get(code=matter_code),
            snapshot={"properties": {}, **config},
            user=user,
            reason="演示数据",
        )
    return report
