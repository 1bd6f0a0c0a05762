"""Resolve: who is who across documents (one Person per real person, with roles over time).

The parser reads each document on its own and prints names as the page does; this stage ties
"President of Belarus Alexander Lukashenko", "Lukashenko Alexander" and "А.Лукашенко" to one
Person. It does no I/O: the archive persists what :meth:`PeopleDirectory.changed` returns and
the overrides that :meth:`~PeopleDirectory.merge` and :meth:`~PeopleDirectory.split` return.
"""

from __future__ import annotations

from .names import NameParts, parse_name
from .people import Doubt, Mention, PeopleDirectory

__all__ = ["Doubt", "Mention", "NameParts", "PeopleDirectory", "parse_name"]
