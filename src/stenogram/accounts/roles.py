"""Roles, ordered so that a check is one comparison: an admin may do what a publisher may."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import QueryError


class Role(enum.IntEnum):
    READER = 0
    EDITOR = 1
    PUBLISHER = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def named(cls, name: str) -> Role:
        """The role called ``name`` (``editor``), or a one-line error listing the roles."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            known = ", ".join(r.label for r in cls)
            raise QueryError(f"no such role; roles: {known}", document=name) from None


@dataclass(frozen=True, slots=True)
class User:
    """A logged-in user, as the web layer and the audit log see them (no password, ever)."""

    id: int
    name: str
    role: Role
