"""The ``stenogram`` command: a thin layer over the library.

Each command parses its arguments, calls one library function and formats what comes back.
Records go to standard output (JSON Lines, so that they pipe into ``jq`` or a file); everything
meant for a person goes to standard error, one line per problem, so that a batch of thousands of
pages stays readable and greppable. A :class:`StenogramError` ends a command with that error's
exit code and a one-line message, never a traceback.

The archive commands (``ingest``, ``search``, ``show``, ``persons``, ``info``, ``reindex``) work on
the folder named by ``--archive`` (after the command, or before it for all of them), else by
``STENOGRAM_ARCHIVE``, else ``./archive``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from typer.core import TyperGroup

from . import __version__
from .errors import SourceError, StenogramError
from .model import Document, Person
from .parse import FORMATS
from .settings import Settings, load_settings
from .sources import parse_paths

if TYPE_CHECKING:
    # The archive commands import the archive, the index and the ingester when they run, so
    # that ``parse`` and ``--help`` do not pay ~1 s for SQLAlchemy, Alembic and tantivy.
    from .archive import ArchiveInfo, EventDiff
    from .ingest import IngestProgress
    from .queries import PersonSummary, RevisionSummary
    from .search import SearchResult
    from .search.engine import Sort

app = typer.Typer(
    name="stenogram",
    help="Turn press-office event archives into a searchable, citable record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JSON_LINE = orjson.OPT_APPEND_NEWLINE
#: Without a terminal (a log file, a pipe) ingest reports its progress once per this many pages.
PLAIN_EVERY = 1000
#: Facet values shown per facet in the human search output (``--json`` has them all).
FACET_SHOWN = 8

ArchiveOption = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        metavar="DIR",
        show_default=False,
        help="Archive folder (default: $STENOGRAM_ARCHIVE, else ./archive).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _stderr() -> Console:
    # Created per call so that it writes to whatever sys.stderr is now (tests swap it); soft wrap
    # keeps each message on one line whatever the terminal width.
    return Console(stderr=True, soft_wrap=True, highlight=False, markup=False, emoji=False)


def _stdout() -> Console:
    return Console(soft_wrap=True, highlight=False, markup=False, emoji=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _report(exc: StenogramError) -> None:
    _stderr().print(Text("error: ", style="bold red") + Text(_one_line(exc.message)))


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a :class:`StenogramError` into its one-line message and exit code."""
    try:
        yield
    except StenogramError as exc:
        _report(exc)
        raise typer.Exit(exc.exit_code) from None


def _settings(ctx: typer.Context, archive: Path | None) -> Settings:
    """The innermost ``--archive`` given (``stenogram --archive A persons --archive B`` means B)."""
    node = ctx.parent
    while archive is None and node is not None:
        archive = node.params.get("archive")
        node = node.parent
    return load_settings({"archive": archive})


def _write_json(value: Any, out: BinaryIO | None = None) -> None:
    (out or sys.stdout.buffer).write(orjson.dumps(value, option=JSON_LINE))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stenogram {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    archive: ArchiveOption = None,
) -> None:
    """Turn press-office event archives into a searchable, citable record."""


def _check_source(value: str) -> str:
    if value != "auto" and value not in FORMATS:
        known = ", ".join(["auto", *sorted(FORMATS)])
        raise typer.BadParameter(f"unknown source {value!r} (choose from: {known})")
    return value


PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Files, folders, archives (.tar[.gz|.xz|.bz2], .zip) or scraper CSV; - is stdin.",
        metavar="PATH",
        show_default=False,
    ),
]
SourceOption = Annotated[
    str,
    typer.Option(
        "--source",
        callback=_check_source,
        help="Format of the documents: auto (detect) or " + ", ".join(sorted(FORMATS)) + ".",
    ),
]


