"""``search``, ``show`` and ``info``: the commands that only read the archive.

Together because they share its text output: plain aligned columns (``_columns``) and one JSON
record per line under ``--json``, so that what one prints another's reader can expect.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from ..ids import MAX_ID
from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    JsonOption,
    _columns,
    _report,
    _settings,
    _stdout,
    _user_errors,
    _write_json,
    app,
)

if TYPE_CHECKING:
    # Imported by the commands when they run: see the package docstring.
    from ..archive import ArchiveInfo, EventDiff
    from ..export.cite import Citation
    from ..queries import RevisionSummary
    from ..search import Hit, SearchResult
    from ..search.engine import Sort

#: Facet values shown per facet in the human search output (``--json`` has them all).
FACET_SHOWN = 8


# --- search -----------------------------------------------------------------------------------


class SortOrder(StrEnum):
    relevance = "relevance"
    date = "date"
    newest = "-date"


_SORTS: dict[SortOrder, Sort] = {
    SortOrder.relevance: "relevance",
    SortOrder.date: "date",
    SortOrder.newest: "-date",
}


#: The examples of ``search --help``; a test runs each on the demo archive.
SEARCH_EXAMPLES: tuple[str, ...] = (
    '"national projects" speaker:"Vladimir Putin"',
    "sanction* NOT Europe date:2014..2019",
    "title:summit participant:Lukashenko",
)


@app.command(epilog="Examples: " + " · ".join(f"stenogram search '{q}'" for q in SEARCH_EXAMPLES))
def search(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words (stemmed), "exact phrase", ~"loose phrase", prefix*, AND/OR/NOT, '
            "speaker:, participant:, role:, title:, topic:, geo:, place:, section:, category:, "
            "lang:, from:2016 to:2018-06, date:2016..2018 (docs/query-language.md).",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON hit per line, then a line of facets.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="How many hits.")] = 10,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many hits first.")] = 0,
    sort: Annotated[SortOrder, typer.Option("--sort", help="Order of the hits.")] = (
        SortOrder.relevance
    ),
    events: Annotated[
        bool, typer.Option("--events", help="One hit per event instead of per speech.")
    ] = False,
    facet_limit: Annotated[
        int, typer.Option("--facet-limit", help="Values per facet (--json too).")
    ] = 20,
    reported: Annotated[
        bool,
        typer.Option(
            "--reported",
            help="With speaker:, also events' narrative that reports what they said, marked.",
        ),
    ] = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Search what was said: ranked hits with snippets and facet counts."""
    from .. import queries
    from ..errors import AmbiguousName

    with _user_errors():
        try:
            result = queries.search_archive(
                _settings(ctx, archive),
                query,
                limit=limit,
                offset=offset,
                sort=_SORTS[sort],
                events=events,
                facet_limit=facet_limit,
                reported=reported,
            )
        except AmbiguousName as exc:
            # After the error line, one line per candidate: any of them can be pasted back.
            _report(exc)
            for person_id, name in exc.candidates:
                typer.echo(f"  {person_id}\t{name}", err=True)
            raise typer.Exit(exc.exit_code) from None
    if as_json:
        out = sys.stdout.buffer
        for hit in result.hits:
            _write_json(hit.to_dict(), out)
        facets = {
            name: [{"value": value, "count": count} for value, count in buckets]
            for name, buckets in result.facets.items()
        }
        _write_json(
            {
                "facets": facets,
                "facet_sizes": result.facet_sizes,
                "total": result.total,
                "nearest": result.nearest,
                "reported": result.reported,
            },
            out,
        )
        out.flush()
    else:
        _print_hits(result, offset)


def _snippet(hit: Hit) -> Text:
    """The snippet with its matched passages in bold."""
    text = Text(hit.snippet.replace("\n", " "))
    for start, end in hit.highlights:
        text.stylize("bold", start, end)
    return text


