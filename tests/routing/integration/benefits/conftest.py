"""Fixtures of the benefit standards' tests: the province's 省级业务督导 and 中山's 市级系统管理员 (reference roles)."""

import pytest
from django.contrib.auth import get_user_model

from catalog.models import Region
from permissions.models import Role
from permissions.services import assignment_create


def role_user(username: str, role_code: str, region_code: str):
    user = get_user_model().objects.create_user(username, password="pw-for-tests-only")
    assignment_create(
        user=user, role=Role.objects.get(code=role_code), region=Region.objects.get(code=region_code)
    )
    return user


@pytest.fixture
def province_admin(reference_data):
    return role_user("gd_supervisor", "supervisor", "440000")


@pytest.fixture
def city_admin(reference_data):
    return role_user("zs_admin", "city_admin", "442000")
