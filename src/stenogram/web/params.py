"""The path and query parameters of the pages and the API, each with its bounds, declared once.

A path parameter that does not fit (``/events/²``, an id past the column's range) names no
page: the app answers 404 for it, not 400 (see :mod:`.app`). The id rules are :mod:`..ids`'s.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from fastapi import Path, Query
from pydantic import StringConstraints

from ..archive.browse import BrowseKind
from ..ids import MAX_ID
from ..search.engine import Sort as Sort
from ..stats.trend import MAX_TERMS
from . import data

#: An archive id or a speech id in a URL: ASCII digits without a leading zero.
ID_PATTERN: Final = r"^[1-9][0-9]{0,9}$"
#: ``53016``, ``kremlin.ru:53016`` or a publisher's own id such as ``hostile-1``: ASCII only, so
#: that no Unicode digit can stand for an ASCII one.
REF_PATTERN: Final = r"^(?:[A-Za-z0-9.-]{1,100}:)?[A-Za-z0-9._-]{1,100}$"
MAX_NAME: Final = 200
#: The length of a trend's term, the rows of a statistic, the years a calendar may show.
MAX_TERM_CHARS: Final = 100
MAX_STATS_LIMIT: Final = 200
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100

Page = Annotated[int, Query(ge=1, le=data.MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)]
Text = Annotated[str, Query(max_length=data.MAX_QUERY_CHARS)]
FacetLimit = Annotated[int, Query(ge=1, le=data.MAX_FACET_LIMIT)]
#: ``from``/``to`` on a list of events (``from`` is a Python keyword, hence the aliases).
DATE_PATTERN: Final = r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
FromDate = Annotated[str | None, Query(alias="from", pattern=DATE_PATTERN, max_length=10)]
ToDate = Annotated[str | None, Query(alias="to", pattern=DATE_PATTERN, max_length=10)]
EventRef = Annotated[
    str,
    Path(
        pattern=REF_PATTERN,
        max_length=201,
        description="The publisher's id (`53016`, `kremlin.ru:53016`) or the archive's id.",
    ),
]
SpeechId = Annotated[str, Path(pattern=ID_PATTERN, max_length=10)]
Revision = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="An older revision of the event.")
]
PersonId = Annotated[str, Path(min_length=1, max_length=MAX_NAME)]
Kind = Annotated[BrowseKind, Path()]
Name = Annotated[str, Path(min_length=1, max_length=MAX_NAME)]
Limit = Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)]
Offset = Annotated[
    int,
    Query(
        ge=0,
        le=data.MAX_SEARCH_WINDOW - data.MAX_PER_PAGE,
        description=(
            f"The search pages through the first {data.MAX_SEARCH_WINDOW:,} hits: "
            "offset + limit never passes that."
        ),
    ),
]

# --- the questions of /stats and /api/stats (bounds shared with :mod:`.statsdata`) ---------------

#: ``q``: the search query language as a filter on what is counted (may be empty: everything).
StatsFilter = Annotated[
    str,
    Query(max_length=data.MAX_QUERY_CHARS, description="A search query: what is counted."),
]
#: One term of a trend: a word or a phrase.
Term = Annotated[str, StringConstraints(max_length=MAX_TERM_CHARS)]
Terms = Annotated[
    list[Term],
    Query(
        alias="term",
        min_length=1,
        max_length=MAX_TERMS,
        description=f"A word or phrase whose use is counted (repeat for up to {MAX_TERMS}).",
    ),
]
#: The terms of a trend's page, whose form starts empty.
SomeTerms = Annotated[
    list[Term] | None,
    Query(alias="term", max_length=MAX_TERMS, description="A word or phrase to count."),
]
Period = Annotated[Literal["year", "month"], Query(description="The period counted in.")]
Per = Annotated[
    Literal["none", "speaker", "role"],
    Query(description="Split each term's series by speaker or by role."),
]
StatsLimit = Annotated[int, Query(ge=1, le=MAX_STATS_LIMIT, description="How many rows.")]
Against = Annotated[
    str,
    Query(
        max_length=data.MAX_QUERY_CHARS,
        description="A search query: what the speeches are set against (default: the rest).",
    ),
]
StatsPerson = Annotated[
    str | None,
    Query(min_length=1, max_length=MAX_NAME, description="A person's id: their ego network."),
]
Year = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="One year's days.")]
