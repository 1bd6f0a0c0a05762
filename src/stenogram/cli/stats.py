"""``stenogram stats ...``: the analytics of issue 14 (``stenogram.stats``), one command per
question. Each prints an aligned table, or ``--json`` (the statistic's ``to_json()``, one
object) or ``--csv`` (its ``table()``), and ``--chart FILE.svg|FILE.png`` draws it too.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    _columns,
    _settings,
    _stderr,
    _user_errors,
    _write_json,
    app,
)

if TYPE_CHECKING:
    from ..archive import Archive
    from ..stats import Result

stats_app = typer.Typer(
    name="stats",
    help="Statistics over the archive: trends, speakers, distinctive terms, co-attendance, "
    "calendar, places. Every one takes the search query language as --query.",
    no_args_is_help=True,
)
app.add_typer(stats_app)


QueryOption = Annotated[
    str,
    typer.Option(
        "--query", "-q", help="Only what this search matches (speaker:, topic:, geo:, from:/to:…)."
    ),
]
# Periods and splits are checked by the library, so a wrong one is a QueryError like any other.
ByOption = Annotated[str, typer.Option("--by", metavar="year|month", help="Period.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print the table as CSV.")]
ChartOption = Annotated[
    Path | None,
    typer.Option("--chart", metavar="FILE", help="Also draw the chart to FILE.svg or FILE.png."),
]


def _run(
    ctx: typer.Context,
    archive: Path | None,
    ask: Callable[[Archive], Result],
    *,
    as_json: bool,
    as_csv: bool,
    chart: Path | None,
) -> None:
    """Open the archive, answer, print; errors end with their exit code (cli.common)."""
    from ..ingest import open_archive
    from ..stats import charts

    with _user_errors():
        fmt = _chart_format(chart)
        with open_archive(_settings(ctx, archive)) as opened:
            result = ask(opened)
        if chart is not None and fmt is not None:
            chart.write_bytes(charts.render(result, fmt))
    if as_json:
        _write_json(result.to_json())
    elif as_csv:
        header, rows = result.table()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:
        header, rows = result.table()
        print(_columns(header, [[_cell(v) for v in row] for row in rows]))
        _stderr().print(result.caption())


def _cell(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _chart_format(chart: Path | None) -> Any:
    from ..errors import QueryError
    from ..stats.charts import FORMATS

    if chart is None:
        return None
    fmt = chart.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise QueryError(f"--chart must end in .svg or .png, not {chart.name!r}")
    return fmt


@stats_app.command()
def trend(
    ctx: typer.Context,
    terms: Annotated[
        list[str],
        typer.Argument(
            help="Up to 6 words or phrases, matched as printed (or a query).", show_default=False
        ),
    ],
    by: ByOption = "year",
    per: Annotated[
        str | None, typer.Option("--per", metavar="speaker|role", help="Split the series.")
    ] = None,
    query: QueryOption = "",
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
    chart: ChartOption = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Speeches using each term per period, and per million words of that period."""
    from .. import stats
    from ..stats.scope import check_period
    from ..stats.trend import check_per

    _run(
        ctx,
        archive,
        lambda a: stats.trend(a, terms, by=check_period(by), per=check_per(per), query=query),
        as_json=as_json,
        as_csv=as_csv,
        chart=chart,
    )


@stats_app.command()
def speakers(
    ctx: typer.Context,
    by: ByOption = "year",
    query: QueryOption = "",
    person: Annotated[
        str | None, typer.Option("--person", help="One person's activity (id or publisher key).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Top speakers shown.")] = 20,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
    chart: ChartOption = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Events, speeches and words per period and the top speakers; or one person's activity."""
    from .. import stats
    from ..stats.scope import check_period

    def ask(a: Archive) -> Result:
        if person is not None:
            return stats.person_activity(a, person, by=check_period(by))
        return stats.speakers(a, by=check_period(by), query=query, limit=limit)

    _run(ctx, archive, ask, as_json=as_json, as_csv=as_csv, chart=chart)


@stats_app.command()
def distinctive(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The speeches to set apart (e.g. speaker:NAME).")],
    against: Annotated[
        str, typer.Option("--against", help="Compare with these speeches (default: all others).")
    ] = "",
    limit: Annotated[int, typer.Option("--limit", help="Terms shown.")] = 30,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
    chart: ChartOption = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Words and two-word phrases that set the matched speeches apart (weighted log-odds)."""
    from .. import stats

    _run(
        ctx,
        archive,
        lambda a: stats.distinctive(a, query=query, against=against, limit=limit),
        as_json=as_json,
        as_csv=as_csv,
        chart=chart,
    )


@stats_app.command()
def network(
    ctx: typer.Context,
    query: QueryOption = "",
    person: Annotated[
        str | None, typer.Option("--person", help="That person's ego network (id or key).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="People kept, the most present.")] = 100,
    graphml: Annotated[
        Path | None, typer.Option("--graphml", metavar="FILE", help="Also write GraphML.")
    ] = None,
    gexf: Annotated[
        Path | None, typer.Option("--gexf", metavar="FILE", help="Also write GEXF.")
    ] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
    chart: ChartOption = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Who appears with whom in the matched events, weighted by events together."""
    from .. import stats

    def ask(a: Archive) -> Result:
        found = stats.network(a, query=query, person_id=person, limit=limit)
        if graphml is not None:
            graphml.write_text(found.to_graphml(), encoding="utf-8")
        if gexf is not None:
            gexf.write_text(found.to_gexf(), encoding="utf-8")
        return found

    _run(ctx, archive, ask, as_json=as_json, as_csv=as_csv, chart=chart)


@stats_app.command()
def calendar(
    ctx: typer.Context,
    query: QueryOption = "",
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
    chart: ChartOption = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Events per day of the matched events."""
    from .. import stats

    _run(
        ctx,
        archive,
        lambda a: stats.calendar(a, query=query, year=year),
        as_json=as_json,
        as_csv=as_csv,
        chart=chart,
    )


@stats_app.command()
def places(
    ctx: typer.Context,
    by: ByOption = "year",
    query: QueryOption = "",
    limit: Annotated[int, typer.Option("--limit", help="Places and countries per period.")] = 20,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
    chart: ChartOption = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Events by place and by country (geography tag) per period."""
    from .. import stats
    from ..stats.scope import check_period

    _run(
        ctx,
        archive,
        lambda a: stats.places(a, by=check_period(by), query=query, limit=limit),
        as_json=as_json,
        as_csv=as_csv,
        chart=chart,
    )