@app.command()
def parse(
    paths: PathsArgument,
    source: SourceOption = "auto",
    pretty: Annotated[bool, typer.Option("--pretty", help="Indent each JSON record.")] = False,
) -> None:
    """Print one JSON record per document (JSON Lines); report failures on stderr."""
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
    out: BinaryIO = sys.stdout.buffer
    parsed = failed = 0
    with _user_errors():
        for item in parse_paths(paths, source=source, settings=load_settings()):
            if isinstance(item, Document):
                out.write(orjson.dumps(item.to_dict(), option=option))
                parsed += 1
            else:
                out.flush()  # keep stdout and stderr in document order on a terminal
                _report(item)
                failed += 1
        out.flush()
        if parsed + failed == 0:
            raise SourceError("no documents found in the given paths")
    _stderr().print(f"parsed {parsed}, failed {failed}")
    if failed:
        raise typer.Exit(1)


# --- ingest -----------------------------------------------------------------------------------


class _IngestBar:
    """A live bar on a terminal; in a log, a plain line about every ``PLAIN_EVERY`` pages.

    The total is unknown (archives are streamed, not listed first), so the bar pulses and the
    rate is what tells a user how long is left.
    """

    def __init__(self) -> None:
        self._console = Console(stderr=True, highlight=False, markup=False, emoji=False)
        self._start = time.monotonic()
        self._progress: Progress | None = None
        self._task = TaskID(0)
        self._next_line = PLAIN_EVERY

    def __enter__(self) -> _IngestBar:
        if self._console.is_terminal:
            self._progress = Progress(
                SpinnerColumn(),
                BarColumn(),
                TextColumn("{task.description}", markup=False),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("starting", total=None)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, state: IngestProgress) -> None:
        rate = state.done / max(time.monotonic() - self._start, 1e-9)
        line = (
            f"{state.done} pages, {rate:.0f} pages/s · new {state.new}, updated {state.updated}, "
            f"unchanged {state.unchanged}, failed {state.failed}"
        )
        if self._progress is not None:
            current = _one_line(state.current or "")[-50:]
            self._progress.update(self._task, description=f"{line} · {current}")
        elif state.done >= self._next_line:
            self._console.print(line)
            self._next_line = (state.done // PLAIN_EVERY + 1) * PLAIN_EVERY


@app.command()
def ingest(
    ctx: typer.Context,
    paths: PathsArgument,
    source: SourceOption = "auto",
    archive: ArchiveOption = None,
) -> None:
    """Parse documents and store them in the archive; storing a page again changes nothing."""
    from .ingest import ingest as ingest_paths

    with _user_errors():
        settings = _settings(ctx, archive)
        with _IngestBar() as bar:
            summary = ingest_paths(paths, settings, source=source, progress=bar.update)
    done = summary.new + summary.updated + summary.unchanged + summary.failed
    rate = done / summary.seconds if summary.seconds > 0 else 0.0
    err = _stderr()
    err.print(
        f"new {summary.new}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"failed {summary.failed} ({summary.seconds:.1f} s, {rate:.0f} pages/s)"
    )
    for name, reason in summary.failures:
        err.print(f"  {_one_line(name)}: {_one_line(reason)}")
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def reindex(ctx: typer.Context, archive: ArchiveOption = None) -> None:
    """Rebuild the search index from the archive's database."""
    from .ingest import reindex as reindex_archive

    with _user_errors():
        rows = reindex_archive(_settings(ctx, archive))
    _stderr().print(f"indexed {rows} rows")


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


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words, "phrases", speaker:, role:, topic:, place:, date:2016..2018, AND/OR/NOT.',
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
    archive: ArchiveOption = None,
) -> None:
    """Search what was said: ranked hits with snippets and facet counts."""
    from . import queries

    with _user_errors():
        result = queries.search_archive(
            _settings(ctx, archive),
            query,
            limit=limit,
            offset=offset,
            sort=_SORTS[sort],
            events=events,
        )
    if as_json:
        out = sys.stdout.buffer
        for hit in result.hits:
            _write_json(hit.to_dict(), out)
        facets = {
            name: [{"value": value, "count": count} for value, count in buckets]
            for name, buckets in result.facets.items()
        }
        _write_json({"facets": facets, "total": result.total}, out)
        out.flush()
    else:
        _print_hits(result, offset)


