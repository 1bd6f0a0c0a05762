"""The JSON API under ``/api/`` (described at ``/openapi.json``).

It answers from the same :mod:`.data` functions as the pages, so an API record and a page's JSON
twin are the same dict. Errors are ``{"error": {"code", "message"}}`` (see :mod:`.app`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.responses import Response

from . import admin as admin_writes
from . import data, models
from .params import (
    MAX_NAME,
    EventRef,
    FacetLimit,
    FromDate,
    Kind,
    Limit,
    Name,
    Offset,
    Page,
    PerPage,
    PersonId,
    Revision,
    Sort,
    SpeechId,
    Text,
    ToDate,
)
from .respond import archive_of, citing, json_response, settings_of
from .security import check_token

router = APIRouter(prefix="/api", tags=["archive"])


def _error(description: str) -> dict[str, Any]:
    return {"model": models.ErrorBody, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Bad parameters (code `query`)"),
    404: _error("No such event, speech, person, tag or section (code `not_found`)"),
}
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Bad parameters or a document that was refused"),
    401: _error("No `Authorization: Bearer <admin token>` header (code `unauthorized`)"),
    403: _error("A wrong admin token (code `forbidden`)"),
    404: _error("No such person (code `not_found`)"),
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


@router.get("/", response_model=models.ApiIndex)
async def index(request: Request) -> Response:
    """This index: every operation of the API, with links to the OpenAPI document and the docs."""
    return json_response(describe(request.app.openapi()))


@router.get("/search", responses=ERRORS, response_model=models.SearchPage)
async def search(
    request: Request,
    q: Text,
    limit: Limit = data.HITS_PER_PAGE,
    offset: Offset = 0,
    sort: Sort = "relevance",
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


@router.get("/events", responses=ERRORS, response_model=models.EventList)
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


@router.get("/events/{ref}", responses=ERRORS, response_model=models.EventPage)
async def event(request: Request, ref: EventRef, revision: Revision = None) -> Response:
    """Every field of an event (archive id or publisher id), its revisions, the last diff and
    a ``citation`` (absolute permalink, the publisher's URL, access date, a plain-text form)."""
    return json_response(data.event_page(archive_of(request), ref, revision, citing(request)))


@router.get("/speeches/{speech_id}", responses=ERRORS, response_model=models.SpeechPage)
async def speech(request: Request, speech_id: SpeechId) -> Response:
    """A speech with the turns before and after it, and its ``citation`` (as for an event,
    with the speaker and their role at the time)."""
    found = data.speech_page(archive_of(request), int(speech_id), citing(request))
    return json_response(found)


@router.get("/persons", responses=ERRORS, response_model=models.PersonList)
async def persons(request: Request, page: Page = 1, per_page: PerPage = 50) -> Response:
    return json_response(data.persons_index(archive_of(request), data.paging(page, per_page)))


@router.get("/persons/{person_id}", responses=ERRORS, response_model=models.PersonPage)
async def person(
    request: Request, person_id: PersonId, page: Page = 1, per_page: PerPage = 20
) -> Response:
    """Name forms, roles over time, words per year, events and speeches (paged by ``page``)."""
    found = data.person_page(archive_of(request), person_id, data.paging(page, per_page))
    return json_response(found)


@router.get("/tags/{kind}", responses=ERRORS, response_model=models.TagList)
async def tags(request: Request, kind: Kind, page: Page = 1, per_page: PerPage = 100) -> Response:
    """Tags of a kind (topics, geography, persons, place) with their event counts."""
    return json_response(data.tags_index(archive_of(request), kind, data.paging(page, per_page)))


@router.get("/tags/{kind}/{name:path}", responses=ERRORS, response_model=models.TagPage)
async def tag(
    request: Request, kind: Kind, name: Name, page: Page = 1, per_page: PerPage = 20
) -> Response:
    found = data.tag_page(archive_of(request), kind, name, data.paging(page, per_page))
    return json_response(found)


@router.get("/sections", responses=ERRORS, response_model=models.SectionList)
async def sections(request: Request) -> Response:
    return json_response(data.sections_index(archive_of(request)))


@router.get("/sections/{name:path}", responses=ERRORS, response_model=models.SectionPage)
async def section(request: Request, name: Name, page: Page = 1, per_page: PerPage = 20) -> Response:
    found = data.section_page(archive_of(request), name, data.paging(page, per_page))
    return json_response(found)


# --- admin writes: mounted only when STENOGRAM_ADMIN_TOKEN is set -------------------------------


#: Declares the scheme in ``/openapi.json``; the token itself is checked by :func:`check_token`.
_BEARER = HTTPBearer(auto_error=False, description="The admin token (STENOGRAM_ADMIN_TOKEN).")


def _admin(
    request: Request,
    _sent: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)] = None,
) -> None:
    token = settings_of(request).admin_token
    assert token, "the admin router is only mounted with a token"
    check_token(request.headers.get("authorization"), token)


admin = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    dependencies=[Depends(_admin)],
    responses=ADMIN_ERRORS,
)


class Merge(BaseModel):
    """Fold person ``other`` into person ``into`` (``stenogram persons merge``)."""

    into: str = Field(min_length=1, max_length=MAX_NAME)
    other: str = Field(min_length=1, max_length=MAX_NAME)


@admin.post(
    "/ingest",
    response_model=models.IngestResult,
    responses={413: _error("The document is larger than the archive takes (code `too_large`)")},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One document, in any format `stenogram parse` reads.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
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
            raise admin_writes.TooLarge("the document is too large", document=name)
        chunks.append(chunk)
    body = b"".join(chunks)
    author = _token_author(request)
    done = await run_in_threadpool(admin_writes.ingest_bytes, settings, body, name, author)
    return json_response(done)


@admin.post("/persons/merge", response_model=models.MergeResult)
def merge(request: Request, body: Merge) -> Response:
    author = _token_author(request)
    return json_response(admin_writes.merge(settings_of(request), body.into, body.other, author))


def _token_author(request: Request) -> admin_writes.Author:
    """The admin API's writes are the admin token's, which names no user."""
    return admin_writes.Author(archive_of(request), None, "api")
