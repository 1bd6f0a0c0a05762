"""``stenogram export``: the archive, a query's speeches or one event, in a registered format."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .common import ArchiveOption, _settings, _stderr, _user_errors, app

if TYPE_CHECKING:
    from ..export.records import Corpus, ExportedEvent


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="jsonl, csv, parquet, dataset, popolo, akn, tei, txt, archive (see --list).",
            show_default=False,
        ),
    ] = "jsonl",
    query: Annotated[
        str | None,
        typer.Option("--query", help="Only the speeches matching this search query."),
    ] = None,
    event: Annotated[
        str | None,
        typer.Option("--event", metavar="ID", help="Only this event (publisher or archive id)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="PATH",
            help="File or folder to write (default: stdout, for one-stream formats).",
        ),
    ] = None,
    listing: Annotated[bool, typer.Option("--list", help="List the formats and stop.")] = False,
    archive: ArchiveOption = None,
) -> None:
    """Export the archive (or a query's speeches, or one event) in an open format."""
    from ..export.formats import formats, get
    from ..export.records import Selection
    from ..export.run import export as run_export

    if listing:
        for name, found in sorted(formats().items()):
            where = "folder" if found.folder else "file or stdout"
            typer.echo(f"{name:10} {where:15} {found.description}")
        return
    if query is not None and event is not None:
        raise typer.BadParameter("--query and --event cannot be combined")
    with _user_errors():
        chosen = get(fmt)
        settings = _settings(ctx, archive)
        if chosen.folder and out is None:
            raise typer.BadParameter(f"--format {fmt} writes a folder: give --out DIR")
        with _target(out, chosen.folder) as target, _bar() as bar:
            written = run_export(settings, fmt, target, Selection(query, event), _tracker(bar))
    _stderr().print(
        f"exported {written.events} events, {written.speeches} speeches as {fmt}"
        + (f" to {out}" if out else "")
    )


@contextmanager
def _target(out: Path | None, folder: bool) -> Iterator[BinaryIO | Path]:
    if folder and out is not None:
        yield out
    elif out is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    else:
        with out.open("wb") as fh:
            yield fh


def _bar() -> Progress:
    """A rich bar on stderr over the events (off when stderr is not a terminal)."""
    return Progress(
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeRemainingColumn(),
        console=_stderr(),
        transient=True,
        disable=not sys.stderr.isatty(),
    )


def _tracker(bar: Progress) -> Callable[[Corpus], Callable[[ExportedEvent], None]]:
    def track(corpus: Corpus) -> Callable[[ExportedEvent], None]:
        task = bar.add_task("export", total=corpus.total_events)
        return lambda _event: bar.advance(task)

    return track