def _print_hits(result: SearchResult, offset: int) -> None:
    out = _stdout()
    if result.nearest:
        out.print(
            Text(f"no exact match; nearest passages ({result.nearest}), not exact:", style="bold")
        )
    for number, hit in enumerate(result.hits, offset + 1):
        line = Text(f"{number}. ", style="dim")
        if not hit.exact:
            line.append("[not exact] ", style="yellow")
        if hit.reported:
            line.append("[reported speech] ", style="yellow")
        if hit.kind == "speech":
            line.append(hit.speaker or hit.attribution or "(no speaker)", style="bold")
            if hit.role:
                line.append(f", {hit.role}")
        else:
            line.append(hit.title, style="bold")
        where = " · ".join(value for value in (hit.date, hit.place) if value)
        if where:
            line.append(f" — {where}")
        out.print(line)
        if hit.kind == "speech":
            out.print(Text(f"   {hit.title}", style="italic"))
        out.print(Text("   ") + _snippet(hit))
        out.print(Text(f"   {hit.url}", style="cyan"))
    if result.hits:
        last = offset + len(result.hits)
        out.print(f"hits {offset + 1}–{last} of {result.total}")
    else:
        out.print(f"no hits (of {result.total})" if result.total else "no hits")
    if result.reported:
        out.print(
            f"left out: {result.reported} events' narrative also matches, with the speaker "
            "present (reported speech); --reported includes it"
        )
    for name, buckets in result.facets.items():
        if buckets:
            shown = " · ".join(f"{value} ({count})" for value, count in buckets[:FACET_SHOWN])
            size = result.facet_sizes.get(name, len(buckets))
            more = f" · … ({min(FACET_SHOWN, size)} of {size})" if size > FACET_SHOWN else ""
            out.print(Text(f"{name}: ", style="bold") + Text(shown + more))


# --- show -------------------------------------------------------------------------------------


