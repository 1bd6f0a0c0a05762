"""The log-in rate limit: failed log-ins counted per account name and per client address.

Counted in the database, so that the limit holds across worker processes and nodes. An attempt
is noted as a failure *before* its password is checked, in the same transaction as the count
(writers queue, :meth:`Archive.writing`): a burst of parallel attempts cannot all pass the count
before any of them is noted. A success takes its own note back, and clears the account's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select

from ..archive.schema import login_failures
from ..errors import TooManyAttempts
from ..settings import Settings

ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True, slots=True)
class Limits:
    per_account: int
    per_address: int
    window: float

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.login_failures_per_account,
            settings.login_failures_per_address,
            settings.login_window,
        )


def take_attempt(conn: Connection, now: float, limits: Limits, account: str, address: str) -> int:
    """Refuse when the account or the address is over its limit; else note the attempt as a
    failure and return the id of the address's note (a success takes it back)."""
    since = now - limits.window
    conn.execute(delete(login_failures).where(login_failures.c.at < since))
    for scope, key, limit in (
        (ACCOUNT, account, limits.per_account),
        (ADDRESS, address, limits.per_address),
    ):
        found = conn.execute(
            select(func.count(), func.min(login_failures.c.at)).where(
                login_failures.c.scope == scope,
                login_failures.c.key == key,
                login_failures.c.at >= since,
            )
        ).one()
        if int(found[0]) >= limit:
            wait = max(1, math.ceil(float(found[1]) + limits.window - now))
            raise TooManyAttempts(
                f"too many failed log-ins for this {scope}; try again in {_minutes(wait)}", wait
            )
    conn.execute(insert(login_failures).values(scope=ACCOUNT, key=account, at=now))
    noted: int = conn.execute(
        insert(login_failures)
        .values(scope=ADDRESS, key=address, at=now)
        .returning(login_failures.c.id)
    ).scalar_one()
    return noted


def succeeded(conn: Connection, account: str, address_note: int) -> None:
    conn.execute(
        delete(login_failures).where(
            (login_failures.c.id == address_note)
            | ((login_failures.c.scope == ACCOUNT) & (login_failures.c.key == account))
        )
    )


def _minutes(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
