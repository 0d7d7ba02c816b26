"""A published configuration with SMS slots for 中山 (442000) / GS0101, as the case lifecycle will see it."""

import pytest

from catalog.models import Channel, Material, Matter, Region
from config_center.drafts.models import ChecklistItem, LocalMatter
from config_center.drafts.services import local_matter_bind, local_matter_save_slots
from config_center.releases.services import release_publish
from config_center.runtime.holder import runtime
from sms_templates.models import SmsTemplate

# The facts a case provides for the 13 placeholder codes (annex 3).
CASE_FACTS = {
    "XM": "黄林",
    "SFZH": "442000199001011234",
    "YWMC": "工伤医疗费",
    "SLSJ": "2026年11月24日",
    "CZYJ": "申请人撤回申请",
    "CZYJP": "待补正医疗收费票据",
    "JBJG": "中山市社会保险基金管理局",
    "SLHZH": "2201091444546597",
    "SHBTGYJ": "票据与病历资料不符",
    "DYXSKSNY": "2026年12月",
    "ZCDADDRESS": "广州市社会保险基金管理局",
    "CBR": "黄林",
}
SLOTS = {"accepted": "GS_SL_01", "completed": "GS_BJ_01", "reminder": "GS_CB_01", "suspended": "GS_ZHZ_01"}


def publish_sms_slots(user, slots=SLOTS, *, region_code="442000", matter_code="GS0101") -> LocalMatter:
    region = Region.objects.get(code=region_code)
    local_matter_bind(region=region, matters=Matter.objects.filter(code=matter_code), user=user)
    local = LocalMatter.objects.get(region=region, matter__code=matter_code)
    counter = Channel.objects.get(code="counter")
    for position, code in enumerate(["CL009", "CL001"], start=1):
        ChecklistItem.objects.get_or_create(
            local_matter=local,
            channel=counter,
            kind="main",
            position=position,
            defaults={"material": Material.objects.get(code=code)},
        )
    local_matter_save_slots(
        local_matter=local,
        sms={event: SmsTemplate.objects.get(function_code=code) for event, code in slots.items()},
        prints={},
        user=user,
    )
    release_publish(region=region, user=user, comment="短信配置")
    runtime.reset()
    return local


@pytest.fixture
def published_sms(reference_data, superuser):
    runtime.reset()
    yield publish_sms_slots(superuser)
    runtime.reset()