@app.command()
def show(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="EVENT_ID",
            help="The publisher's id (53016, or en.kremlin.ru:53016) or the archive's id.",
            show_default=False,
        ),
    ],
    between: Annotated[
        list[int] | None,
        typer.Argument(
            metavar="[A [B]]",
            help="With --diff: compare revision A with B (default: the previous with the current).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    revision: Annotated[
        int | None,
        typer.Option("--revision", min=1, max=MAX_ID, help="Show this older revision."),
    ] = None,
    revisions: Annotated[
        bool, typer.Option("--revisions", help="List the stored revisions and what changed.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Speech by speech, the words added and removed.")
    ] = False,
    cite: Annotated[
        bool,
        typer.Option(
            "--cite",
            help="Print a citation to paste. Its permalink is absolute on STENOGRAM_PUBLIC_URL; "
            "unset, it is site-relative (/events/...).",
        ),
    ] = False,
    speech: Annotated[
        int | None,
        typer.Option("--speech", min=1, metavar="N", help="With --cite: cite the N-th speech."),
    ] = None,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Print an event as a text version like the publisher's (or its JSON record)."""
    from .. import queries
    from ..export.textversion import render_text

    numbers = between or []
    if revisions and diff:
        raise typer.BadParameter("--revisions and --diff cannot be combined")
    if numbers and not diff:
        raise typer.BadParameter("revision numbers after EVENT_ID go with --diff")
    if len(numbers) > 2:
        raise typer.BadParameter("--diff compares two revisions: give at most A and B")
    if revision is not None and (revisions or diff):
        raise typer.BadParameter("--revision shows one revision; it does not go with these")
    if cite and (revisions or diff):
        raise typer.BadParameter("--cite cites one revision; it does not go with these")
    if speech is not None and not cite:
        raise typer.BadParameter("--speech goes with --cite")
    with _user_errors():
        settings = _settings(ctx, archive)
        if cite:
            _print_citation(queries.event_citation(settings, ref, revision, speech), as_json)
            return
        if revisions:
            _print_revisions(queries.event_revisions(settings, ref), as_json)
            return
        if diff:
            a, b = (*numbers, None, None)[:2]
            _print_diff(queries.event_diff(settings, ref, a, b), as_json)
            return
        stored = queries.show_event(settings, ref, revision)
    if as_json:
        _write_json(queries.event_record(stored))
    else:
        typer.echo(render_text(stored.document))


def _print_citation(citation: Citation, as_json: bool) -> None:
    if as_json:
        _write_json(citation.to_dict())
        return
    typer.echo(citation.text)
    if citation.permalink.startswith("/"):
        typer.echo(
            "note: the permalink is relative; set STENOGRAM_PUBLIC_URL to the archive's address",
            err=True,
        )


def _print_diff(diff: EventDiff, as_json: bool) -> None:
    from ..archive import render_diff

    if as_json:
        _write_json(diff.to_dict())
    elif diff.old_revision == diff.new_revision:
        typer.echo(f"only revision {diff.new_revision} to show: nothing to compare")
    else:
        typer.echo(render_diff(diff))


def _changes(item: RevisionSummary) -> str:
    if item.info.number == 1:
        return "first stored"
    parts = []
    if item.fields:
        parts.append("fields " + ", ".join(item.fields))
    counts = (
        (item.speeches_changed, "changed"),
        (item.speeches_added, "added"),
        (item.speeches_removed, "removed"),
    )
    speeches = ", ".join(f"{n} {label}" for n, label in counts if n)
    if speeches:
        parts.append(f"speeches {speeches}")
    if item.words_added or item.words_removed:
        parts.append(f"words +{item.words_added} -{item.words_removed}")
    return "; ".join(parts) or "no visible change"


def _print_revisions(history: Sequence[RevisionSummary], as_json: bool) -> None:
    if as_json:
        for item in history:
            _write_json(item.to_dict())
        return
    rows = [
        (
            f"{item.info.number}{'*' if item.info.current else ''}",
            item.info.stored,
            item.info.content_hash[:12],
            str(item.info.speeches),
            str(item.info.words),
            _changes(item),
        )
        for item in history
    ]
    typer.echo(_columns(("rev", "stored", "hash", "speeches", "words", "what changed"), rows))


# --- info -------------------------------------------------------------------------------------


@app.command()
def info(
    ctx: typer.Context,
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """What the archive holds: counts, size, and per source the events and their dates."""
    from .. import queries

    with _user_errors():
        facts = queries.archive_info(_settings(ctx, archive))
    if as_json:
        _write_json(facts.to_dict())
    else:
        typer.echo(_info_text(facts))


def _info_text(facts: ArchiveInfo) -> str:
    rows = [("archive", str(facts.path)), ("database", facts.database)]
    rows += [
        (name, f"{value:,}")
        for name, value in (
            ("events", facts.events),
            ("speeches", facts.speeches),
            ("people", facts.people),
            ("revisions", facts.revisions),
            ("sources", facts.sources),
        )
    ]
    rows.append(("size", _size(facts.bytes)))
    if facts.index is not None and facts.index_lag is not None:
        lag = facts.index_lag
        rows.append(("index", str(facts.index)))
        rows.append(
            (
                "index lag",
                f"{lag.changes:,} changes, {lag.seconds:.1f} s "
                f"(applied {lag.applied:,} of {lag.position:,})",
            )
        )
    if facts.vectors is not None:
        kept = facts.vectors
        rows.append(
            (
                "vectors",
                f"{kept['passages']:,} passages, {kept['changes_behind']:,} changes behind "
                f"({kept['path']})",
            )
        )
    text = "\n".join(f"{name:<10} {value}" for name, value in rows)
    if not facts.by_source:
        return text
    spans = [
        (
            s.source,
            f"{s.events:,}",
            s.first.isoformat() if s.first else "-",
            s.last.isoformat() if s.last else "-",
            f"{s.undated:,}" if s.undated else "",
        )
        for s in facts.by_source
    ]
    return text + "\n\n" + _columns(("source", "events", "first", "last", "undated"), spans)


def _size(count: int) -> str:
    value, unit = float(count), "B"
    for bigger in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
