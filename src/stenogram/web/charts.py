"""Charts drawn on the server as SVG: no JavaScript, no inline styles (the CSP forbids both),
readable by screen readers through ``<title>``, ``<desc>`` and a text fallback table on the page.

Every chart has a ``viewBox`` and no fixed size, so it scales to a phone's width; its text is
drawn in ``currentColor`` so that it follows the page's colour scheme, and its series take the
Okabe-Ito colours, which stay apart for the common colour-vision deficiencies.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH = 640
BAR_AREA = 180
TOP = 24
BOTTOM = 40
LEFT = 56


def _tick(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1000:
        return f"{value / 1000:.0f}k" if value >= 10_000 else f"{value / 1000:.1f}k"
    return str(value)


def _open(width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>" if desc else "",
    ]


def _nothing(parts: list[str], width: int, height: int, message: str) -> str:
    parts.append(
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" '
        f'font-size="14" fill="currentColor">{escape(message)}</text></svg>'
    )
    return "".join(parts)


def year_chart(
    bars: Sequence[tuple[str, int]], *, title: str, desc: str = "", unit: str = "words"
) -> str:
    """A bar chart of (label, value) pairs; the viewBox scales it to any width (phones)."""
    height = TOP + BAR_AREA + BOTTOM
    parts = _open(WIDTH, height, title, desc)
    if not bars:
        return _nothing(parts, WIDTH, height, "No dated speeches")
    peak = max(value for _, value in bars) or 1
    slot = (WIDTH - LEFT - 8) / len(bars)
    gap = min(4.0, slot * 0.2)
    base = TOP + BAR_AREA
    parts.append(
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="currentColor"/>'
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="12" '
        f'fill="currentColor">{_tick(peak)}</text>'
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end" font-size="12" '
        f'fill="currentColor">0</text>'
    )
    every = max(1, round(len(bars) / 12))
    for i, (label, value) in enumerate(bars):
        h = BAR_AREA * value / peak
        x = LEFT + i * slot + gap / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{slot - gap:.1f}" '
            f'height="{h:.1f}" fill="#3b6ea5"><title>{escape(label)}: {value:,} {unit}</title>'
            "</rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + (slot - gap) / 2:.1f}" y="{base + 18}" text-anchor="middle" '
                f'font-size="12" fill="currentColor">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


#: Okabe-Ito: told apart with the common colour-vision deficiencies, in light and dark pages.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999")
Series = tuple[str, Sequence[tuple[str, float]]]


def _number(value: float) -> str:
    return _tick(round(value)) if value >= 10 or value == 0 else f"{value:.2g}"


def line_chart(series: Sequence[Series], *, title: str, desc: str = "", unit: str = "") -> str:
    """Lines of (period, value) over the periods of all series, one colour each, with a legend
    above the plot (a legend beside it would leave no plot on a phone)."""
    periods = sorted({period for _, points in series for period, _ in points})
    legend_rows = -(-len(series) // 2)
    top = TOP + 18 * legend_rows
    height = top + BAR_AREA + BOTTOM
    parts = _open(WIDTH, height, title, desc)
    if not periods:
        return _nothing(parts, WIDTH, height, "Nothing counted")
    peak = max((value for _, points in series for _, value in points), default=0) or 1
    step = (WIDTH - LEFT - 40) / max(1, len(periods) - 1)
    base = top + BAR_AREA
    place = {period: LEFT + 8 + i * step for i, period in enumerate(periods)}
    parts.append(
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="currentColor"/>'
        f'<text x="{LEFT - 6}" y="{top + 4}" text-anchor="end" font-size="12" '
        f'fill="currentColor">{_number(peak)}</text>'
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end" font-size="12" '
        f'fill="currentColor">0</text>'
    )
    every = max(1, math.ceil(len(periods) / 8))
    for i, period in enumerate(periods):
        if i % every == 0:
            parts.append(
                f'<text x="{place[period]:.1f}" y="{base + 18}" text-anchor="middle" '
                f'font-size="12" fill="currentColor">{escape(period)}</text>'
            )
    for n, (label, points) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        xy = [(place[p], base - BAR_AREA * v / peak, p, v) for p, v in sorted(points)]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in xy)
        parts.append(
            f'<g class="series"><polyline points="{line}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"/>'
        )
        parts += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>'
            f"{escape(label)}, {escape(p)}: {v:,.2f} {escape(unit)}</title></circle>"
            for x, y, p, v in xy
        ]
        lx, ly = LEFT + (n % 2) * (WIDTH - LEFT) / 2, TOP + 18 * (n // 2)
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 18:.1f}" y="{ly + 2}" font-size="13" fill="currentColor">'
            f"{escape(_short(label, 34))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def bar_list_chart(
    bars: Sequence[tuple[str, float]], *, title: str, desc: str = "", unit: str = ""
) -> str:
    """Horizontal bars, one labelled row each, for a ranking (top speakers, places, terms):
    long labels stay readable at a phone's width, where upright bars would crowd them."""
    row = 22
    height = TOP + row * max(1, len(bars)) + 8
    parts = _open(WIDTH, height, title, desc)
    if not bars:
        return _nothing(parts, WIDTH, height, "Nothing counted")
    label_width = 230
    area = WIDTH - label_width - 70
    peak = max(abs(value) for _, value in bars) or 1
    for i, (label, value) in enumerate(bars):
        y = TOP + i * row
        w = area * abs(value) / peak
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" font-size="13" '
            f'fill="currentColor">{escape(_short(label, 32))}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {value:,.4g} {escape(unit)}</title>'
            "</rect>"
            f'<text x="{label_width + w + 4:.1f}" y="{y + 14}" font-size="12" '
            f'fill="currentColor">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


