"""本地业务属性定义: one page per local matter, organised in tabs like the 大集中 screen."""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import Channel, Region
from core.registry import registry
from core.spreadsheets.resources import SpreadsheetMixin
from permissions.admin_mixins import ScopedAdminMixin
from permissions.selectors import allowed_city_codes
from sms_templates.models import SmsEvent

from .. import rules, selectors, services
from ..models import ChecklistKind, LocalMatter, PrintDocument
from ..resources import LocalMatterPropertiesResource, LocalMatterResource, LocalMatterTagsResource
from .checklist_inlines import checklist_inline
from .local_matter_form import LocalMatterForm, print_field, sms_field

FLOW_FIELDS = ["flow_mode", "review_levels", "time_limit_days"]
PROPERTY_FIELDSETS = [
    (gettext_lazy("柜台系统配置"), ["counter_enabled", "counter_verify_originals", "counter_scan_required"]),
    (gettext_lazy("邮政寄送配置"), ["post_enabled", "post_fee_payer"]),
    (gettext_lazy("政务大厅配置"), ["hall_listed", "hall_item_code", "hall_online_depth"]),
    (gettext_lazy("智慧交互终端配置"), ["kiosk_accept", "kiosk_face_verification", "kiosk_print_receipt"]),
    (gettext_lazy("电子印章配置"), ["e_seal_enabled", "e_seal_code"]),
]
REGION_FILTER = "region__id__exact"  # the change list's 地级市 filter
CONFIG_PREFETCHES = [
    "checklist_items__channel",
    "checklist_items__material",
    "sms_slots__template__category__region",
    "print_slots__template",
]


def _print_rows() -> list:
    rows = []
    for document in PrintDocument.values:
        row = [print_field(document), print_field(document, "e_seal")]
        if document == PrintDocument.COMPLETION:
            row.append(print_field(document, "anti_forgery"))
        rows.append(tuple(row))
    return rows


def _no_catalog_editing(field) -> None:
    """No add/edit/delete icons next to catalog choices: a city page must not edit the province's catalog."""
    widget = getattr(field, "widget", None)
    for name in ("can_add_related", "can_change_related", "can_delete_related", "can_view_related"):
        if hasattr(widget, name):
            setattr(widget, name, False)


