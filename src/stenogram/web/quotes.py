"""The quote check on the web: ``/check`` (a form, and the verdict as a permalink with the quote
in its URL), its JSON twin, and ``POST /api/check``, which answers the object of
``stenogram check --json``.

A check is a GET with the quote in the URL so that a verdict can be linked, bookmarked and
cited like any page; the API takes a POST as well because a quote of thousands of characters
is awkward in a query string.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from ..archive import Archive
from ..check import CheckResult, check_quote
from ..check.text import MAX_CHARS
from ..errors import NotFound, QueryError
from ..export.cite import cite
from ..queries import pinned_permalink
from . import models
from .api import ERRORS
from .data import Citing
from .respond import archive_of, citing, json_response, render, wants_json

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["archive"])

#: A URL carries more than a quote may have, so that an over-long quote gets the check's own
#: message; beyond this the request itself is refused.
MAX_URL_QUOTE: Final = 4 * MAX_CHARS
MAX_SPEAKER: Final = 200
#: What each verdict means, shown above the passages.
EXPLAINED: Final[dict[str, str]] = {
    "exact": "The words occur verbatim (case, punctuation and quote marks aside).",
    "close": "The same passage, with the differences marked: words the quote dropped are "
    "struck through, words it added or changed are highlighted after them.",
    "stitched": "The parts of the quote come from different places of one event: each part "
    "is shown where it was said.",
    "paraphrase": "No passage has these words, but this one says the same in other words.",
    "other_speaker": "The words were said, but not by the speaker named: the passage of the "
    "person who said them comes first.",
    "other_date": "The words were said, but not on the date given.",
    "translation": "The quote matches a translation: the passage it matches and the original "
    "are both shown.",
    "not_found": "No passage has these words. The nearest passages are shown as they are; "
    "none of them is the quote.",
}


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{value!r} is not a date (YYYY-MM-DD)", document="check") from None


def permalink(quote: str, speaker: str | None = None, date: str | None = None) -> str:
    """The verdict page of a check: everything it was asked with is in the URL."""
    given = {"q": quote, "speaker": speaker, "date": date}
    return "/check?" + urlencode({k: v for k, v in given.items() if v})


def check_page(
    archive: Archive,
    quote: str,
    speaker: str | None = None,
    date: str | None = None,
    at: Citing | None = None,
) -> dict[str, Any]:
    """The check form's data, and for a quote its verdict (``result``, the object of
    ``stenogram check --json``), each passage as marked runs, the verdict's permalink, and a
    citation of the best passage."""
    base: dict[str, Any] = {"quote": quote, "speaker": speaker or "", "date": date or ""}
    if not quote.strip():
        return {**base, "result": None, "marked": [], "citation": None, "permalink": "/check"}
    result = check_quote(archive, quote, speaker=speaker or None, date=_date(date))
    return {
        **base,
        "result": result.to_json(),
        "explained": EXPLAINED[result.verdict],
        "marked": [[dataclasses.asdict(p) for p in m.pieces()] for m in result.matches],
        "citation": _citation(archive, result, at or Citing()),
        "permalink": permalink(quote, speaker, date),
    }


def _citation(archive: Archive, result: CheckResult, at: Citing) -> dict[str, Any] | None:
    """The citation of the best passage, when the verdict says the quote was said."""
    if result.verdict in ("not_found", "paraphrase") or not result.matches:
        return None
    best = result.matches[0]
    try:
        stored = archive.event(best.event_id)
    except NotFound:
        return None
    doc = stored.document
    position = best.position
    said = doc.speeches[position - 1] if position and position <= len(doc.speeches) else None
    link = pinned_permalink(stored, position if said else None)
    return cite(doc, link, speech=said, base=at.base, accessed=at.accessed).to_dict()


@pages.get("/check")
async def check(
    request: Request,
    q: str = Query("", max_length=MAX_URL_QUOTE),
    speaker: str = Query("", max_length=MAX_SPEAKER),
    date: str = Query("", max_length=10),
) -> Response:
    archive = archive_of(request)
    try:
        found = check_page(archive, q, speaker, date, citing(request))
    except QueryError as exc:
        if wants_json(request):
            raise
        page: dict[str, Any] = {
            "quote": q,
            "speaker": speaker,
            "date": date,
            "result": None,
            "marked": [],
        }
        return render(request, "check.html", {**page, "error": exc.reason}, status=400)
    return render(request, "check.html", found)


class CheckRequest(BaseModel):
    """A quote to check, and who and when it is attributed to (both optional)."""

    quote: str = Field(description=f"The quote as it circulates (at most {MAX_CHARS} characters).")
    speaker: str | None = Field(default=None, max_length=MAX_SPEAKER)
    date: str | None = Field(default=None, description="YYYY-MM-DD", max_length=10)
    limit: int = Field(default=5, ge=1, le=20)


@api.post("/check", responses=ERRORS, response_model=models.CheckResult)
async def check_api(request: Request, body: CheckRequest) -> Response:
    """Whether, where and by whom a quote was said: a verdict (exact, close, stitched,
    paraphrase, other_speaker, other_date, translation, not_found), its score, and the
    passages best first with their provenance and the differences (the object of
    ``stenogram check --json``)."""
    when = _date(body.date)
    archive = archive_of(request)
    result = check_quote(archive, body.quote, speaker=body.speaker, date=when, limit=body.limit)
    return json_response(result.to_json())
