"""Reference data of the whole console and the admin theme."""

from django.db import transaction

from core.loading import LoadReport, upsert
from core.registry import registry

THEME_NAME = "工伤保险经办配置中心"
THEME_VALUES = {
    "title": "工伤保险经办配置中心",
    "title_visible": True,
    "title_color": "#FFFFFF",
    "logo_visible": False,
    "env_visible_in_header": False,
    "env_visible_in_favicon": False,
    "active": True,
    "env_name": "",
    "language_chooser_active": False,
    "css_header_background_color": "#0B4F8A",
    "css_header_text_color": "#FFFFFF",
    "css_header_link_color": "#FFFFFF",
    "css_header_link_hover_color": "#CDE4F7",
    "css_module_background_color": "#1565A8",
    "css_module_background_selected_color": "#E8F1FA",
    "css_module_text_color": "#FFFFFF",
    "css_module_link_color": "#FFFFFF",
    "css_module_link_selected_color": "#FFFFFF",
    "css_module_link_hover_color": "#CDE4F7",
    "css_generic_link_color": "#0B4F8A",
    "css_generic_link_hover_color": "#1565A8",
    "css_save_button_background_color": "#0B4F8A",
    "css_save_button_background_hover_color": "#083B68",
    "list_filter_dropdown": True,
    "list_filter_sticky": True,
    "show_fieldsets_as_tabs": True,
    "show_inlines_as_tabs": True,
    "related_modal_active": True,
    "recent_actions_visible": True,
    "form_submit_sticky": True,
}


def theme_configure(report: LoadReport) -> None:
    """Install the console's django-admin-interface theme and make it the active one."""
    from admin_interface.models import Theme

    theme = upsert(Theme, report, lookup={"name": THEME_NAME}, values=THEME_VALUES)
    Theme.objects.exclude(pk=theme.pk).filter(active=True).update(active=False)


@transaction.atomic
def reference_data_load_all() -> LoadReport:
    """Everything ``load_reference_data`` loads: every app's contribution in order, then the theme; idempotent."""
    report = LoadReport()
    for loader in registry.reference_loaders:
        loader.load(report)
    theme_configure(report)
    return report
