"""Admin behaviour shared by every app: history permissions and read-only screens.

The capabilities are named by string (``permissions.view_audit``, ``permissions.revert_history``): the
permissions app defines them; nothing here imports it.
"""


class HistoryPermissionMixin:
    """simple-history's permission hooks for any ``SimpleHistoryAdmin``: reverting is a capability of its own.

    simple-history's object-history and revert views fetch the object themselves (past get_queryset)
    and ask only these hooks; with an object, ``has_perm`` checks it against the user's scope.
    """

    def has_view_history_permission(self, request, obj=None):
        return request.user.has_perm("permissions.view_audit", obj) or self.has_view_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        """Reverting to a version: the change permission on the object plus its own capability."""
        return self.has_change_permission(request, obj) and request.user.has_perm(
            "permissions.revert_history", obj
        )

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # simple-history's history form view saves any POST this lets through, so a POST needs the
        # revert permission, not merely the right to look at the version.
        if request.method == "POST":
            return self.has_change_history_permission(request, obj)
        return self.has_view_history_permission(request, obj) or self.has_change_history_permission(
            request, obj
        )


class ReadOnlyAdminMixin:
    """A screen that shows rows but never adds, changes or deletes them here (releases, lists, the timeline)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminScreen:
    """A screen of the admin site with no model of its own (e.g. 变更记录): its menu entry and its URLs.

    A subclass names its menu entry, the URL prefix under the admin and the name of its entry page,
    and implements ``has_permission`` and ``get_urls``; an app contributes it with
    ``registry.admin_screen``, and the admin site mounts it and lists it in its menu group.
    """

    name = ""  # the menu entry
    object_name = ""  # what the admin's templates call the row (as a model's object_name)
    url_prefix = ""  # under the admin, e.g. "config_center/auditlog/"
    url_name = ""  # the entry page's URL name in the admin namespace
    menu_group = "system"
    menu_order = 1000
    in_menu = True  # False: reached from other pages only (its views need an object, e.g. a case)

    def __init__(self, admin_site):
        self.admin_site = admin_site

    def has_permission(self, request) -> bool:
        raise NotImplementedError

    def get_urls(self) -> list:
        raise NotImplementedError
