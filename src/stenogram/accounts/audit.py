"""The audit log: one line per write, saying who made it, when, and what it did.

Every area that writes calls :func:`record_audit` (or :func:`write_audit` inside its own write
transaction, so that the write and its line commit together). A line never holds a password or
a hash: callers pass what was done to what, and a short detail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

from sqlalchemy import Connection, func, insert, select

from ..archive import Archive
from ..archive.schema import audit_log
from .roles import User

Via = Literal["web", "api", "cli"]
#: Who a line names when no user made the write.
_NOBODY: Final[dict[str, str]] = {"web": "anonymous", "api": "admin token", "cli": "command line"}
_LONGEST: Final = 2000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    via: str
    action: str
    target: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_audit(
    conn: Connection,
    archive: Archive,
    user: User | None,
    action: str,
    target: str,
    detail: str = "",
    *,
    via: Via = "web",
) -> None:
    """The line, inside the caller's write transaction ``conn``."""
    at = dt.datetime.fromtimestamp(archive.backend.clock(conn), dt.UTC)
    conn.execute(
        insert(audit_log).values(
            at=at.isoformat(timespec="seconds"),
            user_id=user.id if user else None,
            actor=user.name if user else _NOBODY[via],
            via=via,
            action=action[:64],
            target=target[:_LONGEST],
            detail=detail[:_LONGEST],
        )
    )


def record_audit(
    archive: Archive,
    user: User | None,
    action: str,
    target: str,
    detail: str = "",
    *,
    via: Via = "web",
) -> None:
    """The line, in a transaction of its own (after a write that committed)."""
    with archive.writing("audit log", queue=False) as conn:
        write_audit(conn, archive, user, action, target, detail, via=via)


def audit_entries(
    archive: Archive, offset: int = 0, limit: int = 50
) -> tuple[int, list[AuditEntry]]:
    """The number of lines, and ``limit`` of them from ``offset``, newest first."""
    with archive.reading(primary=True) as conn:
        total = int(conn.scalar(select(func.count()).select_from(audit_log)) or 0)
        rows = conn.execute(
            select(
                audit_log.c.id,
                audit_log.c.at,
                audit_log.c.actor,
                audit_log.c.via,
                audit_log.c.action,
                audit_log.c.target,
                audit_log.c.detail,
            )
            .order_by(audit_log.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return total, [AuditEntry(**row._asdict()) for row in rows]
