"""Cases for tests: the demo configuration published in 中山 and 广州, staff with the case roles, and a
valid 居民身份证 number generator (GB 11643 check character)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from catalog.models import Agency, Region
from config_center.project.demo import demo_data_load
from config_center.releases.services import release_publish
from config_center.runtime.holder import runtime
from permissions.models import Role
from permissions.services import assignment_create
from routing.identity import _CHECK, _WEIGHTS
from routing.services import AcceptRequest, Applicant, Employer, case_accept

ZHONGSHAN, GUANGZHOU = "442000", "440100"
ZHONGSHAN_AGENCY, GUANGZHOU_AGENCY, PROVINCIAL_AGENCY = "442099", "440199", "440099"
# The materials the demo's 中山 GS0101 counter checklist asks for (main list), in order.
GS0101_MAIN = ["CL009", "CL001", "CL003", "CL005", "CL006"]


def id_card(prefix17: str = "44200019900101123") -> str:
    """A 居民身份证 number with the right check character for its first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(prefix17, _WEIGHTS, strict=True))
    return prefix17 + _CHECK[total % 11]


def publish_demo(user) -> None:
    """The demo bindings, published in 中山 and 广州; the runtime reads them afresh."""
    demo_data_load(user)
    for code in (ZHONGSHAN, GUANGZHOU):
        release_publish(region=Region.objects.get(code=code), user=user, comment="演示发布")
    runtime.reset()


def staff(username: str, role: str, *, agency: str | None = None, region: str | None = None):
    """A staff user holding ``role`` at an agency (by code) or a region (by code)."""
    user = get_user_model().objects.create_user(username, password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user,
        role=Role.objects.get(code=role),
        agency=Agency.objects.get(code=agency) if agency else None,
        region=Region.objects.get(code=region) if region else None,
    )
    return user


def accept_request(**overrides) -> AcceptRequest:
    """A 工伤医疗费 case accepted at the 中山 counter for a person insured in 中山, every material received."""
    values = {
        "matter": "GS0101",
        "channel": "counter",
        "accepting_agency": ZHONGSHAN_AGENCY,
        "insured_agency": ZHONGSHAN_AGENCY,
        "applicant": Applicant(name="黄林", id_number=id_card(), phone="13800000000"),
        "employer": Employer(code="E442000001", name="中山市某某制造有限公司"),
        "injury_date": datetime.date(2024, 3, 1),
        "received": GS0101_MAIN,
    }
    values.update(overrides)
    return AcceptRequest(**values)


def accept(user, **overrides):
    return case_accept(request=accept_request(**overrides), user=user)
