"""Charts of the statistics, drawn on the server with matplotlib (Agg: no display, no
JavaScript) as SVG or PNG. Shared by the CLI (``--chart``) and the web pages.

Every chart has a title and a one-line description; the SVG carries them as ``<title>`` and
``<desc>`` with ``role="img"``, so a screen reader names it (the data table beside it on a page
is the full text alternative). The figure is drawn at a phone-friendly aspect and the SVG
scales to any width. Output is deterministic (no date in the metadata, a fixed id salt), so a
chart of the same figures is the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from . import Result

Format = Literal["svg", "png"]
FORMATS: Final = ("svg", "png")
#: Inches at 100 dpi: 720 x 420 px, readable when scaled to a 375 px wide phone.
SIZE: Final = (7.2, 4.2)
DPI: Final = 100
#: Series or bars beyond this many make a chart unreadable; the table keeps them all.
MAX_SERIES: Final = 12
MAX_BARS: Final = 40
#: matplotlib's pyplot state is not thread-safe, and the web server draws from threads; the
#: object API used here is, but font caches are shared: one chart at a time.
_lock = threading.Lock()


def _figure() -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    matplotlib.rcParams["svg.hashsalt"] = "stenogram"
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def _save(figure: Figure, fmt: Format, title: str, description: str) -> bytes:
    if fmt not in FORMATS:
        from ..errors import QueryError

        raise QueryError(f"chart format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = io.BytesIO()
    metadata: dict[str, Any] = {"Title": title}
    if fmt == "svg":
        metadata |= {"Date": None, "Description": description}
    else:
        metadata |= {"Description": description, "Software": None}
    figure.savefig(out, format=fmt, metadata=metadata)
    data = out.getvalue()
    return _accessible(data, title, description) if fmt == "svg" else data


def _accessible(svg: bytes, title: str, description: str) -> bytes:
    """``role="img"`` and a ``<title>``/``<desc>`` as the root's first children."""
    text = svg.decode("utf-8")
    start = text.index("<svg")
    end = text.index(">", start)
    head = text[start:end]
    extra = ' role="img" aria-labelledby="chart-title chart-desc"'
    inserted = (
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(description)}</desc>'
    )
    return (text[:start] + head + extra + ">" + inserted + text[end + 1 :]).encode("utf-8")


def _frame(axes: Axes, title: str, y_label: str) -> None:
    axes.set_title(title, fontsize=12, loc="left")
    axes.set_ylabel(y_label)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    title: str,
    description: str,
    y_label: str,
    fmt: Format = "svg",
) -> bytes:
    """Lines of (label, [(period, value), ...]) over a shared period axis."""
    with _lock:
        figure, axes = _figure()
        periods = sorted({p for _, points in series for p, _ in points})
        where = {p: n for n, p in enumerate(periods)}
        for label, points in series[:MAX_SERIES]:
            axes.plot(
                [where[p] for p, _ in points], [v for _, v in points], marker=".", label=label
            )
        _period_ticks(axes, periods)
        _frame(axes, title, y_label)
        if series:
            axes.legend(fontsize=8, frameon=False)
        else:
            _empty(axes)
        return _save(figure, fmt, title, description)


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str,
    y_label: str,
    fmt: Format = "svg",
    horizontal: bool = False,
) -> bytes:
    """Bars of (label, value); ``horizontal`` for long labels (names, terms), largest on top."""
    with _lock:
        figure, axes = _figure()
        shown = list(bars[:MAX_BARS])
        if horizontal:
            shown.reverse()
            axes.barh([label for label, _ in shown], [value for _, value in shown])
            axes.tick_params(axis="y", labelsize=8)
            axes.set_xlabel(y_label)
            axes.set_title(title, fontsize=12, loc="left")
            axes.spines[["top", "right"]].set_visible(False)
        else:
            axes.bar(range(len(shown)), [value for _, value in shown])
            _period_ticks(axes, [label for label, _ in shown])
            _frame(axes, title, y_label)
        if not shown:
            _empty(axes)
        return _save(figure, fmt, title, description)


