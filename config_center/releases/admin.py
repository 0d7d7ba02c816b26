"""配置发布: the release list, publishing a city's draft, comparing any two versions, rolling back."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import Matter, Region
from core.admin import ReadOnlyAdminMixin
from permissions.admin_mixins import ScopedAdminMixin
from permissions.selectors import allowed_city_codes

from ..drafts import selectors
from ..drafts.diff import diff_region
from . import services
from .models import PublishPolicy, Release
from .selectors import PUBLISH_PERMISSION, live_release, may_publish

DRAFT = "draft"


def _matter_names() -> dict[str, str]:
    return dict(Matter.objects.values_list("code", "name"))


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Releases are immutable: nobody adds, changes or deletes them through the admin."""

    menu_group = "city"
    menu_order = 60
    list_display = [
        "region",
        "number",
        "kind",
        "comment",
        "published_by",
        "published_at",
        "links",
    ]
    list_display_links = ["number"]
    list_select_related = ["region", "published_by"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter), "kind", "emergency"]
    search_fields = ["comment", "region__name", "region__code"]
    readonly_fields = [
        "region",
        "number",
        "kind",
        "rolled_back_to",
        "comment",
        "published_by",
        "published_at",
        "emergency",
        "matter_count",
        "changes",
    ]
    fields = readonly_fields
    change_list_template = "admin/config_center/release/change_list.html"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    @admin.display(description=gettext_lazy("操作"))
    def links(self, obj):
        compare = (
            reverse("admin:config_center_release_compare")
            + f"?region={obj.region.code}&a={obj.number - 1}&b={obj.number}"
        )
        return format_html('<a href="{}">{}</a>', compare, _("与上一版对比")) if obj.number > 1 else "—"

    @admin.display(description=gettext_lazy("与上一版的差异"))
    def changes(self, obj):
        previous = Release.objects.filter(region=obj.region, number=obj.number - 1).first()
        changes = diff_region(
            previous.snapshot if previous else {},
            obj.snapshot,
            selectors.snapshot_labels(),
            _matter_names(),
            selectors.default_snapshots(),
        )
        from django.template.loader import render_to_string

        return render_to_string("admin/config_center/includes/changes_table.html", {"changes": changes})

    def get_urls(self):
        return [
            path(
                "publish/",
                self.admin_site.admin_view(self.publish_view),
                name="config_center_release_publish",
            ),
            path(
                "compare/",
                self.admin_site.admin_view(self.compare_view),
                name="config_center_release_compare",
            ),
            path(
                "<int:pk>/rollback/",
                self.admin_site.admin_view(self.rollback_view),
                name="config_center_release_rollback",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        live = live_release(obj.region) if obj else None
        extra = {
            "can_rollback": bool(obj)
            and live is not None
            and live.pk != obj.pk
            and may_publish(request.user, obj.region)
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _publish_cities(self, request) -> list[Region]:
        cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        allowed = allowed_city_codes(request.user, [PUBLISH_PERMISSION, self._perm("view")])
        return list(cities if allowed is None else cities.filter(code__in=allowed))

    def publish_view(self, request):
        """发布: the city's draft against the live release, and the publish button."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        cities = self._publish_cities(request)
        code = request.POST.get("region") or request.GET.get("region")
        region = next((city for city in cities if city.code == code), None)
        can_publish = bool(region) and may_publish(request.user, region)
        if request.method == "POST":
            if region is None or not can_publish:
                raise PermissionDenied
            try:
                result = services.release_publish(
                    region=region, user=request.user, comment=request.POST.get("comment", "")
                )
            except services.PublishRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                note = _("（紧急发布，已记录）") if result.emergency else ""
                self.message_user(
                    request,
                    _("已发布%(city)s第 %(n)s 版%(note)s。")
                    % {"city": region.name, "n": result.release.number, "note": note},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:config_center_release_changelist") + f"?region__id__exact={region.pk}"
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("发布配置"),
            "opts": self.opts,
            "cities": cities,
            "region": region,
        }
        if region is not None:
            live = live_release(region)
            context.update(
                live=live,
                policy=PublishPolicy.objects.filter(region=region).first(),
                changes=diff_region(
                    live.snapshot if live else {},
                    selectors.region_draft(region),
                    selectors.snapshot_labels(),
                    _matter_names(),
                    selectors.default_snapshots(),
                ),
                errors=selectors.region_draft_errors(region),
                can_publish=can_publish,
            )
        return TemplateResponse(request, "admin/config_center/release/publish.html", context)

    def compare_view(self, request):
        """对比: any two releases of a city, or a release and the draft."""
        region = next(
            (city for city in self._publish_cities(request) if city.code == request.GET.get("region")), None
        )
        if region is None or not self.has_view_permission(request):
            raise Http404(_("请选择您管辖范围内的地级市。"))
        releases = {r.number: r for r in Release.objects.filter(region=region)}
        options = [(DRAFT, _("当前草稿"))] + [
            (str(n), _("第 %(n)s 版") % {"n": n}) for n in sorted(releases, reverse=True)
        ]
        newest = str(max(releases)) if releases else DRAFT
        a = request.GET.get("a", newest)
        b = request.GET.get("b", DRAFT)

        def side(key: str):
            if key == DRAFT:
                return selectors.region_draft(region), _("当前草稿")
            if key.isdigit() and int(key) in releases:
                return releases[int(key)].snapshot, _("第 %(n)s 版") % {"n": key}
            if key.isdigit() and int(key) == 0:
                return {}, _("（无）")
            raise Http404(_("版本不存在。"))

        (old, a_label), (new, b_label) = side(a), side(b)
        context = {
            **self.admin_site.each_context(request),
            "title": _("版本对比"),
            "opts": self.opts,
            "region": region,
            "options": options,
            "a": a,
            "b": b,
            "a_label": a_label,
            "b_label": b_label,
            "changes": diff_region(
                old, new, selectors.snapshot_labels(), _matter_names(), selectors.default_snapshots()
            ),
        }
        return TemplateResponse(request, "admin/config_center/release/compare.html", context)

    def rollback_view(self, request, pk: int):
        """回滚 to this release: POST only; creates a new release equal to it."""
        release = self.get_object(request, str(pk))
        if release is None:
            raise Http404(_("版本不存在，或不在您的管辖范围内。"))
        if request.method != "POST" or not may_publish(request.user, release.region):
            raise PermissionDenied
        try:
            new = services.release_rollback(
                region=release.region, to_number=release.number, user=request.user
            )
        except services.PublishRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("已回滚到第 %(n)s 版，新版本为第 %(m)s 版。") % {"n": release.number, "m": new.number},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:config_center_release_changelist") + f"?region__id__exact={release.region_id}"
        )


@admin.register(PublishPolicy)
class PublishPolicyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """发布策略. Four eyes binds the city's publishers, so they cannot switch it off: changing a city's
    policy takes the change permission province-wide (省级业务督导), and every change is on 变更记录."""

    menu_group = "city"
    menu_order = 61

    def _province_wide(self, request) -> bool:
        return allowed_city_codes(request.user, [self._perm("change")]) is None

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._province_wide(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._province_wide(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._province_wide(request)

    list_display = ["region", "review_required"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