class LocalMatterChangeList(ChangeList):
    """Computes every row's findings with a fixed number of queries (prefetch, then pure rules)."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        prefetch_related_objects(rows, *CONFIG_PREFETCHES)
        findings = selectors.local_matter_findings(rows)
        for row in rows:
            row.findings = findings[row.pk]
        self.result_list = rows


@admin.register(LocalMatter)
class LocalMatterAdmin(ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    resource_classes = [LocalMatterResource, LocalMatterPropertiesResource, LocalMatterTagsResource]
    menu_group = "city"
    required_capability = "permissions.configure_local"
    menu_order = 20
    form = LocalMatterForm
    change_form_template = "admin/config_center/localmatter/change_form.html"
    change_list_template = "admin/config_center/localmatter/change_list.html"
    list_display = [
        "matter_code",
        "matter",
        "region",
        "distribution_mode",
        "time_limit_days",
        "is_active",
        "completeness",
    ]
    list_display_links = ["matter_code", "matter"]
    list_select_related = ["region", "matter", "matter__category"]
    list_filter = [
        "is_active",
        "distribution_mode",
        "review_levels",
        ("region", admin.RelatedOnlyFieldListFilter),
        "matter__category",
    ]
    search_fields = ["matter__code", "matter__name", "matter__aliases", "region__name", "region__code"]
    autocomplete_fields = ["region", "matter", "acceptance_tags", "review_tags"]
    list_per_page = 50
    show_full_result_count = False
    save_on_top = True

    def has_add_permission(self, request):
        return False  # a local matter comes into being by 定制绑定, not by adding it here

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _no_catalog_editing(field)
        return field

    def get_changelist(self, request, **kwargs):
        return LocalMatterChangeList

    def changelist_view(self, request, extra_context=None):
        notices = []
        if request.method == "GET" and IS_POPUP_VAR not in request.GET:  # not for actions or pickers
            regions = self._notice_regions(request)
            notices = self.notices(request, regions) if regions != [] else []
        return super().changelist_view(request, {**(extra_context or {}), "notices": notices})

    # ---- what other apps say about the cities' drafts (the releases: 未发布的修改) ----------------

    def notices(self, request, regions: list[Region] | None) -> list[str]:
        """The notices contributed for this screen (``core.registry``), about these cities' drafts."""
        return [
            html
            for notice in registry.admin_notices(self.opts.label_lower)
            if (html := notice.render(request, regions))
        ]

    def _notice_regions(self, request) -> list[Region] | None:
        """The cities the change list is about for this user: the one filtered on, else the cities where the
        user configures; None for a province-wide user on the unfiltered list."""
        if not self.has_change_permission(request):
            return []
        cities = allowed_city_codes(request.user, [self._perm("change")])
        chosen = request.GET.get(REGION_FILTER, "")
        if cities is None and not chosen:
            return None
        regions = Region.objects.filter(level=Region.Level.CITY).order_by("code")
        if chosen:
            if not chosen.isdigit():
                return []
            regions = regions.filter(pk=int(chosen))
        return list(regions if cities is None else regions.filter(code__in=cities))

    @admin.display(description=gettext_lazy("事项编码"), ordering="matter__code")
    def matter_code(self, obj):
        return obj.matter.code

    @admin.display(description=gettext_lazy("配置完整性"))
    def completeness(self, obj):
        findings = getattr(obj, "findings", ())
        problems = [f for f in findings if f.severity in (rules.ERROR, rules.INCOMPLETE)]
        if not problems:
            return format_html(
                '<span class="config-complete" title="{}">✔ {}</span>', _("配置完整"), _("完整")
            )
        return format_html(
            '<span class="config-incomplete" title="{}">⚠ {}</span>',
            "；".join(f.message for f in problems),
            _("%(count)s 项待完善") % {"count": len(problems)},
        )

    # ---- the change page -------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        return ["region", "matter"] if obj else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["region", "matter", *FLOW_FIELDS, "distribution_mode"]})]
        return [
            (_("业务信息"), {"fields": ["region", "matter", "is_active", "loaded_version"]}),
            (_("设定流转方式"), {"fields": FLOW_FIELDS}),
            (_("分发模式"), {"fields": ["distribution_mode"]}),
            *[(title, {"fields": fields}) for title, fields in PROPERTY_FIELDSETS],
            (_("短信配置"), {"fields": [sms_field(event) for event in SmsEvent.values]}),
            (_("打印事项模板配置"), {"fields": _print_rows()}),
            (_("受理标签"), {"fields": ["acceptance_tags"]}),
            (_("审核标签"), {"fields": ["review_tags"]}),
        ]

    def get_inline_instances(self, request, obj=None):
        if obj is None:
            return []
        if not hasattr(request, "_console_channels"):
            request._console_channels = list(
                Channel.objects.filter(is_active=True).order_by("sort_order", "code")
            )
        instances = []
        for channel in request._console_channels:
            for kind in ChecklistKind.values:
                inline = checklist_inline(channel, kind)(self.model, self.admin_site)
                if inline.has_view_or_change_permission(request, obj):
                    instances.append(inline)
        return instances

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            prefetch_related_objects([obj], "sms_slots", "print_slots")
        return obj

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["tabs"] = self._tabs(context, obj)
            prefetch_related_objects([obj], *CONFIG_PREFETCHES)
            context["findings"] = selectors.local_matter_findings([obj])[obj.pk]
            if self.has_change_permission(request, obj):
                context["notices"] = self.notices(request, [obj.region])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _tabs(self, context, obj) -> list[dict]:
        fieldsets = {str(fieldset.name): fieldset for fieldset in context["adminform"]}
        inlines = context["inline_admin_formsets"]

        def pick(*names):
            return [fieldsets[str(name)] for name in names if str(name) in fieldsets]

        tabs = [
            {
                "slug": "flow",
                "title": _("流转与分发"),
                "fieldsets": pick(_("业务信息"), _("设定流转方式"), _("分发模式")),
            }
        ]
        seen = []
        for inline in inlines:
            channel = inline.opts.channel
            if channel.code not in seen:
                seen.append(channel.code)
                tabs.append(
                    {"slug": f"materials-{channel.code}", "title": f"{channel.name}材料", "inlines": []}
                )
            tabs[-1]["inlines"].append(inline)
        tabs += [
            {
                "slug": "properties",
                "title": _("属性配置"),
                "fieldsets": pick(*(title for title, _f in PROPERTY_FIELDSETS)),
            },
            {"slug": "sms", "title": _("短信配置"), "fieldsets": pick(_("短信配置"))},
            {"slug": "print", "title": _("打印模板"), "fieldsets": pick(_("打印事项模板配置"))},
            {
                "slug": "tags",
                "title": _("标签"),
                "fieldsets": pick(_("受理标签"), _("审核标签")),
            },
        ]
        return tabs

    def save_model(self, request, obj, form, change):
        _sms, prints = form.slot_choices()
        services.local_matter_save(local_matter=obj, user=request.user, prints=prints)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            services.checklist_renumber(local_matter=form.instance, user=request.user)
            sms, prints = form.slot_choices()
            services.local_matter_save_slots(
                local_matter=form.instance, sms=sms, prints=prints, user=request.user
            )

    def response_change(self, request, obj):
        prefetch_related_objects([obj], *CONFIG_PREFETCHES)
        problems = [
            f for f in selectors.local_matter_findings([obj])[obj.pk] if f.severity == rules.INCOMPLETE
        ]
        for finding in problems:
            self.message_user(request, finding.message, messages.WARNING)
        return super().response_change(request, obj)

    # ---- extra screens: copy a channel's lists; copy to other cities ------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/copy-channel/",
                self.admin_site.admin_view(self.copy_channel_view),
                name="%s_%s_copy_channel" % info,
            ),
            path(
                "<path:object_id>/copy-to-cities/",
                self.admin_site.admin_view(self.copy_to_cities_view),
                name="%s_%s_copy_to_cities" % info,
            ),
            *super().get_urls(),
        ]

    def _editable_object(self, request, object_id) -> LocalMatter:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404(_("本地业务不存在，或不在您的管辖范围内。"))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def copy_channel_view(self, request, object_id):
        """复制本渠道材料到其他渠道: one channel's three lists onto the chosen channels."""
        obj = self._editable_object(request, object_id)
        channels = list(Channel.objects.filter(is_active=True).order_by("sort_order", "code"))
        by_code = {channel.code: channel for channel in channels}
        if request.method == "POST":
            source = by_code.get(request.POST.get("source", ""))
            targets = [by_code[code] for code in request.POST.getlist("targets") if code in by_code]
            if source is None or not targets:
                self.message_user(request, _("请选择来源渠道和至少一个目标渠道。"), messages.ERROR)
            else:
                touched = services.checklist_copy_channel(
                    local_matter=obj, source=source, targets=targets, user=request.user
                )
                self.message_user(
                    request,
                    _("已把%(source)s材料复制到：%(targets)s。")
                    % {
                        "source": source.name,
                        "targets": "、".join(f"{name}（变更 {n} 行）" for name, n in touched.items()),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:config_center_localmatter_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("复制渠道材料"),
            "opts": self.opts,
            "original": obj,
            "channels": channels,
            "source": request.GET.get("source", "counter"),
        }
        return TemplateResponse(request, "admin/config_center/localmatter/copy_channel.html", context)

    def copy_to_cities_view(self, request, object_id):
        """复制到其他城市: choose cities, preview every change, then confirm."""
        obj = self._editable_object(request, object_id)
        if not self.can_copy_to_other_cities(request):
            raise PermissionDenied
        cities = list(
            self.scope_related_queryset(request, Region.objects.filter(level=Region.Level.CITY))
            .exclude(pk=obj.region_id)
            .order_by("code")
        )
        by_code = {city.code: city for city in cities}
        chosen = [by_code[code] for code in request.POST.getlist("cities") if code in by_code]
        plan = None
        if request.method == "POST" and not chosen:
            self.message_user(request, _("请至少选择一个目标城市。"), messages.ERROR)
        elif request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                plan = services.local_matter_copy_to_regions(source=obj, regions=chosen, user=request.user)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                changed = [region.name for region, changes in plan.targets if changes]
                self.message_user(
                    request,
                    _("已把%(city)s的配置复制到：%(targets)s。")
                    % {"city": obj.region.name, "targets": "、".join(changed) or "-"},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:config_center_localmatter_change", args=[obj.pk]))
        elif request.method == "POST":
            plan = services.local_matter_copy_plan(source=obj, regions=chosen)
        context = {
            **self.admin_site.each_context(request),
            "title": _("复制配置到其他城市"),
            "opts": self.opts,
            "original": obj,
            "cities": cities,
            "chosen": {city.code for city in chosen},
            "plan": plan,
        }
        return TemplateResponse(request, "admin/config_center/localmatter/copy_to_cities.html", context)

    def can_copy_to_other_cities(self, request) -> bool:
        """Province-level staff only (省级业务督导): the change permission everywhere, and the capability."""
        return allowed_city_codes(request.user, [self._perm("change")]) is None and self._capable(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_copy_to_cities": self.can_copy_to_other_cities(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)


__all__ = ["LocalMatterAdmin"]
