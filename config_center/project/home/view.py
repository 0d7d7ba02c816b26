"""The home page's view: decide what the user sees, gather the figures, render with the menu beside them."""

from __future__ import annotations

import datetime

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import work_calendar
from routing.deadlines import NEAR_DAYS
from routing.search import WarningBounds

from . import config, province, work


def _today() -> datetime.date:
    """The clock of the page (a seam for tests)."""
    return timezone.localdate()


def home_context(request) -> dict:
    """The figures ``request.user`` may see, by section (a section left out is None)."""
    user = request.user
    today = _today()
    levels = work.review_levels(user)
    may_query = work.may_query_cases(user)
    bounds = WarningBounds.on(today, work_calendar()) if levels or may_query else None
    context: dict = dict.fromkeys(("tasks", "reminders", "cases", "config", "config_clean", "province"))
    context.update(today=today, near_days=NEAR_DAYS)
    if levels:
        context["tasks"] = work.my_tasks(user, levels)
        context["reminders"], context["more_reminders"] = work.reminders(user, bounds)
    if may_query:
        context["cases"] = work.my_cases(user, bounds)
    cities = config.administered_cities(user)
    if cities:
        lines = config.city_configs(user, cities)
        # One city is always shown; of many, those with something to do (the rest are summed up in a line).
        single = len(lines) == 1
        context["config"] = lines if single else [line for line in lines if not line.clean]
        context["config_clean"] = [] if single else [line for line in lines if line.clean]
        context["config_single"] = single
    if province.sees_province(user):
        context["province"] = province.province_figures(request.GET, today=today)
    return context


def home_view(site, request) -> TemplateResponse:
    """The admin site's index: the figures of ``home_context`` and the menu groups."""
    request.current_app = site.name
    each = site.each_context(request)
    context = {
        **each,
        "title": _("工作台"),
        "subtitle": None,
        "app_list": each["available_apps"],  # the menu groups, as the sidebar lists them elsewhere
        **home_context(request),
    }
    return TemplateResponse(request, "admin/home/index.html", context)
