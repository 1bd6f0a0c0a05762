"""``serve``: the web app over an archive, in one process or several.

Apart from the archive commands because it is the one long-running process: it starts uvicorn, or
with several workers, forks a child to prepare the archive and then supervises the workers
(:mod:`stenogram.serving`).
"""

from __future__ import annotations

import sys
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
        from .. import serving

        uvicorn.Config(serving.APP, **options)  # sets logging up as in uvicorn's own workers
        serving.serve(host, port, count, options)


def _prepare_archive(settings: Settings) -> None:
    """In the child that ``serve`` forks: open the archive, catch the index up, report errors."""
    from ..ingest import open_archive

    try:
        open_archive(settings).close()
    except StenogramError as exc:
        _report(exc)
        sys.exit(exc.exit_code)
