"""SVG charts drawn at build time: readable without JavaScript, numbers printed beside bars.

Each chart is a plain function of its rows; labels are escaped, sizes computed here, so
templates only place the returned markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

ROW_HEIGHT = 26
LABEL_WIDTH = 220
BAR_WIDTH = 300
VALUE_WIDTH = 150
PALETTE = ("#c62828", "#ef6c00", "#9e9e9e")


@dataclass(frozen=True)
class Bar:
    """One row: a label and one or more stacked segments (value, legend name)."""

    label: str
    segments: tuple[tuple[int, str], ...]
    total: int
    note: str = ""


def bar_chart(title: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, each scaled to the largest total; the note is printed in text."""
    if not bars:
        return Markup("")
    scale = max((b.total for b in bars), default=0) or 1
    height = ROW_HEIGHT * len(bars) + 34
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [f'<svg class="sl-chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    legend = []
    for i, (_, name) in enumerate(bars[0].segments):
        x = LABEL_WIDTH + i * 110
        legend.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[i % 3]}"/>'
                      f'<text x="{x + 16}" y="15" font-size="12">{escape(name)}</text>')
    parts.extend(legend)
    for row, bar in enumerate(bars):
        y = 30 + row * ROW_HEIGHT
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" font-size="13" '
                     f'text-anchor="end">{escape(_short(bar.label))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{BAR_WIDTH}" height="18" '
                     'fill="#f0f0f0"/>')
        x = float(LABEL_WIDTH)
        for i, (value, _) in enumerate(bar.segments):
            w = BAR_WIDTH * value / scale
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="18" '
                             f'fill="{PALETTE[i % 3]}"/>')
            x += w
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 15}" font-size="12">'
                     f"{escape(bar.note)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def stacked_bars(chart: Any, rows: list[tuple[str, dict[str, Any]]],
                 statistics: dict[str, Any]) -> Markup:
    """A declared chart (statistics.Chart) over table rows (label, figures by ID).

    The stack is nested, innermost first (completed within launched within planned): each
    segment is a figure minus the one before it, and what is left of `of` is the rest.
    Declarations are checked at load; a figure missing in a row counts as zero, and a
    segment that would be negative (figures that are not nested after all) is drawn empty.
    """
    bars = []
    for label, values in rows:
        whole = _count(values.get(chart.of))
        segments, before = [], 0
        for figure, legend in chart.stack:
            value = _count(values.get(figure))
            segments.append((max(value - before, 0), legend))
            before = max(value, before)
        if chart.rest:
            segments.append((max(whole - before, 0), chart.rest))
        note = "，".join(f"{statistics[sid].label} {_count(values.get(sid))}"
                        for sid in (chart.of, *(f for f, _ in chart.stack)))
        bars.append(Bar(label, tuple(segments), max(whole, before), note))
    return bar_chart(chart.title, bars)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
