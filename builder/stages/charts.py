"""SVG charts drawn at build time: readable without JavaScript, numbers printed beside bars.

Each chart is a plain function of its rows; labels are escaped, sizes computed here, so
templates only place the returned markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

# Drawn for a phone first: the viewBox is about as wide as a 390 px screen's content, so
# the text is drawn near its CSS size there (12-13 px, WCAG-legible) and scales up on a desktop
# (the stylesheet caps the width). Each label gets its own line above its bar, whole, wrapped
# rather than cut.
WIDTH = 340
LABEL_CHARS = 24           # CJK characters of 13 px on one line of WIDTH
NOTE_CHARS = 27           # of 12 px
LINE = 17
BAR = 16
PALETTE = ("#b71c1c", "#e65100", "#9e9e9e")
LEGEND_STEP = 110


@dataclass(frozen=True)
class Bar:
    """One row: a label and one or more stacked segments (value, legend name)."""

    label: str
    segments: tuple[tuple[int, str], ...]
    total: int
    note: str = ""


def bar_chart(title: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, each scaled to the largest total, with its label above and its
    numbers below in text; the numbers are also in the SVG's description for screen readers."""
    if not bars:
        return Markup("")
    scale = max((b.total for b in bars), default=0) or 1
    parts, y = [], 0
    for i, (_, name) in enumerate(bars[0].segments):
        x = i * LEGEND_STEP
        parts.append(f'<rect x="{x}" y="{y + 2}" width="12" height="12" fill="{PALETTE[i % 3]}"/>'
                     f'<text x="{x + 16}" y="{y + 13}" font-size="12">{escape(name)}</text>')
    y += 26
    for bar in bars:
        for line in _lines(bar.label):
            parts.append(f'<text x="0" y="{y + 13}" font-size="13">{escape(line)}</text>')
            y += LINE
        parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{BAR}" fill="#eeeeee"/>')
        x = 0.0
        for i, (value, _) in enumerate(bar.segments):
            w = WIDTH * value / scale
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" '
                             f'fill="{PALETTE[i % 3]}"/>')
            x += w
        y += BAR
        for line in _lines(bar.note, NOTE_CHARS) if bar.note else ():
            parts.append(f'<text x="0" y="{y + 14}" font-size="12" fill="#212121">'
                         f"{escape(line)}</text>")
            y += LINE
        y += 10
    description = "；".join(f"{b.label}：{b.note}" for b in bars if b.note)
    head = (f'<svg class="sl-chart" role="img" aria-label="{escape(title)}" '
            f'viewBox="0 0 {WIDTH} {y}" width="100%" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>")
    return Markup(head + "".join(parts) + "</svg>")


def _lines(label: str, limit: int = LABEL_CHARS) -> list[str]:
    """A label whole, in lines of at most `limit` characters (never cut with an ellipsis)."""
    return [label[i:i + limit] for i in range(0, len(label), limit)] or [""]


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
