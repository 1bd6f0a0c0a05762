"""What can be an id at all: one rule for the archive, the CLI and every URL.

An id is ASCII digits within its column's range or it is not an id. Python's ``int()`` and
``str.isdigit()`` also take ``١٢٣``, ``𝟏`` and ``²``, and a number past the column's range does
not fit in a query at all (an OverflowError, not "not found"); both must end as "no such event".
"""

from __future__ import annotations

import re
from typing import Final

#: The range of every id and revision number column on both backends: the schema declares them
#: INTEGER, a signed 32-bit number on PostgreSQL (SQLite's would hold 64 bits).
MAX_ID: Final = 2**31 - 1
#: An archive id as written in a link: no leading zero, so that one event has one URL.
ARCHIVE_ID: Final = re.compile(r"[1-9][0-9]{0,9}")


def in_range(number: int) -> bool:
    """Whether ``number`` can be an id or a revision number at all."""
    return 1 <= number <= MAX_ID


def archive_id(text: str) -> int | None:
    """``text`` as an archive id, or None when it cannot be one."""
    if not ARCHIVE_ID.fullmatch(text):
        return None
    number = int(text)
    return number if in_range(number) else None
