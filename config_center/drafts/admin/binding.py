"""定制本地业务: the category list (fuzzy search) → the matters of a category → 定制绑定 / 取消绑定."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Region
from core.admin import ReadOnlyAdminMixin
from permissions.selectors import allowed_city_codes

from .. import services
from ..models import BindableMatter, BindingCategory, LocalMatter

CITY_PARAM = "city"


class ReadOnlyCatalogMixin(ReadOnlyAdminMixin):
    """These screens bind; the catalog itself is edited under 系统管理."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("config_center.view_localmatter") or request.user.has_perm(
            "config_center.change_localmatter"
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(BindingCategory)
class BindingCategoryAdmin(ReadOnlyCatalogMixin, admin.ModelAdmin):
    """Step 1 of annex 3: the business categories, searchable by code or name."""

    menu_group = "city"
    menu_order = 10
    list_display = ["code", "name", "matter_count", "show_matters"]
    search_fields = ["code", "name", "matters__name", "matters__code"]
    search_help_text = gettext_lazy("按大类编码、名称或其中的业务名称模糊查询")
    list_display_links = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(active_matters=Count("matters", filter=Q(matters__is_active=True), distinct=True))
        )

    @admin.display(description=gettext_lazy("业务数"), ordering="active_matters")
    def matter_count(self, obj):
        return obj.active_matters

    @admin.display(description="")
    def show_matters(self, obj):
        url = reverse("admin:config_center_bindablematter_changelist")
        return format_html(
            '<a class="button" href="{}?category__id__exact={}">{}</a>', url, obj.pk, _("查看该类别下的业务")
        )


class CityFilter(admin.SimpleListFilter):
    title = gettext_lazy("绑定城市")
    parameter_name = CITY_PARAM

    def lookups(self, request, model_admin):
        return [(region.code, region.name) for region in model_admin.cities(request)]

    def queryset(self, request, queryset):
        return queryset


@admin.register(BindableMatter)
class BindableMatterAdmin(ReadOnlyCatalogMixin, admin.ModelAdmin):
    """Step 2–3 of annex 3: tick matters of a category and bind them to a city (or unbind)."""

    menu_group = "city"
    menu_order = 11
    list_display = ["code", "name", "category", "province_wide", "binding_state"]
    list_select_related = ["category"]
    list_filter = [CityFilter, "category", "province_wide"]
    search_fields = ["code", "name", "aliases"]
    actions = ["bind", "unbind"]
    list_display_links = None
    list_per_page = 100

    def has_module_permission(self, request):
        return False  # reached from the category list, not the menu

    def cities(self, request):
        """The cities this user may bind for: where they may change local matters and hold 本地业务配置."""
        cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        for perms in (["config_center.change_localmatter"], ["permissions.configure_local"]):
            allowed = allowed_city_codes(request.user, perms)
            if allowed is not None:
                cities = cities.filter(code__in=allowed)
        return list(cities)

    def selected_city(self, request) -> Region | None:
        """The city chosen in the 绑定城市 filter (kept in the URL the action posts to); the only one if just one."""
        if not hasattr(request, "_binding_city"):
            cities = self.cities(request)
            by_code = {city.code: city for city in cities}
            code = request.GET.get(CITY_PARAM)
            request._binding_city = by_code.get(code) if code else (cities[0] if len(cities) == 1 else None)
        return request._binding_city

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(is_active=True)
        city = self.selected_city(request)
        if city is not None:
            bound = LocalMatter.objects.filter(region=city, matter=OuterRef("pk"), is_active=True)
            queryset = queryset.annotate(bound_here=Exists(bound))
        return queryset

    def changelist_view(self, request, extra_context=None):
        city = self.selected_city(request)
        extra_context = {
            **(extra_context or {}),
            "title": _("定制本地业务：%(city)s") % {"city": city.name}
            if city
            else _("定制本地业务（请先在右侧“绑定城市”中选择城市）"),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("本市绑定状态"))
    def binding_state(self, obj):
        state = getattr(obj, "bound_here", None)
        if state is None:
            return "—"
        return format_html(
            '<span class="{}">{}</span>',
            "bound" if state else "unbound",
            _("已绑定") if state else _("未绑定"),
        )

    def _city_for_action(self, request) -> Region | None:
        city = self.selected_city(request)
        if city is None:
            self.message_user(request, _("请先选择要绑定的地级市。"), messages.ERROR)
        return city

    def has_bind_permission(self, request) -> bool:
        return bool(self.cities(request))

    @admin.action(description=gettext_lazy("定制绑定"), permissions=["bind"])
    def bind(self, request, queryset):
        city = self._city_for_action(request)
        if city is None:
            return
        result = services.local_matter_bind(region=city, matters=queryset, user=request.user)
        self.message_user(
            request,
            _(
                "已绑定到%(city)s：新绑定 %(created)s 项，恢复绑定 %(reactivated)s 项，原已绑定 %(unchanged)s 项。"
            )
            % {
                "city": city.name,
                "created": result.created,
                "reactivated": result.reactivated,
                "unchanged": result.unchanged,
            },
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("取消绑定"), permissions=["bind"])
    def unbind(self, request, queryset):
        city = self._city_for_action(request)
        if city is None:
            return
        count = services.local_matter_unbind(region=city, matters=queryset, user=request.user)
        self.message_user(
            request,
            _("已取消%(city)s的 %(count)s 项绑定（配置已保留，重新绑定即可恢复）。")
            % {"city": city.name, "count": count},
            messages.SUCCESS,
        )
