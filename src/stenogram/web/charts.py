"""Charts drawn on the server as SVG: no JavaScript, no inline styles (the CSP forbids both),
readable by screen readers through ``<title>`` and a text fallback table on the page."""

from __future__ import annotations

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


def year_chart(bars: Sequence[tuple[str, int]], *, title: str) -> str:
    """A bar chart of (label, value) pairs; the viewBox scales it to any width (phones)."""
    height = TOP + BAR_AREA + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        parts.append(
            f'<text x="{WIDTH // 2}" y="{height // 2}" text-anchor="middle" '
            f'font-size="14" fill="currentColor">No dated speeches</text></svg>'
        )
        return "".join(parts)
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
            f'height="{h:.1f}" fill="#3b6ea5"><title>{escape(label)}: {value:,} words</title>'
            "</rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + (slot - gap) / 2:.1f}" y="{base + 18}" text-anchor="middle" '
                f'font-size="12" fill="currentColor">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["year_chart"]
