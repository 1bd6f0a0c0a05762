"""An archive's schema: created on first open, upgraded only by ``stenogram migrate``.

Opening an archive whose schema is older than this code is refused with a message saying to
migrate: an upgrade rewrites tables that other processes (a server, its replicas) may be
reading, so it is a step somebody takes on purpose, not a side effect of ``info``. A new, empty
database gets the whole schema at once.

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

from sqlalchemy import Connection, inspect, text

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
    if not inspect(conn).has_table("alembic_version"):  # a database never migrated
        return None
    rows: list[str] = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    return rows[0] if len(rows) == 1 else None


def prepare(conn: Connection) -> None:
    """On open, inside the caller's transaction: create the schema of an empty database, and
    refuse an older one. Only reads when the schema is current."""
    head = script_head()
    stored = stored_revision(conn)
    if head is not None and stored == head:
        return
    if stored is not None and stored != _alembic_head():
        _known(stored)
        raise StoreError(f"this archive is at schema {stored}; run `stenogram migrate`")
    _alembic_upgrade(conn)


def upgrade(conn: Connection) -> tuple[str | None, str | None]:
    """Upgrade inside the caller's transaction; the schema before and after."""
    before = stored_revision(conn)
    _alembic_upgrade(conn)
    return before, stored_revision(conn)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def _known(current: str) -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    if current not in {s.revision for s in scripts.walk_revisions()}:
        raise StoreError(
            f"the archive has schema {current!r}, newer than this stenogram knows; upgrade it"
        )


def _alembic_upgrade(conn: Connection) -> None:
    from alembic import command

    current = stored_revision(conn)
    if current == _alembic_head():
        return
    if current is not None:
        _known(current)
    cfg = _config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
