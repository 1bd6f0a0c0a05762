"""The web application: pages, their JSON twins, the JSON API and the Atom feeds in one FastAPI app.

One :class:`~stenogram.archive.Archive` is opened per app and shared by every request (its engine
pools connections and every read is its own transaction), rather than opening the archive per
request; with ``read_replicas`` its reads go to the replicas (:mod:`stenogram.archive.replicas`),
while the admin writes open the primary themselves and answer from it. Errors become
``{"error": {"code", "message"}}`` (or an HTML page for a browser), with the status and code
carried by the :class:`StenogramError` class; nothing else ever reaches a client, least of all a
traceback.

The read handlers are ``async`` though they never wait: a page is CPU-bound, so it runs on the
event loop, one request at a time in order of arrival (:mod:`.turns`), rather than in threads that
would only pass the GIL around; a worker process per core gives the parallelism.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from .. import __version__
from ..accounts.sessions import session_secret
from ..errors import LoginNeeded, PastTheEnd, StenogramError, Unavailable
from ..follow import Follower
from ..ingest import open_archive
from ..publish.scheduler import Scheduler
from ..settings import Settings, load_settings
from . import adminpages, api, editor, exports, feeds, health, login, pages, quotes, stats
from .auth import Signer, login_redirect
from .cache import Generation, ResponseCache
from .health import RequestMetrics
from .respond import JSON_FLAG, absolute_url, error_response, wants_json
from .security import SecurityHeaders
from .turns import RETRY_AFTER, Busy, Turns

log = logging.getLogger("stenogram.web")

#: Paths whose ``.json`` is their real name, not a twin of an HTML page.
_NATIVE_JSON: Final = ("/api/", "/openapi.json", "/static/")
#: The response cache of each worker process: the busiest pages, not the corpus (memory is
#: bounded; a page nobody asks for again is just rendered again).
CACHE_BYTES: Final = 8 * 1024 * 1024
#: Threads for what still runs off the event loop (the admin writes). The work is CPU-bound
#: Python under one GIL, so more threads add no throughput, only memory: with anyio's default
#: 40, more pooled database connections and malloc arenas fill up.
THREADS: Final = 4
#: Seconds a client is asked to wait after a 503 for a database that cannot be reached.
UNAVAILABLE_RETRY: Final = "5"


class HeadAsGet:
    """HEAD is GET without the body (link checkers and monitors send it): the app sees a GET,
    the client gets its status and headers, ``Content-Length`` included, and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class JsonTwin:
    """``/events/72811.json`` is ``/events/72811`` asked for as JSON (``/index.json``: home)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and path.endswith(".json") and not path.startswith(_NATIVE_JSON):
            # In place, so that the middlewares outside see the route the page took (metrics).
            base = path[: -len(".json")]
            scope["path"] = "/" if base in ("", "/index") else base
            scope[JSON_FLAG] = True
        await self.app(scope, receive, send)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(StenogramError)
    async def stenogram_error(request: Request, exc: StenogramError) -> Response:
        if exc.http_status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc.message)
        # The reason only: ``document`` may name a server path.
        reason = " ".join(exc.reason.split())
        last = exc.last_page if isinstance(exc, PastTheEnd) else None
        response = error_response(request, exc.http_status, exc.code, reason, last_page=last)
        if isinstance(exc, LoginNeeded) and not wants_json(request):
            return RedirectResponse(login_redirect(request), 303)
        if isinstance(exc, Unavailable):
            response.headers["retry-after"] = UNAVAILABLE_RETRY
        return response

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            # ``/events/²``, an id past its column's range: not a bad request, no such page.
            return error_response(request, 404, "not_found", "no such page")
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return error_response(request, 400, "query", problems or "bad request")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        path = request.url.path
        if exc.status_code == 404 and path.endswith("/") and path.strip("/"):
            # ``/events/`` is ``/events``; the redirect starts with the public base URL, never
            # with whatever ``Host`` the client sent (Starlette's own slash redirect does that).
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(absolute_url(request, path.rstrip("/") + query), 308)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        response = error_response(request, exc.status_code, code, message)
        response.headers.update(exc.headers or {})  # a 405's Allow
        return response

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal", "internal error")


def create_app(settings: Settings, *, cache_bytes: int = CACHE_BYTES) -> FastAPI:
    """The app for the archive named by ``settings`` (which must exist: serving never creates).

    A lagging search index is caught up once here, and then follows the archive's change log
    while the app serves (:mod:`stenogram.follow`): requests only ever read it.
    ``cache_bytes`` bounds the cache of finished responses (0: no cache; see :mod:`.cache`).
    """
    archive = open_archive(settings, replicas=True)
    signer = Signer(session_secret(archive, settings.session_secret))
    generation = Generation(archive.watch(), archive.max_seq, archive.index_path)
    follower = Follower(archive)
    scheduler = Scheduler(archive)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = THREADS
        # What is loaded by now (modules, templates, the app) lives as long as the process.
        # Frozen, it is out of the collector's sight: a full collection walked its ~95,000
        # objects for 41-50 ms (once per 6 s of varied load), and every queued request waited.
        gc.collect()
        gc.freeze()
        follower.start()
        scheduler.start()
        yield
        scheduler.stop()
        follower.stop()
        generation.close()
        archive.close()

    app = FastAPI(
        title="stenogram",
        version=__version__,
        description="A searchable, citable record of press-office events.",
        docs_url=None,  # the Swagger page loads from a CDN, which the CSP refuses
        redoc_url=None,
        lifespan=lifespan,
        redirect_slashes=False,  # see the 404 handler
    )
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    app.state.archive = archive
    app.state.settings = settings
    app.state.signer = signer
    _install_errors(app)

    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(quotes.api)
    app.include_router(stats.api)
    app.include_router(exports.router)
    if settings.admin_token:
        app.include_router(api.admin)
    app.include_router(feeds.router)
    app.include_router(login.router)
    app.include_router(adminpages.router)
    app.include_router(editor.router)
    app.include_router(stats.router)
    app.include_router(pages.router)
    app.include_router(quotes.pages)
    # Swagger UI's files for /docs, from the swagger-ui-bundle-v2 package: served here, offline.
    app.mount("/static/swagger-ui", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    app.mount("/static", StaticFiles(packages=[("stenogram.web", "static")]), name="static")
    app.add_middleware(JsonTwin)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Turns)
    if cache_bytes > 0:
        app.add_middleware(ResponseCache, generation=generation, max_bytes=cache_bytes)
    app.add_middleware(Busy, limit=settings.max_requests, refuse=busy_response)
    app.add_middleware(RequestMetrics)  # counts cached and refused answers too
    app.add_middleware(HeadAsGet)
    return app


def busy_response(scope: Scope) -> Response:
    message = "the server is busy; try again in a moment"
    response = error_response(Request(scope), 503, "busy", message)
    response.headers["retry-after"] = str(RETRY_AFTER)
    return response


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The document as the API answers: a bad parameter is 400 with the error body everywhere,
    never FastAPI's default 422 with its own body (which no response ever has)."""
    generate = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operations in schema["paths"].values():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    declared = responses.pop("422", None)
                    assert declared is None or "400" in responses, operation["operationId"]
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    return document


def app_from_environment() -> FastAPI:
    """The app factory of ``stenogram serve --workers N``: each worker process builds its own
    app (its own connections and index reader) from the ``STENOGRAM_*`` environment."""
    return create_app(load_settings())
