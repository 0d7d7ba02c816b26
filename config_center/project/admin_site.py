"""The console's admin site: the 大集中 system's menu groups instead of one box per Django app.

Each ModelAdmin names its group with ``menu_group`` (a key of ``MENU_GROUPS``) and may set
``menu_order``; anything that does not say (auth, django-q2, the theme) lands in 系统管理. Screens with
no model (``core.admin.AdminScreen``, contributed through ``core.registry``) are mounted and listed too.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from core.registry import discover, registry

MENU_GROUPS: dict[str, str] = {
    "city": _("地级市业务管理"),
    "intake": _("业务受理"),
    "tasks": _("任务列表"),
    "status": _("业务状态查询"),
    "catalog": _("基础目录"),
    "system": _("系统管理"),
}
DEFAULT_GROUP = "system"
# Screens of libraries that cannot carry menu_order: after our own, in this order.
LIBRARY_ORDER = {"auth": 500, "permissions": 400, "admin_interface": 600, "django_q": 700, "axes": 800}


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete answers limited by the *source* screen's scope (a city admin's region field offers their city).

    Django asks only the target model's admin; the source admin (e.g. 本地业务属性定义) knows the user's scope.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        source_admin = self.admin_site._registry.get(self.source_field.model)
        scoper = getattr(source_admin, "scope_related_queryset", None)
        return scoper(self.request, queryset) if scoper else queryset


class ConsoleAdminSite(admin.AdminSite):
    site_header = _("工伤保险经办配置中心")
    site_title = _("工伤保险经办配置中心")
    index_title = _("功能菜单")
    site_url = None  # the console has no public site; hide 查看站点

    def _screens(self) -> list:
        return [screen(self) for screen in registry.admin_screens]

    def _menu_groups(self, request) -> list[dict]:
        app_dict = self._build_app_dict(request)
        groups: dict[str, list[tuple[int, dict]]] = {key: [] for key in MENU_GROUPS}

        def add(group: str, order: int, entry: dict) -> None:
            groups[group if group in groups else DEFAULT_GROUP].append((order, entry))

        for app in app_dict.values():
            for model in app["models"]:
                model_admin = self._registry.get(model["model"])
                key = getattr(model_admin, "menu_group", DEFAULT_GROUP)
                order = getattr(model_admin, "menu_order", LIBRARY_ORDER.get(app["app_label"], 1000))
                add(key, order, model)
        for screen in self._screens():
            if screen.in_menu and screen.has_permission(request):
                add(screen.menu_group, screen.menu_order, self._screen_entry(screen))
        result = []
        for key, label in MENU_GROUPS.items():
            models = [
                model for _order, model in sorted(groups[key], key=lambda item: (item[0], item[1]["name"]))
            ]
            if not models:
                continue
            result.append(
                {
                    "name": label,
                    "app_label": f"menu-{key}",
                    "app_url": self._group_url(key),
                    "has_module_perms": True,
                    "models": models,
                }
            )
        return result

    def _screen_entry(self, screen) -> dict:
        """A screen's menu row, shaped like a model's row of Django's app list."""
        return {
            "model": None,
            "name": screen.name,
            "object_name": screen.object_name,
            "perms": {"add": False, "change": False, "delete": False, "view": True},
            "admin_url": reverse(f"{self.name}:{screen.url_name}"),
            "add_url": None,
            "view_only": True,
        }

    @staticmethod
    def _group_url(key: str) -> str:
        return reverse("admin:menu_group", kwargs={"group": key})

    def autocomplete_view(self, request):
        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return super().get_app_list(request, app_label)
        return self._menu_groups(request)

    def index(self, request, extra_context=None):
        """工作台: the figures the user's role watches, beside the menu groups (``config_center.project.home``)."""
        from .home import home_view  # reads every app's models: imported once the apps are ready

        return home_view(self, request)

    def get_urls(self):
        return [
            path("menu/<slug:group>/", self.admin_view(self.group_index), name="menu_group"),
            *(path(screen.url_prefix, include(screen.get_urls())) for screen in self._screens()),
            *super().get_urls(),
        ]

    def group_index(self, request, group: str):
        """One menu group's page, like Django's app index but for a 大集中 menu group."""
        app_list = [item for item in self._menu_groups(request) if item["app_label"] == f"menu-{group}"]
        if not app_list:
            raise Http404(_("没有这个菜单分组，或您无权查看。"))
        context = {
            **self.each_context(request),
            "title": app_list[0]["name"],
            "subtitle": None,
            "app_list": app_list,
            "app_label": app_list[0]["app_label"],
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/menu_group_index.html", context)


class ConsoleAdminConfig(AdminConfig):
    """The admin app of the project: first what every app contributes (``contributions.py``), then ``admin.py``."""

    default_site = "config_center.project.admin_site.ConsoleAdminSite"

    def ready(self):
        discover()
        super().ready()
