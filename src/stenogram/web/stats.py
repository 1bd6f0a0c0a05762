"""``/stats``: the archive's analytics as pages, downloads and ``/api/stats/...``.

Each question has one dependency that turns the query string into a checked question of
:mod:`.statsdata`; the page, its JSON twin, its downloads and its API endpoint all take it, so
they accept and refuse the same requests. A page asked with nothing to count yet (a trend
without terms) shows its empty form; the API requires what the question cannot go without.

No ``from __future__ import annotations`` here: the handlers are made in a loop, and FastAPI
must see their ``Depends`` as objects, not as names it cannot resolve in the module.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ..errors import QueryError
from . import models, statsdata
from .api import ERRORS
from .params import (
    Against,
    Per,
    Period,
    SomeTerms,
    StatsFilter,
    StatsLimit,
    StatsPerson,
    Terms,
    Year,
)
from .respond import archive_of, json_response, render
from .statsdata import Calendar, Distinctive, Network, Places, Question, Speakers, Trend

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/stats", tags=["stats"])

#: Media types of what a question downloads as.
_MEDIA: Final = {**statsdata.DOWNLOADS, **statsdata.GRAPH_DOWNLOADS}


def _trend_page(
    term: SomeTerms = None,
    by: Period = "year",
    per: Per = "none",
    q: StatsFilter = "",
) -> Trend | None:
    return Trend.checked(term, by, per, q) if term and any(t.strip() for t in term) else None


def _trend(term: Terms, by: Period = "year", per: Per = "none", q: StatsFilter = "") -> Trend:
    return Trend.checked(term, by, per, q)


def _speakers(by: Period = "year", q: StatsFilter = "", limit: StatsLimit = 20) -> Speakers:
    return Speakers(by, statsdata.check_filter(q), limit)


def _distinctive_page(
    q: StatsFilter = "", against: Against = "", limit: StatsLimit = 30
) -> Distinctive | None:
    return Distinctive.checked(q, against, limit) if q.strip() else None


def _distinctive(q: StatsFilter, against: Against = "", limit: StatsLimit = 30) -> Distinctive:
    return Distinctive.checked(q, against, limit)


def _network(q: StatsFilter = "", person: StatsPerson = None, limit: StatsLimit = 100) -> Network:
    return Network(statsdata.check_filter(q), person, limit)


def _calendar(q: StatsFilter = "", year: Year = None) -> Calendar:
    return Calendar(statsdata.check_filter(q), year)


def _places(by: Period = "year", q: StatsFilter = "", limit: StatsLimit = 20) -> Places:
    return Places(by, statsdata.check_filter(q), limit)


#: Per question: the dependency of its page (may be None: the empty form) and of its API.
_PAGES: Final[dict[str, Callable[..., Question | None]]] = {
    "trend": _trend_page,
    "speakers": _speakers,
    "distinctive": _distinctive_page,
    "network": _network,
    "calendar": _calendar,
    "places": _places,
}
_APIS: Final[dict[str, tuple[Callable[..., Question], type[Any]]]] = {
    "trend": (_trend, models.TrendStats),
    "speakers": (_speakers, models.SpeakerStats),
    "distinctive": (_distinctive, models.DistinctiveStats),
    "network": (_network, models.NetworkStats),
    "calendar": (_calendar, models.CalendarStats),
    "places": (_places, models.PlacesStats),
}


@router.get("/stats")
async def index(request: Request) -> Response:
    return render(request, "stats.html", statsdata.index())


def _page(name: str, ask: Callable[..., Question | None]) -> Callable[..., Awaitable[Response]]:
    async def page(request: Request, question: Annotated[Any, Depends(ask)]) -> Response:
        archive = archive_of(request)
        found = statsdata.answer(archive, question) if question else statsdata.blank(name)
        return render(request, "stats_question.html", found)

    return page


def _download(
    name: str, kind: str, ask: Callable[..., Question | None]
) -> Callable[..., Awaitable[Response]]:
    async def download(request: Request, question: Annotated[Any, Depends(ask)]) -> Response:
        if question is None:
            raise QueryError(f"a {name} download needs what to count: " + statsdata.NEEDS[name])
        body = statsdata.download(archive_of(request), question, kind)
        filename = f"stenogram-{name}.{kind}"
        headers = {"content-disposition": f'attachment; filename="{filename}"'}
        if kind == "svg":
            headers["content-security-policy"] = statsdata.SVG_POLICY
        return Response(body, media_type=_MEDIA[kind], headers=headers)

    return download


def _api(name: str, ask: Callable[..., Question]) -> Callable[..., Awaitable[Response]]:
    async def answer(request: Request, question: Annotated[Any, Depends(ask)]) -> Response:
        return json_response(question.run(archive_of(request)).to_json())

    return answer


for _name, _ask in _PAGES.items():
    router.add_api_route(f"/stats/{_name}", _page(_name, _ask), methods=["GET"])
    kinds = [*statsdata.DOWNLOADS, *(statsdata.GRAPH_DOWNLOADS if _name == "network" else ())]
    for _kind in kinds:
        route = f"/stats/{_name}.{_kind}"
        router.add_api_route(route, _download(_name, _kind, _ask), methods=["GET"])
    _call, _model = _APIS[_name]
    api.add_api_route(
        f"/{_name}",
        _api(_name, _call),
        methods=["GET"],
        response_model=_model,
        responses=ERRORS,
        summary=statsdata.QUESTIONS[_name],
        description=statsdata.ABOUT[_name],
        name=f"stats_{_name}",
    )
