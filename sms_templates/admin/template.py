from django import forms
from django.contrib import admin
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from permissions.admin_mixins import ScopedAdminMixin

from ..models import MAX_CONTENT_LENGTH, PlaceholderCode, SmsTemplate
from ..services import sms_template_save


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = [
            "category",
            "name",
            "function_code",
            "is_active",
            "content",
            "allow_full_id_number",
            "mask_names",
        ]
        error_messages = {"content": {"required": _("短信模板内容不能为空。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's check names the length ("共 501 个字符，超过上限 500 个字符"); the form's generic
        # max_length check would pre-empt it, and the browser's maxlength would cut pasted text silently.
        content = self.fields.get("content")
        if content is None:  # read-only for this user
            return
        content.max_length = None
        content.validators = [v for v in content.validators if not isinstance(v, MaxLengthValidator)]
        content.widget.attrs.pop("maxlength", None)

    def clean_content(self):
        # Browsers submit line breaks as CRLF; a template (and every SMS from it) uses \n, and the
        # 500-character limit counts what is stored, as the preview does.
        return (self.cleaned_data.get("content") or "").replace("\r\n", "\n")


@admin.register(SmsTemplate)
class SmsTemplateAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """短信模板列表; the change page shows a live preview (``POST /api/v1/sms/preview``) and the vocabulary."""

    required_capability = "permissions.manage_sms"
    include_province_wide = True
    menu_group = "city"
    menu_order = 31
    list_display = ["function_code", "name", "category", "is_active"]
    list_select_related = ["category"]
    list_filter = [("category", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["function_code", "name", "content"]
    form = SmsTemplateForm
    fields = SmsTemplateForm.Meta.fields

    class Media:
        css = {"all": ["sms_templates/template_preview.css"]}
        js = ["sms_templates/template_preview.js"]

    def save_model(self, request, obj, form, change):
        sms_template_save(template=obj, user=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "sms_vocabulary": PlaceholderCode.objects.entries(),
            "sms_max_length": MAX_CONTENT_LENGTH,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)
