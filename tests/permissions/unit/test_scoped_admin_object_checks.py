"""Each scoped admin checks the object itself: an object of another city is refused, capability or not.

Many scoped admins also need a capability (``required_capability``), which is checked on the object too; that
check alone would refuse another city's object and hide a model-permission check that ignored the object.
Here the capability (and 发布策略's province-wide condition) is satisfied, so only the object check of
``ScopedAdminMixin`` stands between a 中山 user holding every permission and a 广州 object.

No database: the user's grants are given as the selectors would cache them, the objects are unsaved.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from catalog.models import Region
from permissions.admin_mixins import ScopedAdminMixin
from permissions.scope import CITY, Grant

OWN, FOREIGN = "442000", "440100"  # 中山 and 广州

SCOPED_ADMINS = sorted(
    (
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ScopedAdminMixin)
    ),
    key=lambda model_admin: model_admin.opts.label,
)
# Screens where the mixin lets a user in scope change (and delete) rows; the rest are read-only screens.
CHANGEABLE = {
    "config_center.LocalMatter",
    "config_center.PrintTemplate",
    "config_center.PublishPolicy",
    "permissions.Assignment",
    "sms_templates.SmsMessage",  # every field read-only; the change permission is what 重新发送 needs
    "sms_templates.SmsTemplate",
    "sms_templates.SmsTemplateCategory",
}
DELETABLE = CHANGEABLE - {"sms_templates.SmsMessage"} | {
    "config_center.ChecklistItem",
    "config_center.SmsSlot",
    "config_center.PrintSlot",
}


def test_the_scoped_admins_are_found():
    labels = {model_admin.opts.label for model_admin in SCOPED_ADMINS}
    assert DELETABLE <= labels
    assert {"config_center.Release", "sms_templates.SmsMessage"} <= labels


def _instance_in(model, city_code: str):
    """An unsaved object of ``model`` that lies in ``city_code``, built along its ``scope_region_path``."""
    region = Region(code=city_code, name=city_code, level=Region.Level.CITY)
    path = model.scope_region_path
    if path == "self":
        return region
    obj = model()
    target, target_model = obj, model
    *hops, last = path.split("__")
    for hop in hops:
        related_model = target_model._meta.get_field(hop).related_model
        related = related_model()
        setattr(target, hop, related)
        target, target_model = related, related_model
    setattr(target, last, region)
    return obj


def _user_holding_everything_in(city_code: str):
    """A user whose one city assignment holds every permission and capability the scoped admins ask for."""
    perms = set()
    for model_admin in SCOPED_ADMINS:
        perms |= {model_admin._perm(action) for action in ("view", "add", "change", "delete")}
        if model_admin.required_capability:
            perms.add(model_admin.required_capability)
    user = get_user_model()(username="zs_everything", is_active=True, is_staff=True)
    user._scope_grants = (Grant(frozenset(perms), CITY, city_code),)
    return user


@pytest.fixture
def request_in_own_city():
    request = RequestFactory().get("/admin/")
    request.user = _user_holding_everything_in(OWN)
    return request


@pytest.fixture(params=SCOPED_ADMINS, ids=lambda model_admin: model_admin.opts.label)
def model_admin(request, monkeypatch):
    """The registered admin with its capability check (and 发布策略's province-wide condition) satisfied."""
    model_admin = request.param
    monkeypatch.setattr(model_admin, "_capable", lambda request, obj=None: True)
    if model_admin.opts.label == "config_center.PublishPolicy":
        monkeypatch.setattr(model_admin, "_province_wide", lambda request: True)
    return model_admin


def test_the_object_of_another_city_is_not_shown(model_admin, request_in_own_city):
    model = model_admin.model
    assert model_admin.has_view_permission(request_in_own_city, _instance_in(model, OWN))
    assert not model_admin.has_view_permission(request_in_own_city, _instance_in(model, FOREIGN))


def test_the_object_of_another_city_is_not_changed(model_admin, request_in_own_city):
    model = model_admin.model
    own = model_admin.has_change_permission(request_in_own_city, _instance_in(model, OWN))
    assert own == (model_admin.opts.label in CHANGEABLE)
    assert not model_admin.has_change_permission(request_in_own_city, _instance_in(model, FOREIGN))


def test_the_object_of_another_city_is_not_deleted(model_admin, request_in_own_city):
    model = model_admin.model
    own = model_admin.has_delete_permission(request_in_own_city, _instance_in(model, OWN))
    assert own == (model_admin.opts.label in DELETABLE)
    assert not model_admin.has_delete_permission(request_in_own_city, _instance_in(model, FOREIGN))


def test_a_user_of_the_other_city_is_the_mirror_image(model_admin):
    request = RequestFactory().get("/admin/")
    request.user = _user_holding_everything_in(FOREIGN)
    model = model_admin.model
    assert model_admin.has_view_permission(request, _instance_in(model, FOREIGN))
    assert not model_admin.has_view_permission(request, _instance_in(model, OWN))
    assert not model_admin.has_change_permission(request, _instance_in(model, OWN))
    assert not model_admin.has_delete_permission(request, _instance_in(model, OWN))
