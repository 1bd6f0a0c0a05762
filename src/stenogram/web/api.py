"""The JSON API under ``/api/`` (described at ``/openapi.json``).

It answers from the same :mod:`.data` functions as the pages, so an API record and a page's JSON
twin are the same dict. Errors are ``{"error": {"code", "message"}}`` (see :mod:`.app`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import Response

from ..errors import ParseError
from . import admin as admin_writes
from . import data
from .respond import archive_of, citing, json_response, settings_of
from .security import check_token

router = APIRouter(prefix="/api", tags=["archive"])

Page = Annotated[int, Query(ge=1, le=data.MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)]
FacetLimit = Annotated[int, Query(ge=1, le=data.MAX_FACET_LIMIT)]
#: ``from``/``to`` on a list of events (``from`` is a Python keyword, hence the aliases).
FromDate = Annotated[str | None, Query(alias="from", max_length=10)]
ToDate = Annotated[str | None, Query(alias="to", max_length=10)]
Text = Annotated[str, Query(max_length=data.MAX_QUERY_CHARS)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": 'Bad parameters: `{"error": {"code": "query", "message": ...}}`'},
    404: {"description": 'Unknown id: `{"error": {"code": "not_found", "message": ...}}`'},
}


#: The methods an OpenAPI path item may hold, in the order the index lists them.
_METHODS = ("get", "post", "put", "patch", "delete")


def describe(schema: dict[str, Any]) -> dict[str, Any]:
    """The API's index, read off its OpenAPI document so the two never disagree: each operation
    with its method, path and summary, and where the full description and the docs are."""
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": (operation.get("description") or "").split("\n\n")[0],
        }
        for path, item in schema.get("paths", {}).items()
        for method in _METHODS
        if (operation := item.get(method)) is not None
    ]
    info = schema.get("info", {})
    return {
        "title": info.get("title", ""),
        "version": info.get("version", ""),
        "description": info.get("description", ""),
        "openapi": "/openapi.json",
        "docs": "/docs",
        "operations": operations,
    }


@router.get("/")
async def index(request: Request) -> Response:
    """This index: every operation of the API, with links to the OpenAPI document and the docs."""
    return json_response(describe(request.app.openapi()))


@router.get("/search", responses=ERRORS)
async def search(
    request: Request,
    q: Text,
    limit: Annotated[int, Query(ge=1, le=data.MAX_PER_PAGE)] = data.HITS_PER_PAGE,
    offset: Annotated[int, Query(ge=0, le=data.MAX_SEARCH_WINDOW)] = 0,
    sort: str = "relevance",
    events: bool = False,
    facet_limit: FacetLimit = data.FACET_LIMIT,
    reported: bool = False,
) -> Response:
    """Hits (fields of ``stenogram search --json``) under ``results``, facets under ``facets``
    (``facet_sizes``: how many values each has; ``facet_limit`` shows more)."""
    found = data.search_page(
        archive_of(request),
        q,
        offset=offset,
        limit=limit,
        sort=sort,
        events=events,
        facet_limit=facet_limit,
        reported=reported,
    )
    return json_response(found)


@router.get("/events", responses=ERRORS)
async def events(
    request: Request,
    page: Page = 1,
    per_page: PerPage = 20,
    person: Text | None = None,
    start: FromDate = None,
    end: ToDate = None,
) -> Response:
    """Events, newest first; ``person`` keeps those a person spoke at or took part in,
    ``from``/``to`` (``YYYY[-MM[-DD]]``) a date range."""
    at = data.paging(page, per_page)
    return json_response(data.event_list(archive_of(request), at, person, start, end))


@router.get("/events/{ref}", responses=ERRORS)
async def event(request: Request, ref: str, revision: int | None = None) -> Response:
    """Every field of an event (archive id or publisher id), its revisions, the last diff and
    a ``citation`` (absolute permalink, the publisher's URL, access date, a plain-text form)."""
    return json_response(data.event_page(archive_of(request), ref, revision, citing(request)))


@router.get("/speeches/{speech_id}", responses=ERRORS)
async def speech(request: Request, speech_id: int) -> Response:
    """A speech with the turns before and after it, and its ``citation`` (as for an event,
    with the speaker and their role at the time)."""
    return json_response(data.speech_page(archive_of(request), speech_id, citing(request)))


@router.get("/persons", responses=ERRORS)
async def persons(request: Request, page: Page = 1, per_page: PerPage = 50) -> Response:
    return json_response(data.persons_index(archive_of(request), data.paging(page, per_page)))


@router.get("/persons/{person_id}", responses=ERRORS)
async def person(
    request: Request, person_id: str, page: Page = 1, per_page: PerPage = 20
) -> Response:
    """Name forms, roles over time, words per year, events and speeches (paged by ``page``)."""
    found = data.person_page(archive_of(request), person_id, data.paging(page, per_page))
    return json_response(found)


@router.get("/tags/{kind}", responses=ERRORS)
async def tags(request: Request, kind: str, page: Page = 1, per_page: PerPage = 100) -> Response:
    """Tags of a kind (topics, geography, persons, place) with their event counts."""
    return json_response(data.tags_index(archive_of(request), kind, data.paging(page, per_page)))


@router.get("/tags/{kind}/{name:path}", responses=ERRORS)
async def tag(
    request: Request, kind: str, name: str, page: Page = 1, per_page: PerPage = 20
) -> Response:
    found = data.tag_page(archive_of(request), kind, name, data.paging(page, per_page))
    return json_response(found)


@router.get("/sections", responses=ERRORS)
async def sections(request: Request) -> Response:
    return json_response(data.sections_index(archive_of(request)))


@router.get("/sections/{name:path}", responses=ERRORS)
async def section(request: Request, name: str, page: Page = 1, per_page: PerPage = 20) -> Response:
    found = data.section_page(archive_of(request), name, data.paging(page, per_page))
    return json_response(found)


# --- admin writes: mounted only when STENOGRAM_ADMIN_TOKEN is set -------------------------------


def _admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    token = settings_of(request).admin_token
    assert token, "the admin router is only mounted with a token"
    check_token(authorization, token)


admin = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(_admin)])

MAX_NAME = 200


class Merge(BaseModel):
    """Fold person ``other`` into person ``into`` (``stenogram persons merge``)."""

    into: str = Field(min_length=1, max_length=MAX_NAME)
    other: str = Field(min_length=1, max_length=MAX_NAME)


@admin.post("/ingest", responses=ERRORS)
async def ingest(
    request: Request, name: Annotated[str, Query(max_length=MAX_NAME)] = "upload.html"
) -> Response:
    """Ingest one document sent as the request body (any format ``stenogram parse`` reads)."""
    settings = settings_of(request)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # stop reading as soon as it is too large
        size += len(chunk)
        if size > settings.max_document_bytes:
            raise ParseError("the document is too large", document=name)
        chunks.append(chunk)
    body = b"".join(chunks)
    return json_response(await run_in_threadpool(admin_writes.ingest_bytes, settings, body, name))


@admin.post("/persons/merge", responses=ERRORS)
def merge(request: Request, body: Merge) -> Response:
    return json_response(admin_writes.merge(settings_of(request), body.into, body.other))
