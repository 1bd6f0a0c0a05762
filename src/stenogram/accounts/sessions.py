"""Logging in and out, and the browser sessions that a log-in opens.

A session is a random token: the browser keeps it (in a signed cookie, :mod:`stenogram.web.auth`),
the database keeps its SHA-256 with the user and an expiry. So a session ends for good when its
user logs out, gets a new password or is disabled, and a copy of the database opens none.
Each request looks its user up again, so a new role is in force at once.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from sqlalchemy import delete, insert, select, update

from ..archive import Archive
from ..archive.schema import meta, user_sessions, users
from ..errors import LoginRefused
from .audit import write_audit
from .passwords import verify
from .ratelimit import Limits, succeeded, take_attempt
from .roles import Role, User

#: The ``meta`` row holding the key that signs cookies when no ``session_secret`` is set.
SECRET_KEY: Final = "session_secret"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(
    archive: Archive, name: str, password: str, address: str, limits: Limits, lifetime: float
) -> tuple[User, str]:
    """The user and the token of a new session, or :class:`LoginRefused` (wrong name or
    password, not saying which) or :class:`TooManyAttempts`."""
    account = name.strip().lower()[:200]
    with archive.writing("log-in") as conn:
        note = take_attempt(conn, archive.backend.clock(conn), limits, account, address[:200])
        row = conn.execute(
            select(users.c.id, users.c.name, users.c.role, users.c.password).where(
                users.c.name == account, users.c.disabled == 0
            )
        ).first()
    # Outside the transaction: argon2 takes tens of milliseconds, and the writers queue.
    matched, rehash = verify(row.password if row else None, password)
    if not matched or row is None:
        raise LoginRefused("wrong name or password")
    user = User(row.id, row.name, Role(row.role))
    token = secrets.token_urlsafe(32)
    with archive.writing("log-in") as conn:
        succeeded(conn, account, note)
        if rehash is not None:
            conn.execute(update(users).where(users.c.id == user.id).values(password=rehash))
        now = archive.backend.clock(conn)
        conn.execute(
            insert(user_sessions).values(
                token_hash=token_hash(token), user_id=user.id, created=now, expires=now + lifetime
            )
        )
        conn.execute(delete(user_sessions).where(user_sessions.c.expires < now))
        write_audit(conn, archive, user, "login", user.name)
    return user, token


def session_user(archive: Archive, token: str) -> User | None:
    """The user of a live session (None: unknown, expired, or its user is disabled)."""
    with archive.reading(primary=True) as conn:
        now = archive.backend.clock(conn)
        row = conn.execute(
            select(users.c.id, users.c.name, users.c.role)
            .join(user_sessions, user_sessions.c.user_id == users.c.id)
            .where(
                user_sessions.c.token_hash == token_hash(token),
                user_sessions.c.expires > now,
                users.c.disabled == 0,
            )
        ).first()
    return User(row.id, row.name, Role(row.role)) if row else None


def log_out(archive: Archive, token: str, user: User | None) -> None:
    with archive.writing("log-out", queue=False) as conn:
        conn.execute(delete(user_sessions).where(user_sessions.c.token_hash == token_hash(token)))
        if user is not None:
            write_audit(conn, archive, user, "logout", user.name)


def session_secret(archive: Archive, configured: str | None) -> bytes:
    """The key that signs cookies: the ``session_secret`` setting, else one made on first use
    and kept in the database, so that every worker and node signs alike and a restart keeps
    everyone logged in."""
    if configured:
        return configured.encode()
    with archive.reading(primary=True) as conn:  # a database that has one is not written to
        found = conn.scalar(select(meta.c.value).where(meta.c.key == SECRET_KEY))
    if found is None:
        with archive.writing("session secret") as conn:  # queued: two workers make one
            found = conn.scalar(select(meta.c.value).where(meta.c.key == SECRET_KEY))
            if found is None:
                found = secrets.token_hex(32)
                conn.execute(insert(meta).values(key=SECRET_KEY, value=found))
    return str(found).encode()
