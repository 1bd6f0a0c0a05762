"""``parse``, ``ingest`` and ``reindex``: the commands that read documents in.

``parse`` is here beside ``ingest`` because both take the same PATH arguments and ``--source``,
and must keep accepting exactly the same inputs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, BinaryIO

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

from ..errors import SourceError
from ..model import Document
from ..parse import FORMATS
from ..settings import load_settings
from ..sources import parse_paths
from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    JsonOption,
    _columns,
    _one_line,
    _report,
    _settings,
    _stderr,
    _user_errors,
    _write_json,
    app,
)

if TYPE_CHECKING:
    # Imported by the command when it runs: see the package docstring.
    from ..ingest import IngestProgress

#: Without a terminal (a log file, a pipe) ingest reports its progress once per this many pages.
PLAIN_EVERY = 1000


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
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Parse documents and store them in the archive; storing a page again changes nothing."""
    from ..ingest import ingest as ingest_paths

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
def reindex(
    ctx: typer.Context,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Rebuild the search index from the archive's database."""
    from ..ingest import reindex as reindex_archive

    with _user_errors():
        rows = reindex_archive(_settings(ctx, archive))
    _stderr().print(f"indexed {rows} rows")


@app.command("prune-log")
def prune_log(
    ctx: typer.Context,
    keep_days: Annotated[
        float,
        typer.Option(help="Keep the changes of this many days (longer than any node is away)."),
    ] = 30.0,
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Drop old entries of the change log that search nodes follow; a node that was away for
    longer rebuilds its index's documents when it is back."""
    from ..follow import prune_log as prune
    from ..ingest import open_settings

    with _user_errors(), open_settings(_settings(ctx, archive)) as opened:
        pruned = prune(opened, keep_days)
    if as_json:
        sys.stdout.write(orjson.dumps(pruned.to_dict()).decode() + "\n")
    else:
        _stderr().print(
            f"removed {pruned.removed} changes; the log now starts after {pruned.horizon} "
            f"and holds {pruned.kept}"
        )


@app.command()
def migrate(
    ctx: typer.Context,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Upgrade the archive's database to this stenogram's schema (SQLite or PostgreSQL)."""
    from ..archive import migrate_archive

    with _user_errors():
        settings = _settings(ctx, archive)
        before, after = migrate_archive(settings.archive, settings.database)
    if before == after:
        _stderr().print(f"schema {after}: already current")
    else:
        _stderr().print(f"schema {before} -> {after}")


@app.command("copy")
def copy_archive(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option("--from", metavar="SRC", help="An archive folder, or postgresql://…"),
    ],
    target: Annotated[
        str,
        typer.Option("--to", metavar="DST", help="A new archive folder, or an empty database."),
    ],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Copy a whole archive to another backend: every revision, person, override, translation
    and raw body, checked table by table; all or nothing. A postgresql:// side keeps its raw
    bodies in the --archive folder."""
    from ..archive.copy import copy_between

    with _user_errors():
        report = copy_between(source, target, _settings(ctx, archive).archive)
    if as_json:
        _write_json(report.to_dict())
        return
    rows = [(t.name, str(t.rows), t.digest[:16]) for t in report.tables]
    typer.echo(_columns(("table", "rows", "sha256"), rows))
    _stderr().print(f"copied and verified; raw bodies: {report.raw_bodies}")


@app.command("import")
def import_backup(
    ctx: typer.Context,
    backup: Annotated[Path, typer.Argument(help="A folder written by export --format archive.")],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Restore a backup into a new archive (--archive, or --database URL): checked against its
    manifest first, then every table in one transaction; the search index is built after."""
    from ..archive.backup import restore_backup
    from ..ingest import open_archive, open_settings

    with _user_errors():
        settings = _settings(ctx, archive)
        with open_settings(settings, create=True) as target:
            report = restore_backup(backup, target)
        open_archive(settings).close()  # builds this node's search index
    if as_json:
        _write_json(report.to_dict())
        return
    rows = [(t.name, str(t.rows), t.digest[:16]) for t in report.copy.tables]
    typer.echo(_columns(("table", "rows", "sha256"), rows))
    _stderr().print(f"restored and verified; raw bodies: {report.copy.raw_bodies}")
