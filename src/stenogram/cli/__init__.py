"""The ``stenogram`` command: a thin layer over the library.

Each command parses its arguments, calls one library function and formats what comes back.
Records go to standard output (JSON Lines, so that they pipe into ``jq`` or a file); everything
meant for a person goes to standard error, one line per problem, so that a batch of thousands of
pages stays readable and greppable. A :class:`StenogramError` ends a command with that error's
exit code and a one-line message, never a traceback.

The archive commands (``ingest``, ``search``, ``check``, ``show``, ``persons``, ``info``,
``reindex``, ``serve``, ``crawl``) work on the folder named by ``--archive`` (after the
command, or before it for all of them), else by ``STENOGRAM_ARCHIVE``, else ``./archive``; its
database is the folder's SQLite file unless ``--database URL`` (``STENOGRAM_DATABASE``) names a
PostgreSQL one, and ``--index DIR`` (``STENOGRAM_INDEX``) moves this node's search index out of
the folder.
``migrate`` upgrades an archive's schema; ``copy`` moves an archive between backends.

The commands import the archive, the index and the ingester when they run, not at the top of their
modules, so that ``parse`` and ``--help`` do not pay ~1 s for SQLAlchemy, Alembic and tantivy.
"""

from __future__ import annotations

from .common import app

# Importing a command module registers its commands on ``app``; this order is the order of
# ``stenogram --help``, so it is kept by hand rather than sorted.
from . import ingest, archive, check, export, persons, users, serve, crawl, stats  # noqa: F401  # isort: skip


def main() -> None:
    """Console-script entry point (click already ends quietly when ``| head`` closes the pipe)."""
    app()


__all__ = ["app", "main"]
