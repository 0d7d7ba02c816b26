from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from permissions.admin_mixins import ScopedAdminMixin

from ..models import SmsMessage
from ..services import sms_messages_resend


@admin.register(SmsMessage)
class SmsMessageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """短信发件箱: what was sent, what is pending, what failed and why; 重新发送 for failed messages."""

    menu_group = "status"
    menu_order = 60
    list_display = [
        "created_at",
        "case_reference",
        "event",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "event", ("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["case_reference", "recipient", "gateway_message_id"]
    list_select_related = ["region"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        "recipient",
        "text",
        "template",
        "region",
        "matter",
        "case_reference",
        "event",
        "occurrence",
        "status",
        "attempts",
        "last_error",
        "gateway_message_id",
        "created_at",
        "updated_at",
        "sent_at",
        "next_attempt_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # messages come from case events only

    def has_delete_permission(self, request, obj=None):
        return False  # the outbox is the record of what was sent

    def has_resend_permission(self, request):
        return request.user.has_perm("sms_templates.change_smsmessage")

    @admin.display(description=gettext_lazy("最近错误"))
    def short_error(self, obj):
        return obj.last_error if len(obj.last_error) <= 40 else obj.last_error[:40] + "…"

    @admin.action(description=gettext_lazy("重新发送"), permissions=["resend"])
    def resend(self, request, queryset):
        report = sms_messages_resend(messages=queryset)
        if report.resent:
            self.message_user(request, _("已重新发送 %(count)d 条短信。") % {"count": report.resent})
        if report.invalid_number:
            self.message_user(
                request,
                _("%(count)d 条短信的手机号码无效，未重新发送。") % {"count": report.invalid_number},
                messages.WARNING,
            )
        if report.not_failed:
            self.message_user(
                request,
                _("%(count)d 条短信不是发送失败状态，已跳过。") % {"count": report.not_failed},
                messages.WARNING,
            )
