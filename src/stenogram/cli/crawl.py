"""``crawl`` and ``reparse``: the commands that fill the archive from a publisher's site.

Together because ``reparse`` works only on what ``crawl`` kept in the raw store.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    _one_line,
    _settings,
    _stderr,
    _user_errors,
    app,
)


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
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Fetch a publisher's events politely into the archive; an interrupted crawl resumes.
    Several crawlers may share a PostgreSQL archive (each page fetched once in all)."""
    from ..crawl import crawl as crawl_source

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
def reparse(
    ctx: typer.Context,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Parse every crawled page again from the raw store (no fetching); changes become revisions."""
    from ..crawl import reparse as reparse_archive

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
