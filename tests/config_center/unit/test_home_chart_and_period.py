"""The home page's pure parts: the SVG bar chart and the checked period (no database)."""

import datetime
import re

import pytest

from config_center.project.home.chart import LABEL_WIDTH, NOTE_WIDTH, WIDTH, Bar, bar_chart
from config_center.project.home.period import DEFAULT_DAYS, MAX_DAYS, Period, PeriodForm

TODAY = datetime.date(2026, 6, 15)


def _chart(bars):
    return bar_chart(
        bars, title="标题 <t>", description="说明 & 描述", total_name="受理量", part_name="其中通办"
    )


def test_bars_are_proportional_to_the_largest_total_and_the_part_is_drawn_inside_its_bar():
    svg = _chart([Bar("中山市", 200, 50, "200"), Bar("广州市", 100, 0, "100"), Bar("云浮市", 0, 0, "0")])
    widths = [float(w) for w in re.findall(rf'<rect x="{LABEL_WIDTH}" y="\d+" width="([\d.]+)"', svg)]
    plot = WIDTH - LABEL_WIDTH - NOTE_WIDTH
    # the legend's swatch; 中山: the whole bar and its darker part; 广州: half the whole; 云浮: no bar at all
    assert widths == [12, plot, plot / 4, plot / 2]
    assert svg.count("<text") == 2 + 3 * 2  # the legend, then a label and a note per row


def test_every_text_of_the_chart_is_escaped_and_it_fetches_nothing():
    svg = _chart([Bar("<script>alert(1)</script>", 1, 0, "a & b")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    assert '<title id="home-chart-title">标题 &lt;t&gt;</title>' in svg
    assert "href" not in svg and "url(" not in svg


def test_an_empty_chart_is_still_a_picture():
    svg = _chart([])
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_no_parameters_mean_the_last_30_days_up_to_today():
    form = PeriodForm({}, today=TODAY)
    assert form.is_valid()
    assert form.period() == Period(TODAY - datetime.timedelta(days=DEFAULT_DAYS - 1), TODAY)
    assert form.period().days == DEFAULT_DAYS


def test_a_start_alone_runs_to_today_and_an_end_alone_takes_the_30_days_before_it():
    assert PeriodForm({"start": "2026-06-01"}, today=TODAY).period() == Period(
        datetime.date(2026, 6, 1), TODAY
    )
    end = datetime.date(2026, 3, 31)
    assert PeriodForm({"end": "2026-03-31"}, today=TODAY).period() == Period(
        end - datetime.timedelta(days=29), end
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"start": "2026-01-01", "end": "2026-06-01"}, "too_long"),
        ({"start": "2026-06-10", "end": "2026-06-01"}, "reversed"),
        ({"end": "2026-06-16"}, "future"),
        ({"start": "1999-01-01", "end": "1999-02-01"}, "too_early"),
    ],
)
def test_refused_periods_fall_back_to_the_default(data, code):
    form = PeriodForm(data, today=TODAY)
    assert not form.is_valid()
    assert form.errors.as_data()["__all__"][0].code == code
    assert form.period() == Period.default(TODAY)


def test_the_longest_period_is_accepted_and_one_day_more_is_not():
    last = TODAY
    first = last - datetime.timedelta(days=MAX_DAYS - 1)
    assert PeriodForm({"start": first.isoformat(), "end": last.isoformat()}, today=TODAY).is_valid()
    earlier = (first - datetime.timedelta(days=1)).isoformat()
    assert not PeriodForm({"start": earlier, "end": last.isoformat()}, today=TODAY).is_valid()


def test_only_the_two_parameters_are_read_and_a_long_value_is_refused_not_cut_to_a_date():
    form = PeriodForm({"start": "2026-06-01" + "x" * 10_000, "other": "y" * 10_000}, today=TODAY)
    assert form.data == {"start": "2026-06-01x"}
    assert not form.is_valid() and "start" in form.errors
