"""Small guarantees around roles: holding one lets a user into the console; choices stay inside the scope."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import Region
from permissions.models import Role
from permissions.services import assignment_create
from sms_templates.models import SmsTemplate, SmsTemplateCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zs_admin(reference_data):
    user = get_user_model().objects.create_user("zs_admin", password="pw-long-enough-1")
    assert not user.is_staff
    assignment_create(
        user=user, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code="442000")
    )
    return user


def test_an_assignment_lets_the_user_log_in_to_the_console(client, zs_admin):
    zs_admin.refresh_from_db()
    assert zs_admin.is_staff
    response = client.post(reverse("admin:login"), {"username": "zs_admin", "password": "pw-long-enough-1"})
    assert response.status_code == 302


def test_a_city_admin_chooses_only_their_own_citys_sms_categories(client, zs_admin):
    own = SmsTemplateCategory.objects.create(name="中山工伤待遇", region=Region.objects.get(code="442000"))
    SmsTemplateCategory.objects.create(name="广州工伤待遇", region=Region.objects.get(code="440100"))
    client.force_login(zs_admin)
    form = client.get(reverse("admin:sms_templates_smstemplate_add")).context["adminform"].form
    assert list(form.fields["category"].queryset) == [own]


def test_line_breaks_from_the_browser_are_stored_once(admin_client, reference_data):
    category = SmsTemplateCategory.objects.get(name="工伤待遇保险")
    content = "\r\n".join(["尊敬的 XM："] + ["您办理的YWMC已受理。"] * 3)
    response = admin_client.post(
        reverse("admin:sms_templates_smstemplate_add"),
        {
            "category": category.pk,
            "name": "多行",
            "function_code": "GS_ML_01",
            "is_active": "on",
            "content": content,
        },
    )
    assert response.status_code == 302
    assert SmsTemplate.objects.get(function_code="GS_ML_01").content == content.replace("\r\n", "\n")
