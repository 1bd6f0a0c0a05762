"""Users: add one, change a password or a role, list them (``stenogram users …``).

Names are kept in lower case, so ``Alice`` and ``alice`` are one account. Nothing here returns
or logs a password or its hash: :class:`UserInfo` has neither.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, delete, insert, select, update

from ..archive import Archive
from ..archive.schema import user_sessions, users
from ..errors import NotFound, QueryError
from .audit import Via, write_audit
from .passwords import hash_password
from .roles import Role, User

_NAME: Final = re.compile(r"[a-z0-9][a-z0-9._@-]{0,99}")


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: int
    name: str
    role: Role
    created: str
    disabled: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.label,
            "created": self.created,
            "disabled": self.disabled,
        }


def user_name(name: str) -> str:
    """``name`` as stored, or a one-line error saying what a name may hold."""
    found = name.strip().lower()
    if not _NAME.fullmatch(found):
        raise QueryError(
            "a user name is 1-100 letters, digits and . _ @ - (starting with a letter or digit)",
            document=name[:100],
        )
    return found


def add_user(
    archive: Archive,
    name: str,
    password: str,
    role: Role,
    *,
    by: User | None = None,
    via: Via = "cli",
) -> UserInfo:
    stored = user_name(name)
    hashed = hash_password(password)
    with archive.writing("users", queue=False) as conn:
        if _row(conn, stored) is not None:
            raise QueryError("this user exists already", document=stored)
        created = dt.datetime.fromtimestamp(archive.backend.clock(conn), dt.UTC)
        conn.execute(
            insert(users).values(
                name=stored,
                password=hashed,
                role=int(role),
                created=created.isoformat(timespec="seconds"),
                disabled=0,
            )
        )
        write_audit(conn, archive, by, "user.add", stored, f"role {role.label}", via=via)
        return _info(conn, stored)


def set_password(
    archive: Archive, name: str, password: str, *, by: User | None = None, via: Via = "cli"
) -> UserInfo:
    """A new password; the user's sessions end (a stolen one with them)."""
    stored = user_name(name)
    hashed = hash_password(password)
    with archive.writing("users", queue=False) as conn:
        info = _info(conn, stored)
        conn.execute(update(users).where(users.c.id == info.id).values(password=hashed))
        conn.execute(delete(user_sessions).where(user_sessions.c.user_id == info.id))
        write_audit(conn, archive, by, "user.passwd", stored, via=via)
        return info


def set_role(
    archive: Archive, name: str, role: Role, *, by: User | None = None, via: Via = "cli"
) -> UserInfo:
    """A new role, in force from the user's next request (sessions look the role up)."""
    stored = user_name(name)
    with archive.writing("users", queue=False) as conn:
        before = _info(conn, stored)
        conn.execute(update(users).where(users.c.id == before.id).values(role=int(role)))
        detail = f"{before.role.label} -> {role.label}"
        write_audit(conn, archive, by, "user.role", stored, detail, via=via)
        return _info(conn, stored)


def list_users(archive: Archive) -> list[UserInfo]:
    with archive.reading(primary=True) as conn:
        rows = conn.execute(_SELECT.order_by(users.c.name))
        return [_from_row(row) for row in rows]


_SELECT = select(users.c.id, users.c.name, users.c.role, users.c.created, users.c.disabled)


def _row(conn: Connection, name: str) -> Any:
    return conn.execute(_SELECT.where(users.c.name == name)).first()


def _info(conn: Connection, name: str) -> UserInfo:
    row = _row(conn, name)
    if row is None:
        raise NotFound("no such user", document=name)
    return _from_row(row)


def _from_row(row: Any) -> UserInfo:
    return UserInfo(row.id, row.name, Role(row.role), row.created, bool(row.disabled))
