"""A horizontal bar chart as inline SVG, drawn on the server: readable without JavaScript, nothing fetched.

Pure: text in, text out. Every label is escaped; the numbers are laid out here so the picture needs no
script and no external resource (the Content-Security-Policy allows neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 760
LABEL_WIDTH = 96  # the city names
NOTE_WIDTH = 230  # the figures written after each bar
ROW_HEIGHT = 22
BAR_HEIGHT = 14
TOP = 34  # room for the legend
TOTAL_COLOUR = "#79aec8"
PART_COLOUR = "#264b5d"


@dataclass(frozen=True)
class Bar:
    """One row: ``total`` drawn as a bar, ``part`` of it drawn darker, ``note`` written after it."""

    label: str
    total: int
    part: int
    note: str


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, total_name: str, part_name: str) -> str:
    """The SVG of ``bars`` (one per row), with a legend naming the whole and the darker part."""
    plot = WIDTH - LABEL_WIDTH - NOTE_WIDTH
    largest = max((bar.total for bar in bars), default=0) or 1
    height = TOP + ROW_HEIGHT * max(len(bars), 1) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="home-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="home-chart-title home-chart-desc">',
        f'<title id="home-chart-title">{escape(title)}</title>',
        f'<desc id="home-chart-desc">{escape(description)}</desc>',
        f'<rect x="{LABEL_WIDTH}" y="6" width="12" height="12" fill="{TOTAL_COLOUR}"/>',
        f'<text x="{LABEL_WIDTH + 18}" y="16" font-size="12">{escape(total_name)}</text>',
        f'<rect x="{LABEL_WIDTH + 150}" y="6" width="12" height="12" fill="{PART_COLOUR}"/>',
        f'<text x="{LABEL_WIDTH + 168}" y="16" font-size="12">{escape(part_name)}</text>',
    ]
    for row, bar in enumerate(bars):
        y = TOP + row * ROW_HEIGHT
        length = plot * bar.total / largest
        part = plot * min(bar.part, bar.total) / largest
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 3}" font-size="12" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        if bar.total:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_number(max(length, 1))}" height="{BAR_HEIGHT}" '
                f'fill="{TOTAL_COLOUR}"/>'
            )
        if bar.part:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_number(max(part, 1))}" height="{BAR_HEIGHT}" '
                f'fill="{PART_COLOUR}"/>'
            )
        parts.append(
            f'<text x="{_number(LABEL_WIDTH + length + 6)}" y="{y + BAR_HEIGHT - 3}" font-size="11">'
            f"{escape(bar.note)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
