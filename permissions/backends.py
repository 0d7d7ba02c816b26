"""An authentication backend that answers ``has_perm`` from scoped role assignments.

Without an object: does the user hold the permission anywhere (what the admin asks to show a menu)?
With an object: does some assignment holding it cover the object's region?
"""

from django.contrib.auth.backends import BaseBackend, ModelBackend

from . import scope
from .selectors import region_code_of, user_grants


class ScopedRoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        grants = user_grants(user_obj)
        if obj is None:
            return set(scope.all_perms(grants))
        region = region_code_of(obj)
        return {perm for grant in grants if grant.covers(region) for perm in grant.perms}

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))


class AuthenticationOnlyBackend(ModelBackend):
    """Django's username/password check, but no permissions of its own.

    Group membership or a user's own permissions would apply everywhere, past every scope; in this
    console permissions come only from scoped assignments (or being a superuser).
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
