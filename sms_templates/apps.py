from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsTemplatesConfig(AppConfig):
    name = "sms_templates"
    verbose_name = _("短信模板")
    default_auto_field = "django.db.models.BigAutoField"
