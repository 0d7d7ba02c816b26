from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigCenterConfig(AppConfig):
    name = "config_center"
    verbose_name = _("地级市业务管理")
    default_auto_field = "django.db.models.BigAutoField"
