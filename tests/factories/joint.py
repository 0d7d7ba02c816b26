"""Joint applications for tests: 中山 (442000) binds and publishes the 工伤「一件事」 chain — 工伤认定申请 (GS0301),
劳动能力鉴定申请 (GS0302), 伤残待遇核定 (GS0106, 000's 伤残待遇申领) and 工伤医疗费 (GS0101) — with counter and web
checklists that share materials, and every applicant-facing SMS slot."""

from __future__ import annotations

import datetime

from catalog.models import Matter, Region
from config_center.drafts.services import local_matter_apply_snapshot
from config_center.releases.services import release_publish
from config_center.runtime.holder import runtime
from routing.joint.services import JointRequest, joint_submit
from routing.services import Applicant, Employer

from .cases import ZHONGSHAN, ZHONGSHAN_AGENCY, id_card, publish_demo

RECOGNITION, ASSESSMENT, DISABILITY, MEDICAL = "GS0301", "GS0302", "GS0106", "GS0101"


def _main(*codes: str) -> list[dict]:
    return [{"material": code, "name": "", "send_to_ministry": False} for code in codes]


CHECKLISTS = {
    # 工伤认定: 身份证, 劳动合同, 诊断证明
    RECOGNITION: {"main": _main("CL001", "CL017", "CL007")},
    # 劳动能力鉴定: 身份证, 工伤认定决定书 (from 工伤认定), 病历资料
    ASSESSMENT: {"main": _main("CL001", "CL003", "CL006")},
    # 伤残待遇: 身份证, both decisions, 病历资料, 银行账户资料; 亲属关系证明 when a relative applies
    DISABILITY: {
        "main": _main("CL001", "CL003", "CL004", "CL006", "CL008"),
        "auxiliary": [{"material": "CL022", "name": "近亲属代办", "send_to_ministry": False}],
    },
}
SMS = {
    "accepted": "GS_SL_01",
    "received": "GS_SJ_01",
    "completed": "GS_BJ_01",
    "terminated": "GS_ZZ_01",
    "suspended": "GS_ZHZ_01",
    "review_failed": "GS_BTG_01",
    "first_reviewed": "GS_CS_01",
}
# Everything the three matters ask of the applicant (the decisions come internally).
ALL_FROM_APPLICANT = ["CL001", "CL017", "CL007", "CL006", "CL008"]


def publish_joint(user, *, review_levels: int = 1) -> None:
    """The demo, plus the 工伤「一件事」 matters bound in 中山 (local mode) and published; the runtime reloads."""
    publish_demo(user)
    region = Region.objects.get(code=ZHONGSHAN)
    for code, lists in CHECKLISTS.items():
        local_matter_apply_snapshot(
            region=region,
            matter=Matter.objects.get(code=code),
            snapshot={
                "flow_mode": "promised",
                "review_levels": review_levels,
                "time_limit_days": 20,
                "distribution_mode": "local",
                "properties": {},
                "checklists": {"counter": lists, "web": lists},
                "sms": SMS,
                "prints": {},
                "tags": {"acceptance": [], "review": []},
            },
            user=user,
            reason="联办测试",
        )
    release_publish(region=region, user=user, comment="联办事项")
    runtime.reset()


def joint_request(**overrides) -> JointRequest:
    """工伤认定 + 劳动能力鉴定 + 伤残待遇 (or ``matters``) at the 中山 counter for a person insured in 中山,
    everything the chosen matters ask of the applicant handed in."""
    matters = overrides.get("matters", [RECOGNITION, ASSESSMENT, DISABILITY])
    asked = {item["material"] for code in matters for item in CHECKLISTS.get(code, {}).get("main", ())}
    values = {
        "matters": matters,
        "channel": "counter",
        "accepting_agency": ZHONGSHAN_AGENCY,
        "insured_agency": ZHONGSHAN_AGENCY,
        "applicant": Applicant(name="罗明", id_number=id_card("33078419850101123"), phone="13900000000"),
        "employer": Employer(code="E442000002", name="中山市某某五金制品有限公司"),
        "injury_date": datetime.date(2024, 7, 11),
        "materials": [code for code in ALL_FROM_APPLICANT if code in asked],  # all the chosen matters ask
    }
    values.update(overrides)
    return JointRequest(**values)


def submit(user, **overrides):
    return joint_submit(request=joint_request(**overrides), user=user)
