"""``serve``: the web app over an archive, in one process or several.

Apart from the archive commands because it is the one long-running process: it starts uvicorn, or
with several workers, forks a child to prepare the archive and then supervises the workers
(:mod:`stenogram.serving`).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from ..errors import StenogramError
from ..settings import Settings
from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    _report,
    _settings,
    _user_errors,
    app,
)


@app.command()
def serve(
    ctx: typer.Context,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default: one per CPU core)."),
    ] = None,
    read_replica: Annotated[
        list[str] | None,
        typer.Option(
            "--read-replica",
            metavar="URL",
            show_default=False,
            help="A hot standby of the PostgreSQL --database that pages, search and the API "
            "read from (repeatable; default: $STENOGRAM_READ_REPLICAS). Writes and their "
            "answers use the database itself; a replica down or lagging is skipped.",
        ),
    ] = None,
) -> None:
    """Serve the archive: web pages, their JSON twins, the JSON API and Atom feeds.

    With several workers, each process opens the archive itself; the search index is caught up
    once here, before they start, so no worker does it on a request."""
    import os

    import uvicorn

    from ..httpguard import make_room, uvicorn_options

    count = workers or os.cpu_count() or 1
    with _user_errors():
        settings = _settings(ctx, archive)
        options = uvicorn_options(settings)
        make_room(settings)
        if read_replica:
            settings = dataclasses.replace(settings, read_replicas=tuple(read_replica))
        if count == 1:
            from ..web import create_app

            uvicorn.run(create_app(settings), host=host, port=port, **options)
            return
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
        if settings.database is not None:
            os.environ["STENOGRAM_DATABASE"] = settings.database
        if settings.index is not None:
            os.environ["STENOGRAM_INDEX"] = str(settings.index.resolve())
        if settings.read_replicas:
            os.environ["STENOGRAM_READ_REPLICAS"] = " ".join(settings.read_replicas)
        from .. import serving

        uvicorn.Config(serving.APP, **options)  # sets logging up as in uvicorn's own workers
        with _shared_metrics():
            serving.serve(host, port, count, options)


@contextmanager
def _shared_metrics() -> Iterator[None]:
    """prometheus_client's multiprocess mode for the workers: each writes its counters to a
    folder that ``/metrics`` on any of them adds up (a folder of this run, removed after it,
    unless ``PROMETHEUS_MULTIPROC_DIR`` names one already)."""
    import os
    import shutil
    import tempfile

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="stenogram-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(folder, ignore_errors=True)


def _prepare_archive(settings: Settings) -> None:
    """In the child that ``serve`` forks: open the archive (and its replicas, so a setting
    that cannot work stops ``serve`` here rather than every worker in turn), catch the index
    up, report errors."""
    from ..ingest import open_archive

    try:
        open_archive(settings, replicas=True).close()
    except StenogramError as exc:
        _report(exc)
        sys.exit(exc.exit_code)