_BOLD = re.compile(r"<b>(.*?)</b>", re.DOTALL)


def _snippet(markup: str) -> Text:
    """The engine's HTML snippet as terminal text: ``<b>`` becomes bold, entities are decoded."""
    markup = markup.replace("\n", " ")
    text = Text()
    last = 0
    for match in _BOLD.finditer(markup):
        text.append(html.unescape(markup[last : match.start()]))
        text.append(html.unescape(match.group(1)), style="bold")
        last = match.end()
    text.append(html.unescape(markup[last:]))
    return text


def _print_hits(result: SearchResult, offset: int) -> None:
    out = _stdout()
    for number, hit in enumerate(result.hits, offset + 1):
        line = Text(f"{number}. ", style="dim")
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
        out.print(Text("   ") + _snippet(hit.snippet))
        out.print(Text(f"   {hit.url}", style="cyan"))
    if result.hits:
        last = offset + len(result.hits)
        out.print(f"hits {offset + 1}–{last} of {result.total}")
    else:
        out.print(f"no hits (of {result.total})" if result.total else "no hits")
    for name, buckets in result.facets.items():
        if buckets:
            shown = " · ".join(f"{value} ({count})" for value, count in buckets[:FACET_SHOWN])
            more = " · …" if len(buckets) > FACET_SHOWN else ""
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
        int | None, typer.Option("--revision", min=1, help="Show this older revision.")
    ] = None,
    revisions: Annotated[
        bool, typer.Option("--revisions", help="List the stored revisions and what changed.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Speech by speech, the words added and removed.")
    ] = False,
    archive: ArchiveOption = None,
) -> None:
    """Print an event as a text version like the publisher's (or its JSON record)."""
    from . import queries
    from .export.textversion import render_text

    numbers = between or []
    if revisions and diff:
        raise typer.BadParameter("--revisions and --diff cannot be combined")
    if numbers and not diff:
        raise typer.BadParameter("revision numbers after EVENT_ID go with --diff")
    if len(numbers) > 2:
        raise typer.BadParameter("--diff compares two revisions: give at most A and B")
    if revision is not None and (revisions or diff):
        raise typer.BadParameter("--revision shows one revision; it does not go with these")
    with _user_errors():
        settings = _settings(ctx, archive)
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


def _print_diff(diff: EventDiff, as_json: bool) -> None:
    from .archive import render_diff

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


def _columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned plain columns, one row per line whatever the width: ``grep``, ``sort`` and
    ``cut`` work on it, which a wrapped table would defeat. The last column is not padded."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()
        for row in table
    )


# --- persons ----------------------------------------------------------------------------------

_FIND = "find"


class _NameOrCommand(TyperGroup):
    """``persons NAME`` beside ``persons merge A B``: a first word that names no subcommand is a
    person to look up (click would otherwise read an optional NAME argument as "merge").

    Typed loosely because typer vendors click in some releases and not in others, so the click
    types have no stable public name.
    """

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            args = [_FIND, *args]
        return super().resolve_command(ctx, args)


persons_app = typer.Typer(
    cls=_NameOrCommand,
    invoke_without_command=True,
    subcommand_metavar="[NAME | merge A B | split ID NAME...]",
    help="People: everyone with counts; NAME for one in detail; merge and split to fix them.",
)
app.add_typer(persons_app, name="persons")


@persons_app.callback()
def _persons(
    ctx: typer.Context,
    as_json: JsonOption = False,
    doubtful: Annotated[
        bool, typer.Option("--doubtful", help="Pairs that may be one person, and why.")
    ] = False,
    archive: ArchiveOption = None,
) -> None:
    """People: everyone with counts; NAME for one in detail; merge and split to fix them."""
    if ctx.invoked_subcommand is not None:
        return
    from . import queries

    with _user_errors():
        settings = _settings(ctx, archive)
        if doubtful:
            pairs = queries.doubtful_persons(settings)
            for pair in pairs:
                if as_json:
                    _write_json(pair.to_dict())
                else:
                    typer.echo(
                        f"{pair.a} ({pair.a_name}) ~ {pair.b} ({pair.b_name}): {pair.reason}"
                    )
            return
        found = queries.list_persons(settings)
    if as_json:
        for summary in found:
            _write_json(summary.to_dict())
    else:
        _print_person_table(found)


