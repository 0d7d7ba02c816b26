"""发布策略 (four eyes) cannot be switched off by the people it binds, and every change is on 变更记录 (issue 11)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import Region
from config_center.releases.models import PublishPolicy
from permissions.models import Role
from permissions.services import assignment_create

pytestmark = pytest.mark.django_db


def user_with(role_code, region_code, name):
    user = get_user_model().objects.create_user(name, password="pw-for-tests", is_staff=True)
    assignment_create(
        user=user, role=Role.objects.get(code=role_code), region=Region.objects.get(code=region_code)
    )
    return user


@pytest.fixture
def policy(reference_data):
    return PublishPolicy.objects.create(region=Region.objects.get(code="442000"), review_required=True)


def test_a_city_administrator_sees_the_policy_but_cannot_switch_it_off(client, policy):
    client.force_login(user_with("city_admin", "442000", "zs_admin"))
    url = reverse("admin:config_center_publishpolicy_change", args=[policy.pk])
    assert client.get(url).status_code == 200  # shown read-only
    response = client.post(url, {"region": policy.region_id})  # review_required unticked
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.review_required is True
    assert client.post(reverse("admin:config_center_publishpolicy_add"), {"region": 1}).status_code == 403


def test_a_provincial_supervisor_changes_it_and_the_change_is_on_the_timeline(client, policy):
    supervisor = user_with("supervisor", "440000", "gd_supervisor")
    client.force_login(supervisor)
    url = reverse("admin:config_center_publishpolicy_change", args=[policy.pk])
    assert client.post(url, {"region": policy.region_id}).status_code == 302
    policy.refresh_from_db()
    assert policy.review_required is False
    change = policy.history.first()
    assert (change.history_type, change.history_user) == ("~", supervisor)

    client.force_login(user_with("auditor", "442000", "zs_auditor"))
    page = client.get(
        reverse("admin:config_center_auditlog_changelist"), {"model": "config_center.publishpolicy"}
    )
    assert page.status_code == 200
    content = page.content.decode()
    assert "gd_supervisor" in content and "中山市（442000） · 发布策略" in content, content[
        content.find("<tbody") :
    ][:3000]