#: A network's labels: at most this many characters, in this much room beside the ring.
LABEL_CHARS = 16
LABEL_ROOM = 130


def _circle_layout(count: int, radius: float, cx: float, cy: float) -> list[tuple[float, float]]:
    return [
        (
            cx + radius * math.cos(2 * math.pi * i / count - math.pi / 2),
            cy + radius * math.sin(2 * math.pi * i / count - math.pi / 2),
        )
        for i in range(count)
    ]


def network_chart(
    nodes: Sequence[tuple[str, float]],
    edges: Sequence[tuple[int, int, float]],
    *,
    title: str,
    desc: str = "",
    centre: int | None = None,
) -> str:
    """People as points on a circle (``centre``, an ego network's person, in its middle),
    edges as lines as thick as their weight: a layout that is the same on every request and
    never hides a name under another, as a force layout of a dense graph does."""
    # Each name gets a line's height of the ring, and room beside it for its label.
    radius = max(140.0, 2.6 * len(nodes))
    width, height = round(2 * (radius + LABEL_ROOM)), round(2 * (radius + 24))
    cx, cy = width / 2, height / 2
    parts = _open(width, height, title, desc)
    if not nodes:
        return _nothing(parts, width, height, "Nobody appears with anybody here")
    ring = [i for i in range(len(nodes)) if i != centre]
    at: dict[int, tuple[float, float]] = dict(
        zip(ring, _circle_layout(len(ring), radius, cx, cy), strict=True)
    )
    if centre is not None:
        at[centre] = (cx, cy)
    heaviest = max((w for _, _, w in edges), default=1) or 1
    for a, b, weight in edges:
        (x1, y1), (x2, y2) = at[a], at[b]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{PALETTE[4]}" stroke-opacity="0.7" '
            f'stroke-width="{0.75 + 5 * weight / heaviest:.2f}"><title>'
            f"{escape(nodes[a][0])} and {escape(nodes[b][0])}: {weight:,g}</title></line>"
        )
    largest = max(w for _, w in nodes) or 1
    for i, (label, weight) in enumerate(nodes):
        x, y = at[i]
        r = 4 + 8 * math.sqrt(weight / largest)
        right = x >= cx - 1
        anchor, dx = ("start", r + 4) if right else ("end", -r - 4)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
            f'fill="{PALETTE[0 if i != centre else 5]}">'
            f"<title>{escape(label)}: {weight:,g}</title></circle>"
            f'<text x="{x + dx:.1f}" y="{y + 5:.1f}" text-anchor="{anchor}" font-size="14" '
            f'fill="currentColor">{escape(_short(label, LABEL_CHARS))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def calendar_chart(days: Sequence[tuple[str, int]], *, title: str, desc: str = "") -> str:
    """Events per day as a grid, a column per week and a row per weekday (the familiar
    contribution calendar), darker for busier days, for each year that has events."""
    counts = {dt.date.fromisoformat(day): n for day, n in days}
    years = sorted({day.year for day in counts})
    cell, band = 11, 8 * 11 + 22
    height = TOP + band * max(1, len(years))
    width = LEFT + 54 * cell + 8
    parts = _open(width, height, title, desc)
    if not counts:
        return _nothing(parts, width, height, "No events")
    busiest = max(counts.values()) or 1
    for row, year in enumerate(years):
        top = TOP + row * band
        parts.append(
            f'<text x="{LEFT - 8}" y="{top + 4 * cell}" text-anchor="end" font-size="13" '
            f'fill="currentColor">{year}</text>'
        )
        first = dt.date(year, 1, 1)
        for day, n in sorted(counts.items()):
            if day.year != year:
                continue
            week = (day - first).days // 7 + (1 if day.weekday() < first.weekday() else 0)
            shade = 0.25 + 0.75 * n / busiest
            parts.append(
                f'<rect x="{LEFT + week * cell}" y="{top + day.weekday() * cell}" '
                f'width="{cell - 1}" height="{cell - 1}" fill="{PALETTE[2]}" '
                f'fill-opacity="{shade:.2f}"><title>{day.isoformat()}: {n} events</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["bar_list_chart", "calendar_chart", "line_chart", "network_chart", "year_chart"]
