"""Bring an archive's schema to the version this code expects, with Alembic, on open.

The migration scripts ship inside the package (``archive/migrations``), so an installed
stenogram can upgrade an archive written by an older one without any alembic.ini lying around.

Importing Alembic and loading its script directory cost ~0.35 s, paid by every command that
opens an archive although the schema is nearly always current already. So the head revision is
read from the scripts' ``revision``/``down_revision`` lines and compared with the archive's
``alembic_version`` row in one plain query; Alembic is imported only when they differ.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from ..errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ASSIGNED = re.compile(r"""^(down_revision|revision)\s*=\s*(?:["']([^"']+)["']|None)""", re.M)


@cache
def script_head() -> str | None:
    """The single head of the shipped scripts, or None when they cannot be read that simply
    (a branch, a merge revision, a tuple ``down_revision``): then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(
            (name, value or None)
            for name, value in _ASSIGNED.findall(script.read_text(encoding="utf-8"))
        )
        if "revision" not in found:
            continue
        if found["revision"] is None or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(conn: Connection) -> str | None:
    """The archive's schema revision (None for a new database, or one Alembic never stamped)."""
    try:
        rows: list[str] = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    except OperationalError:  # no such table: a database that was never migrated
        return None
    return rows[0] if len(rows) == 1 else None


def upgrade(conn: Connection) -> None:
    """Upgrade inside the caller's transaction; only reads when the schema is already current."""
    head = script_head()
    if head is not None and stored_revision(conn) == head:
        return
    _alembic_upgrade(conn)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _alembic_upgrade(conn: Connection) -> None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = _config()
    scripts = ScriptDirectory.from_config(cfg)
    current = MigrationContext.configure(conn).get_current_revision()
    if current == scripts.get_current_head():
        return
    if current is not None and current not in {s.revision for s in scripts.walk_revisions()}:
        raise StoreError(
            f"the archive has schema {current!r}, newer than this stenogram knows; upgrade it"
        )
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
