"""The HTML pages. Each handler calls one function of :mod:`.data` and hands its dict to
:func:`.app.render`, which answers HTML or, for ``.json`` / ``Accept: application/json``, the
same dict as JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from . import data, statsdata
from .api import describe
from .params import (
    EventRef,
    FacetLimit,
    FromDate,
    Kind,
    Name,
    Page,
    PerPage,
    PersonId,
    Revision,
    Sort,
    SpeechId,
    Text,
    ToDate,
)
from .respond import archive_of, citing, render, templates, wants_json

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, page: Page = 1, per_page: PerPage = 20) -> Response:
    return render(request, "home.html", data.home(archive_of(request), data.paging(page, per_page)))


@router.get("/events")
async def events(
    request: Request,
    page: Page = 1,
    per_page: PerPage = 20,
    person: Text | None = None,
    start: FromDate = None,
    end: ToDate = None,
) -> Response:
    at = data.paging(page, per_page)
    found = data.event_list(archive_of(request), at, person, start, end)
    return render(request, "events.html", found)


@router.get("/events/{ref}")
async def event(request: Request, ref: EventRef, revision: Revision = None) -> Response:
    found = data.event_page(archive_of(request), ref, revision, citing(request))
    return render(request, "event.html", found)


@router.get("/events/{ref}/text")
async def event_text(request: Request, ref: EventRef, revision: Revision = None) -> Response:
    """The text version, as plain text (like the seed): the view to check a quote against."""
    found = data.event_text(archive_of(request), ref, revision)
    if wants_json(request):
        return render(request, "", found)
    return PlainTextResponse(found["text"] + "\n")


@router.get("/speeches/{speech_id}")
async def speech(request: Request, speech_id: SpeechId) -> Response:
    found = data.speech_page(archive_of(request), int(speech_id), citing(request))
    return render(request, "speech.html", found)


@router.get("/persons")
async def persons(request: Request, page: Page = 1, per_page: PerPage = 50) -> Response:
    found = data.persons_index(archive_of(request), data.paging(page, per_page))
    return render(request, "persons.html", found)


@router.get("/persons/{person_id}/words.svg")
async def person_chart(request: Request, person_id: PersonId) -> Response:
    return Response(data.person_chart(archive_of(request), person_id), media_type="image/svg+xml")


@router.get("/persons/{person_id}")
async def person(
    request: Request, person_id: PersonId, page: Page = 1, per_page: PerPage = 20
) -> Response:
    at = data.paging(page, per_page)
    return render(request, "person.html", statsdata.person_page(archive_of(request), person_id, at))


@router.get("/tags")
async def tags_home(request: Request, page: Page = 1, per_page: PerPage = 100) -> Response:
    return await tags(request, "topics", page, per_page)


@router.get("/tags/{kind}")
async def tags(request: Request, kind: Kind, page: Page = 1, per_page: PerPage = 100) -> Response:
    found = data.tags_index(archive_of(request), kind, data.paging(page, per_page))
    return render(request, "tags.html", found)


@router.get("/tags/{kind}/{name:path}")
async def tag(
    request: Request, kind: Kind, name: Name, page: Page = 1, per_page: PerPage = 20
) -> Response:
    found = statsdata.tag_page(archive_of(request), kind, name, data.paging(page, per_page))
    return render(request, "events.html", found)


@router.get("/about")
async def about(request: Request) -> Response:
    return render(request, "about.html", data.about(archive_of(request)))


@router.get("/sections")
async def sections(request: Request) -> Response:
    return render(request, "sections.html", data.sections_index(archive_of(request)))


@router.get("/sections/{name:path}")
async def section(request: Request, name: Name, page: Page = 1, per_page: PerPage = 20) -> Response:
    found = data.section_page(archive_of(request), name, data.paging(page, per_page))
    return render(request, "events.html", found)


@router.get("/help/query")
async def query_help(request: Request) -> Response:
    """The query language, for the link on a search's error page (``docs/`` is not shipped)."""
    return HTMLResponse(
        templates().get_template("help_query.html").render(data={}, request=request)
    )


@router.get("/docs")
async def docs(request: Request) -> Response:
    """The interactive API documentation: Swagger UI from the package's own copy (the CSP allows
    nothing else), over a plain list of the operations that needs no script."""
    return render(request, "docs.html", describe(request.app.openapi()))


@router.get("/search")
async def search(
    request: Request,
    q: Text = "",
    page: Page = 1,
    per_page: PerPage = data.HITS_PER_PAGE,
    sort: Sort = "relevance",
    events: bool = False,
    facet_limit: FacetLimit = data.FACET_LIMIT,
    reported: bool = False,
) -> Response:
    at = data.paging(page, per_page)
    found = data.search_page(
        archive_of(request),
        q,
        offset=at.offset,
        limit=at.per_page,
        sort=sort,
        events=events,
        facet_limit=facet_limit,
        reported=reported,
    )
    return render(request, "search.html", found)
