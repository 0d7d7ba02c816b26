"""Two people edit one local matter: the second, stale save is refused and told what changed (issue 11)."""

import pytest
from django.urls import reverse

from catalog.models import Matter, Region
from config_center.drafts.models import LocalMatter
from config_center.drafts.services import local_matter_bind
from tests.factories.admin_post import change_page_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def medical(reference_data, superuser):
    city = Region.objects.get(code="442000")
    local_matter_bind(region=city, matters=[Matter.objects.get(code="GS0101")], user=superuser)
    return LocalMatter.objects.get(region=city, matter__code="GS0101")


def test_a_stale_form_does_not_undo_anothers_save(admin_client, medical):
    url = reverse("admin:config_center_localmatter_change", args=[medical.pk])
    first = change_page_post(admin_client.get(url))  # A opens the page
    second = change_page_post(admin_client.get(url))  # B opens the page

    first["time_limit_days"] = 11
    assert admin_client.post(url, first).status_code == 302  # A saves 办理时限 = 11

    second["review_levels"] = 1  # B changes something else on the stale page
    response = admin_client.post(url, second)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.non_field_errors()
    assert "其他人保存了这项配置，您的修改没有保存" in message
    assert "办理时限（工作日）：现为“11”，您的表单为“20”" in message
    medical.refresh_from_db()
    assert (medical.time_limit_days, medical.review_levels) == (11, 2)

    fresh = change_page_post(admin_client.get(url))  # B reloads and saves on the latest
    fresh["review_levels"] = 1
    assert admin_client.post(url, fresh).status_code == 302
    medical.refresh_from_db()
    assert (medical.time_limit_days, medical.review_levels) == (11, 1)


def test_the_version_is_not_history_noise(admin_client, medical):
    url = reverse("admin:config_center_localmatter_change", args=[medical.pk])
    data = change_page_post(admin_client.get(url))
    data["time_limit_days"] = 30
    admin_client.post(url, data)
    assert "version" not in {field.name for field in LocalMatter.history.model._meta.fields}
    medical.refresh_from_db()
    assert medical.version == 2
