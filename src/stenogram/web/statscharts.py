"""The chart of each statistic, drawn from its JSON (the object the API answers) with the
SVG primitives of :mod:`.charts`; PNG is that SVG rasterised, so the two never differ.

A chart's ``<title>`` names the question, its ``<desc>`` is the caption saying what was counted;
the page's data table is its full text alternative.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import cairosvg
from markupsafe import Markup

from .charts import bar_list_chart, calendar_chart, line_chart, network_chart, year_chart

#: Pixels across of a downloaded PNG (the SVG's viewBox is scaled to it).
PNG_WIDTH: Final = 1280


def _label(series: dict[str, Any]) -> str:
    """A series is a term, or a term said by one speaker or in one role."""
    split = series.get("speaker") or series.get("role") or series.get("name")
    return f"{series['term']} · {split}" if split else str(series["term"])


def trend(result: dict[str, Any], title: str, desc: str) -> str:
    lines = [
        (_label(s), [(p["period"], float(p["per_million"])) for p in s["points"]])
        for s in result["series"]
    ]
    return line_chart(lines, title=title, desc=desc, unit="per million words")


def speakers(result: dict[str, Any], title: str, desc: str) -> str:
    bars = [(str(p["period"]), int(p["words"])) for p in result["periods"]]
    return year_chart(bars, title=title, desc=desc, unit="words")


def activity(result: dict[str, Any], title: str, desc: str) -> str:
    return speakers(result, title, desc)


def distinctive(result: dict[str, Any], title: str, desc: str) -> str:
    bars = [(t["term"], float(t["score"])) for t in result["terms"]]
    return bar_list_chart(bars, title=title, desc=desc, unit="log-odds z-score")


def network(result: dict[str, Any], title: str, desc: str) -> str:
    nodes = result["nodes"]
    order = {node["id"]: i for i, node in enumerate(nodes)}
    centre = order.get(result.get("person_id"))
    return network_chart(
        [(n["name"], float(n.get("events", 1))) for n in nodes],
        [(order[e["source"]], order[e["target"]], float(e["weight"])) for e in result["edges"]],
        title=title,
        desc=desc,
        centre=centre,
    )


def calendar(result: dict[str, Any], title: str, desc: str) -> str:
    days = [(d["date"], int(d["events"])) for d in result["days"]]
    return calendar_chart(days, title=title, desc=desc)


def places(result: dict[str, Any], title: str, desc: str) -> str:
    bars = [(p["place"], float(p["events"])) for p in result["places"]][:25]
    return bar_list_chart(bars, title=title, desc=desc, unit="events")


CHARTS: Final[dict[str, Callable[[dict[str, Any], str, str], str]]] = {
    "trend": trend,
    "speakers": speakers,
    "activity": activity,
    "distinctive": distinctive,
    "network": network,
    "calendar": calendar,
    "places": places,
}


def chart_svg(found: dict[str, Any]) -> str:
    """The chart of a page of :func:`.statsdata.answer`."""
    draw = CHARTS[found["question"]]
    return draw(found["result"], found["title"], found["caption"] or "")


def chart_png(found: dict[str, Any]) -> bytes:
    """The same chart as PNG, dark on white (``currentColor`` has no page to follow here)."""
    svg = chart_svg(found).replace("currentColor", "#1d1d1f")
    png: bytes = cairosvg.svg2png(
        bytestring=svg.encode(), output_width=PNG_WIDTH, background_color="white"
    )
    return png


def inline_chart(name: str, part: dict[str, Any], title: str) -> Markup:
    """A chart for a page to embed: every text in it is escaped by the primitives."""
    return Markup(CHARTS[name](part["result"], title, part.get("caption") or ""))
