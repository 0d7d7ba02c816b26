"""The demo console carries the 工伤「一件事」 chain: once 中山 is published, a fresh console (bootstrap run) takes a
joint application of 工伤认定 + 劳动能力鉴定 + 伤残待遇 at the counter, without any test-only bindings."""

import pytest

from routing import states
from routing.joint.services import joint_submit
from tests.factories.cases import ZHONGSHAN_AGENCY, publish_demo, staff
from tests.factories.joint import joint_request

pytestmark = pytest.mark.django_db


def test_the_published_demo_takes_a_joint_application(reference_data, superuser):
    publish_demo(superuser)
    clerk = staff("zs_clerk", "clerk", agency=ZHONGSHAN_AGENCY)
    application = joint_submit(request=joint_request(), user=clerk)
    statuses = sorted(link.case.status for link in application.links.select_related("case"))
    assert statuses == sorted([states.SCANNED, states.WAITING, states.WAITING])
