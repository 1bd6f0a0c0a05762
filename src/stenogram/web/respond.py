"""What every router of the web app shares: the archive and settings of the app, rendering a
page or its JSON twin, JSON and error responses, and absolute URLs.

The routers (:mod:`.pages`, :mod:`.api`, :mod:`.feeds`) import from here and :mod:`.app` only
assembles them, so no router depends on the module that includes it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any, Final

import orjson
from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.datastructures import URL
from starlette.responses import HTMLResponse, Response

from .. import __version__
from ..archive import Archive
from ..export.formats import formats
from ..export.run import MAX_QUERY_SPEECHES
from ..export.textversion import format_date
from ..settings import Settings
from .data import Citing
from .security import safe_url, snippet_html

#: Set on the scope by :class:`.app.JsonTwin` when a page was asked for as ``….json``.
JSON_FLAG: Final = "stenogram.json"


def wants_json(request: Request) -> bool:
    if request.scope.get(JSON_FLAG) or request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_response(data: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS),
        status_code=status,
        media_type="application/json",
    )


def _date(value: Any, language: str = "en") -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, language if language in ("en", "ru") else "en")


_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
_LATIN: Final = re.compile(r"[A-Za-z]")


def _language_of(text: object) -> str:
    """``ru`` for text mostly in Cyrillic, else ``en``: the ``lang`` of a listed title or excerpt
    whose record's language the listing does not carry, so a screen reader voices it right."""
    value = str(text or "")
    return "ru" if len(_CYRILLIC.findall(value)) > len(_LATIN.findall(value)) else "en"


def _facet_items(buckets: list[dict[str, Any]], name: str) -> Markup:
    """A facet's values as list items linking to the narrowed search: one template expression
    per facet, because a search page shows ~40 values and each expression costs."""
    facet = escape(name)
    # f-strings over escape(): Markup.format runs Python's string.Formatter, ~10x slower.
    return Markup(
        "".join(
            f'<li><a class="facet" data-facet="{facet}" href="{escape(b["href"])}">'
            f'{escape(b["value"])}</a> <span class="meta">{int(b["count"]):,}</span></li>'
            for b in buckets
        )
    )


def _page_link(url: URL, page: int) -> str:
    """The same page's ``page``-th part, as a site-relative link: the request's own URL starts
    with whatever ``Host`` the client sent."""
    moved = url.include_query_params(page=page)
    return f"{moved.path}?{moved.query}"


@cache
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("stenogram.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters["safe_url"] = safe_url
    env.filters["snippet"] = snippet_html
    env.filters["facet_items"] = _facet_items
    env.filters["page_link"] = _page_link
    env.filters["long_date"] = _date
    env.filters["language_of"] = _language_of
    env.filters["thousands"] = lambda n: f"{int(n or 0):,}"
    env.globals["version"] = __version__
    env.globals["search_exports"] = SEARCH_EXPORTS
    env.globals["stream_exports"] = stream_exports
    env.globals["document_exports"] = DOCUMENT_EXPORTS
    env.globals["export_cap"] = MAX_QUERY_SPEECHES
    return env


#: What the search page offers to download, in its order: label -> format of the registry.
SEARCH_EXPORTS: Final = {"CSV": "speeches-csv", "JSONL": "jsonl", "Parquet": "speeches-parquet"}

#: What an event page offers besides the one-stream formats: the event's file of the formats
#: that write one file per event, label -> format of the registry.
DOCUMENT_EXPORTS: Final = {"AKN": "akn", "TEI": "tei", "Text": "txt"}


def stream_exports() -> list[str]:
    """The registry's one-stream formats, which an event page links to (a format registered by
    another package shows up too)."""
    return sorted(name for name, fmt in formats().items() if not fmt.folder)


def render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    """The one place a page's data becomes either its HTML or its JSON twin."""
    if wants_json(request):
        return json_response(data, status)
    page = templates().get_template(template).render(data=data, request=request)
    return HTMLResponse(page, status_code=status)


def archive_of(request: Request) -> Archive:
    archive: Archive = request.app.state.archive
    return archive


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def public_base(request: Request) -> str:
    """The scheme and host that absolute links (feeds, citations, redirects) start with: the
    configured ``public_url`` when set, else the request's own."""
    configured = settings_of(request).public_url
    return (configured or str(request.base_url)).rstrip("/")


def absolute_url(request: Request, path: str) -> str:
    return public_base(request) + path


def citing(request: Request) -> Citing:
    """Citations on this request's pages link to the archive at its public base, accessed today."""
    return Citing(public_base(request))


def error_response(
    request: Request, status: int, code: str, message: str, *, last_page: int | None = None
) -> Response:
    """``{"error": {"code", "message"}}``, with ``last_page`` for a page past the end. The HTML
    page keeps the search query in its box, so a mistyped query is corrected, not retyped."""
    error: dict[str, Any] = {"code": code, "message": message}
    if last_page is not None:
        error["last_page"] = last_page
    body = {"error": error}
    if wants_json(request):
        return json_response(body, status)
    page = (
        templates()
        .get_template("error.html")
        .render(data=body, request=request, status=status, query=request.query_params.get("q", ""))
    )
    return HTMLResponse(page, status_code=status)
