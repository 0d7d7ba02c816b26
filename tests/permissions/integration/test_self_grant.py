"""Nobody grants themselves a role (a city administrator made themselves 审计员 on main) (issue 11)."""

import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Agency, Region
from config_center.workbook import config_import
from permissions.models import Assignment, Role
from permissions.services import assignment_create

pytestmark = pytest.mark.django_db
REFUSAL = "不能给自己分配或修改岗位（例如让自己成为审计员或复审员）；请由另一位管理员办理。"


@pytest.fixture
def zhongshan(reference_data):
    return Region.objects.get(code="442000")


@pytest.fixture
def zs_admin(zhongshan, superuser):
    user = get_user_model().objects.create_user("zs_admin", password="pw-for-tests", is_staff=True)
    assignment_create(user=user, role=Role.objects.get(code="city_admin"), region=zhongshan, actor=superuser)
    return user


def test_the_service_refuses_a_self_grant_and_lets_another_administrator_do_it(
    zs_admin, zhongshan, superuser
):
    auditor = Role.objects.get(code="auditor")
    with pytest.raises(ValidationError) as refused:
        assignment_create(user=zs_admin, role=auditor, region=zhongshan, actor=zs_admin)
    assert refused.value.message_dict == {"user": [REFUSAL]}
    assignment_create(user=zs_admin, role=auditor, region=zhongshan, actor=superuser)
    assert Assignment.objects.filter(user=zs_admin, role=auditor).exists()


def test_the_assignment_screen_refuses_a_self_grant(client, zs_admin, zhongshan):
    client.force_login(zs_admin)
    auditor = Role.objects.get(code="auditor")
    response = client.post(
        reverse("admin:permissions_assignment_add"),
        {"user": zs_admin.pk, "role": auditor.pk, "kind": "city", "region": zhongshan.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == [REFUSAL]
    assert not Assignment.objects.filter(user=zs_admin, role=auditor).exists()


def test_the_assignment_sheet_refuses_a_self_grant(zs_admin):
    sheet = tablib.Dataset([zs_admin.username, "审计员", "442099"], headers=["用户名", "岗位", "机构编码"])
    report = config_import({"岗位分配": sheet}, user=zs_admin)
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "用户名", REFUSAL)]
    assert not Assignment.objects.filter(user=zs_admin, role__code="auditor").exists()
    assert Agency.objects.filter(code="442099").exists()
