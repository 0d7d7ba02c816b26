from django.contrib import admin
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from core.admin import HistoryPermissionMixin
from core.spreadsheets.resources import SpreadsheetMixin

from ..models import Holiday
from ..resources import HolidayResource

WEEKDAYS = "一二三四五六日"


@admin.register(Holiday)
class HolidayAdmin(HistoryPermissionMixin, SpreadsheetMixin, SimpleHistoryAdmin):
    """节假日日历: public holidays and 调休 working weekends, used by 催办 to count working days."""

    resource_classes = [HolidayResource]
    menu_group = "system"
    menu_order = 50
    list_display = ["date", "weekday", "name", "is_workday_override"]
    list_filter = ["is_workday_override"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=gettext_lazy("星期"), ordering="date")
    def weekday(self, obj):
        return "星期" + WEEKDAYS[obj.date.weekday()]
