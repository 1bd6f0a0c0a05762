"""Bring an archive's schema to the version this code expects, with Alembic, on open.

The migration scripts ship inside the package (``archive/migrations``), so an installed
stenogram can upgrade an archive written by an older one without any alembic.ini lying around.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from ..errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(conn: Connection) -> None:
    """Upgrade inside the caller's transaction; only reads when the schema is already current."""
    cfg = config()
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
