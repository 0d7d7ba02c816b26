"""The period of the province's per-city figures: a GET parameter pair, checked, bounded in span."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_DAYS = 30
MAX_DAYS = 92  # a quarter at most: the figures read the 受理时间 index, the span bounds the rows read
EARLIEST = datetime.date(2000, 1, 1)
DATE_LENGTH = len("YYYY-MM-DD")


@dataclass(frozen=True)
class Period:
    """Calendar days ``first`` … ``last`` (both included) in the console's time zone."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def default(cls, today: datetime.date) -> Period:
        return cls(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, zone: datetime.tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes: midnight of the first day, midnight after the last."""
        start = datetime.datetime.combine(self.first, datetime.time.min, zone)
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min, zone)
        return start, end


_date = {
    "required": False,
    "input_formats": ["%Y-%m-%d"],
    "widget": forms.DateInput({"type": "date"}, "%Y-%m-%d"),
}


class PeriodForm(forms.Form):
    """统计期间: 开始日期 and 结束日期 (``start`` / ``end``, YYYY-MM-DD); missing ones take the default period."""

    start = forms.DateField(label=gettext_lazy("开始日期"), **_date)
    end = forms.DateField(label=gettext_lazy("结束日期"), **_date)

    def __init__(self, data, *, today: datetime.date):
        # Only the two parameters are read, each cut before parsing to one character more than a date has
        # (so that a longer value is still refused, not read as its first ten characters).
        super().__init__({key: str(data[key])[: DATE_LENGTH + 1] for key in ("start", "end") if key in data})
        self.today = today

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        default = Period.default(self.today)
        last = cleaned.get("end") or default.last
        first = cleaned.get("start") or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if last > self.today:
            raise forms.ValidationError(_("结束日期不能晚于今天。"), code="future")
        if first < EARLIEST:
            raise forms.ValidationError(
                _("开始日期不能早于 %(date)s。") % {"date": EARLIEST.isoformat()}, code="too_early"
            )
        if first > last:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"), code="reversed")
        if (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("统计期间最长 %(days)s 天。") % {"days": MAX_DAYS}, code="too_long")
        cleaned["period"] = Period(first, last)
        return cleaned

    def period(self) -> Period:
        """The checked period, or the default one when the parameters were refused."""
        if self.is_valid():
            return self.cleaned_data["period"]
        return Period.default(self.today)
