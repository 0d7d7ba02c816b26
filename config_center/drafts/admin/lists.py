"""Flat lists of 材料清单, 短信配置 and 打印配置 across local matters: to find, export and import them in bulk.

Rows are edited on the local matter's page; these lists link there.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheets.resources import SpreadsheetMixin
from permissions.admin_mixins import ScopedAdminMixin

from ..models import ChecklistItem, PrintSlot, SmsSlot
from ..resources import ChecklistItemResource, PrintSlotResource, SmsSlotResource


class ListOnlyMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("本地业务"), ordering="local_matter__matter__code")
    def local_matter_link(self, obj):
        url = reverse("admin:config_center_localmatter_change", args=[obj.local_matter_id])
        return format_html('<a href="{}">{}</a>', url, obj.local_matter)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ListOnlyMixin, ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    menu_group = "city"
    menu_order = 21
    resource_classes = [ChecklistItemResource]
    list_display = [
        "local_matter_link",
        "channel",
        "kind",
        "position",
        "material",
        "name",
        "send_to_ministry",
    ]
    list_select_related = ["local_matter__region", "local_matter__matter", "channel", "material"]
    list_filter = ["kind", "channel", ("local_matter__region", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "local_matter__matter__code",
        "local_matter__matter__name",
        "material__code",
        "material__name",
        "name",
    ]
    show_full_result_count = False


@admin.register(SmsSlot)
class SmsSlotAdmin(ListOnlyMixin, ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    menu_group = "city"
    menu_order = 35
    resource_classes = [SmsSlotResource]
    list_display = ["local_matter_link", "event", "template"]
    list_select_related = ["local_matter__region", "local_matter__matter", "template"]
    list_filter = ["event", ("local_matter__region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["local_matter__matter__code", "local_matter__matter__name", "template__function_code"]


@admin.register(PrintSlot)
class PrintSlotAdmin(ListOnlyMixin, ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    menu_group = "city"
    menu_order = 37
    resource_classes = [PrintSlotResource]
    list_display = ["local_matter_link", "document", "template", "e_seal", "anti_forgery_code"]
    list_select_related = ["local_matter__region", "local_matter__matter", "template"]
    list_filter = ["document", "e_seal", ("local_matter__region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["local_matter__matter__code", "local_matter__matter__name", "template__code"]


__all__ = ["ChecklistItemAdmin", "PrintSlotAdmin", "SmsSlotAdmin"]
