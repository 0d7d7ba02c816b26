from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheets.resources import SpreadsheetMixin
from permissions.admin_mixins import ScopedAdminMixin

from ..models import SmsTemplateCategory
from ..resources import SmsTemplateCategoryResource
from ..services import sms_category_save


@admin.register(SmsTemplateCategory)
class SmsTemplateCategoryAdmin(ScopedAdminMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    resource_classes = [SmsTemplateCategoryResource]
    required_capability = "permissions.manage_sms"
    include_province_wide = True
    menu_group = "city"
    menu_order = 30
    list_display = ["name", "region", "template_count", "show_templates", "sort_order"]
    list_select_related = ["region"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        sms_category_save(category=obj, user=request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(templates_count=Count("templates"))

    @admin.display(description=gettext_lazy("模板数"), ordering="templates_count")
    def template_count(self, obj):
        return obj.templates_count

    @admin.display(description="")
    def show_templates(self, obj):
        url = reverse("admin:sms_templates_smstemplate_changelist")
        return format_html(
            '<a class="button" href="{}?category__id__exact={}">{}</a>', url, obj.pk, _("查看该类别下的短信")
        )
