"""Password hashing: argon2id with argon2-cffi's recommended parameters (RFC 9106's).

A hash made with older parameters still verifies; the caller is told to store a new one
(:func:`verify` returns it), so that raising the parameters upgrades every account at its next
log-in without anyone resetting a password.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import QueryError

MIN_LENGTH: Final = 10
#: Longer passwords are refused before hashing: the work must not grow with what a client sends.
MAX_LENGTH: Final = 1024


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy() -> str:
    """A hash to verify against when the account does not exist, so that the answer takes as
    long as for a real one and its timing does not tell which names are accounts."""
    return hasher().hash("not a password of anyone")


def check_rules(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise QueryError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise QueryError(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_rules(password)
    return hasher().hash(password)


def verify(stored: str | None, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches the hash ``stored`` (None: no such account), and a new hash
    to store when the match was made with outdated parameters."""
    if len(password) > MAX_LENGTH:
        return False, None
    try:
        hasher().verify(stored or _dummy(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if stored is None:
        return False, None
    rehash = hasher().hash(password) if hasher().check_needs_rehash(stored) else None
    return True, rehash