def network_chart(
    nodes: Sequence[tuple[str, str, int]],
    edges: Sequence[tuple[str, str, int]],
    *,
    title: str,
    description: str,
    fmt: Format = "svg",
) -> bytes:
    """Nodes (id, name, events) on a circle, the most present first; edges (source, target,
    weight) drawn thicker with weight. A circle reads at any size and needs no layout library."""
    with _lock:
        figure, axes = _figure()
        shown = list(nodes[:MAX_BARS])
        where = {
            node: (
                math.cos(2 * math.pi * n / max(len(shown), 1)),
                math.sin(2 * math.pi * n / max(len(shown), 1)),
            )
            for n, (node, _, _) in enumerate(shown)
        }
        heaviest = max((w for _, _, w in edges), default=1)
        for source, target, weight in edges:
            if source in where and target in where:
                (x1, y1), (x2, y2) = where[source], where[target]
                axes.plot(
                    [x1, x2],
                    [y1, y2],
                    linewidth=0.5 + 3 * weight / heaviest,
                    alpha=0.4,
                    color="grey",
                )
        most = max((e for _, _, e in shown), default=1)
        for node, name, events in shown:
            x, y = where[node]
            axes.scatter([x], [y], s=20 + 200 * events / most, zorder=3)
            axes.annotate(
                name,
                (x, y),
                fontsize=7,
                ha="center",
                va="bottom",
                xytext=(0, 5),
                textcoords="offset points",
            )
        axes.set_axis_off()
        axes.set_aspect("equal")
        axes.set_title(title, fontsize=12, loc="left")
        if not shown:
            _empty(axes)
        return _save(figure, fmt, title, description)


def calendar_chart(
    days: Sequence[tuple[dt.date, int]], *, title: str, description: str, fmt: Format = "svg"
) -> bytes:
    """One year: a week-by-weekday grid shaded by events. Several years: events per month."""
    years = {day.year for day, _ in days}
    if len(years) != 1:
        months: dict[str, int] = {}
        for day, n in days:
            key = f"{day.year:04d}-{day.month:02d}"
            months[key] = months.get(key, 0) + n
        return bar_chart(
            sorted(months.items()), title=title, description=description, y_label="events", fmt=fmt
        )
    with _lock:
        figure, axes = _figure()
        year = years.pop()
        first = dt.date(year, 1, 1)
        grid = [[0.0] * 54 for _ in range(7)]
        for day, n in days:
            week = (day - first).days // 7
            grid[day.weekday()][week] = n
        image = axes.imshow(grid, aspect="auto", cmap="Greens", interpolation="nearest")
        figure.colorbar(image, ax=axes, label="events", shrink=0.6)
        axes.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], fontsize=8)
        axes.set_xlabel(f"week of {year}")
        axes.set_title(title, fontsize=12, loc="left")
        return _save(figure, fmt, title, description)


def _period_ticks(axes: Axes, labels: Sequence[str]) -> None:
    every = max(1, math.ceil(len(labels) / 12))
    ticks = list(range(0, len(labels), every))
    axes.set_xticks(
        ticks,
        [labels[n] for n in ticks],
        rotation=45 if every > 1 or len(labels) > 8 else 0,
        fontsize=8,
    )


def _empty(axes: Axes) -> None:
    axes.text(0.5, 0.5, "Nothing matched", ha="center", va="center", transform=axes.transAxes)


def render(result: Result, fmt: Format = "svg") -> bytes:
    """The chart of a statistic (its ``caption()`` is the description)."""
    from .calendar import Calendar
    from .distinctive import Distinctive
    from .network import Network
    from .places import Places
    from .speakers import PersonActivity, SpeakerStats
    from .trend import Trend

    about = result.caption()
    match result:
        case Trend():
            lines = [
                (s.label, [(p.period, p.per_million) for p in s.points]) for s in result.series
            ]
            return line_chart(
                lines,
                title="Term trend",
                description=about,
                y_label="speeches per million words",
                fmt=fmt,
            )
        case SpeakerStats():
            bars = [(p.period, float(p.speeches)) for p in result.periods]
            return bar_chart(
                bars, title="Speeches per period", description=about, y_label="speeches", fmt=fmt
            )
        case PersonActivity():
            bars = [(p.period, float(p.speeches)) for p in result.periods]
            return bar_chart(
                bars,
                title=f"{result.name}: speeches",
                description=about,
                y_label="speeches",
                fmt=fmt,
            )
        case Distinctive():
            bars = [(t.term, t.z) for t in result.terms]
            return bar_chart(
                bars,
                title="Distinctive terms",
                description=about,
                y_label="z (weighted log-odds)",
                fmt=fmt,
                horizontal=True,
            )
        case Network():
            nodes = [(n.id, n.name, n.events) for n in result.nodes]
            edges = [(e.source, e.target, e.weight) for e in result.edges]
            return network_chart(nodes, edges, title="Co-attendance", description=about, fmt=fmt)
        case Calendar():
            return calendar_chart(result.days, title="Events per day", description=about, fmt=fmt)
        case Places():
            counts: dict[str, int] = {}
            for period in result.periods:
                for name, n in period.countries:
                    counts[name] = counts.get(name, 0) + n
            bars = sorted(((k, float(v)) for k, v in counts.items()), key=lambda i: (-i[1], i[0]))
            return bar_chart(
                bars,
                title="Events by country or region",
                description=about,
                y_label="events",
                fmt=fmt,
                horizontal=True,
            )
    raise AssertionError(result)  # pragma: no cover - the match covers every statistic