def _json_flag(ctx: typer.Context, as_json: bool) -> bool:
    """``persons --json NAME`` and ``persons NAME --json`` mean the same."""
    return as_json or bool(ctx.parent and ctx.parent.params.get("as_json"))


@persons_app.command(_FIND, hidden=True)
def _find_person(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A person id or any form of the name.")],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """One person (or every person the name may mean): names, roles over time, counts."""
    from . import queries

    with _user_errors():
        found = queries.list_persons(_settings(ctx, archive), name)
    if _json_flag(ctx, as_json):
        for summary in found:
            _write_json(summary.to_dict())
    else:
        typer.echo("\n\n".join(_person_detail(summary) for summary in found))


@persons_app.command("merge")
def _merge(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="The person id that stays.")],
    b: Annotated[str, typer.Argument(help="The person id folded into A.")],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Fold person B into person A; kept across re-ingests."""
    from .ingest import merge_persons

    with _user_errors():
        person = merge_persons(_settings(ctx, archive), a, b)
    _print_changed_person(person, _json_flag(ctx, as_json))


@persons_app.command("split")
def _split(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="ID", help="The person to split.")],
    names: Annotated[
        list[str], typer.Argument(metavar="NAME...", help="Name forms (as printed) to move.")
    ],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Move the name forms NAME... of person ID to a new person; kept across re-ingests."""
    from .ingest import split_person

    with _user_errors():
        person = split_person(_settings(ctx, archive), person_id, names)
    _print_changed_person(person, _json_flag(ctx, as_json))


def _print_changed_person(person: Person, as_json: bool) -> None:
    from .queries import person_record

    if as_json:
        _write_json(person_record(person))
    else:
        typer.echo(f"{person.name} [{person.id}]: " + "; ".join(n.text for n in person.names))


def _latest_role(person: Person) -> str:
    dated = [m for m in person.memberships if m.last_seen is not None]
    if dated:
        return max(dated, key=lambda m: (m.last_seen, m.count)).role
    return person.memberships[-1].role if person.memberships else ""


def _print_person_table(found: Sequence[PersonSummary]) -> None:
    rows = [
        (
            s.person.id,
            s.person.name,
            str(s.activity.events),
            str(s.activity.speeches),
            str(s.activity.words),
            _latest_role(s.person),
        )
        for s in found
    ]
    typer.echo(_columns(("id", "name", "events", "speeches", "words", "latest role"), rows))


def _person_detail(summary: PersonSummary) -> str:
    person, activity = summary.person, summary.activity
    lines = [
        f"{person.name} [{person.id}]",
        f"  events {activity.events} · speeches {activity.speeches} · words {activity.words:,}",
        "  names: " + "; ".join(f"{n.text} ({n.language}, {n.kind})" for n in person.names),
    ]
    if person.memberships:
        lines.append("  roles:")
        for m in person.memberships:
            since = m.first_seen.isoformat() if m.first_seen else "?"
            until = m.last_seen.isoformat() if m.last_seen else "?"
            times = "1 event" if m.count == 1 else f"{m.count} events"
            lines.append(f"    {since} – {until}  {m.role} ({times})")
    if person.publisher_ids:
        lines.append("  publisher ids: " + ", ".join(person.publisher_ids))
    return "\n".join(lines)


# --- info -------------------------------------------------------------------------------------


@app.command()
def info(ctx: typer.Context, as_json: JsonOption = False, archive: ArchiveOption = None) -> None:
    """Counts of what the archive holds (events, speeches, people, revisions, sources), and size."""
    from . import queries

    with _user_errors():
        facts = queries.archive_info(_settings(ctx, archive))
    if as_json:
        _write_json(facts.to_dict())
    else:
        typer.echo(_info_text(facts))


def _info_text(facts: ArchiveInfo) -> str:
    rows = [("archive", str(facts.path))]
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
    return "\n".join(f"{name:<10} {value}" for name, value in rows)


def _size(count: int) -> str:
    value, unit = float(count), "B"
    for bigger in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"


def main() -> None:
    """Console-script entry point (click already ends quietly when ``| head`` closes the pipe)."""
    app()


__all__ = ["app", "main"]


@app.command()
def serve(
    ctx: typer.Context,
    archive: ArchiveOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default: one per CPU core)."),
    ] = None,
) -> None:
    """Serve the archive: web pages, their JSON twins, the JSON API and Atom feeds.

    With several workers, each process opens the archive itself; the search index is caught up
    once here, before they start, so no worker does it on a request."""
    import os

    import uvicorn

    count = workers or os.cpu_count() or 1
    options: dict[str, Any] = {"server_header": False, "proxy_headers": False}
    with _user_errors():
        settings = _settings(ctx, archive)
        if count == 1:
            from .web import create_app

            target: Any = create_app(settings)
        else:
            # The supervisor never imports the web app, the database or the index, which would
            # cost as much memory as a worker for nothing: a short-lived child checks the archive
            # and catches the index up before the workers start.
            import multiprocessing

            child = multiprocessing.get_context("fork").Process(
                target=_prepare_archive, args=(settings,)
            )
            child.start()
            child.join()
            if child.exitcode:
                raise typer.Exit(child.exitcode)
            os.environ["STENOGRAM_ARCHIVE"] = str(settings.archive.resolve())
            target = "stenogram.web.app:app_from_environment"
    uvicorn.run(target, factory=count > 1, workers=count, host=host, port=port, **options)


def _prepare_archive(settings: Settings) -> None:
    """In the child that ``serve`` forks: open the archive, catch the index up, report errors."""
    from .ingest import open_archive

    try:
        open_archive(settings).close()
    except StenogramError as exc:
        _report(exc)
        sys.exit(exc.exit_code)


# --- crawl and reparse ------------------------------------------------------------------------


@app.command()
def crawl(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="kremlin-en, kremlin-ru or pm-au.", show_default=False)
    ],
    since: Annotated[
        dt.datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="Only events on or after DATE."),
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option("--until", formats=["%Y-%m-%d"], help="Only events on or before DATE."),
    ] = None,
    max_items: Annotated[
        int | None, typer.Option("--max", min=1, help="Fetch at most N events, then stop.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", metavar="URL", help="Crawl a mirror of the site.")
    ] = None,
    archive: ArchiveOption = None,
) -> None:
    """Fetch a publisher's events politely into the archive; an interrupted crawl resumes."""
    from .crawl import crawl as crawl_source

    err = _stderr()
    with _user_errors():
        summary = crawl_source(
            source,
            _settings(ctx, archive),
            since=since.date() if since else None,
            until=until.date() if until else None,
            max_items=max_items,
            base_url=base_url,
            log=lambda line: err.print(_one_line(line)),
        )
    stored = summary.ingest
    err.print(
        f"{summary.source}: fetched {summary.fetched}, not modified {summary.not_modified}, "
        f"from the raw store {summary.reused}, out of range {summary.skipped}, "
        f"failed {summary.failed} · new {stored.new}, updated {stored.updated}, "
        f"unchanged {stored.unchanged}"
        + (f" · stopped: {summary.stopped}" if summary.stopped else "")
    )
    if summary.failed or (summary.stopped and not summary.stopped.startswith("--max")):
        raise typer.Exit(1)


@app.command()
def reparse(ctx: typer.Context, archive: ArchiveOption = None) -> None:
    """Parse every crawled page again from the raw store (no fetching); changes become revisions."""
    from .crawl import reparse as reparse_archive

    with _user_errors():
        summary = reparse_archive(_settings(ctx, archive))
    err = _stderr()
    err.print(
        f"new {summary.new}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"failed {summary.failed} ({summary.seconds:.1f} s)"
    )
    for name, reason in summary.failures:
        err.print(f"  {_one_line(name)}: {_one_line(reason)}")
    if summary.failed:
        raise typer.Exit(1)
