"""The log-in and log-out pages.

A failed log-in answers the page again with the reason (401, or 429 with ``Retry-After`` when
the account or the address is over its limit), never saying whether the name exists. Nothing
here echoes the password, and the audit log notes log-ins and log-outs only by name.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from ..accounts import User
from ..accounts.ratelimit import Limits
from ..accounts.sessions import log_in, log_out
from ..errors import LoginRefused, TooManyAttempts
from .auth import (
    check_csrf,
    current_user,
    end_session,
    session_token,
    set_form_cookie,
    start_session,
)
from .respond import archive_of, render, settings_of

router = APIRouter(include_in_schema=False)

_NO_STORE = {"cache-control": "no-store"}


def local_path(value: object) -> str:
    """``next`` as a path on this site; anything else (another host, ``//host``) is home."""
    text = value if isinstance(value, str) else ""
    if not text.startswith("/") or text.startswith(("//", "/\\")) or any(c < " " for c in text):
        return "/"
    return text


def client_address(request: Request, proxies: tuple[str, ...]) -> str:
    """The address the rate limit counts: the peer's, or behind trusted proxies the last
    address of ``X-Forwarded-For`` that is not one of them (the ones before it could be
    made up by the client)."""
    peer = request.client.host if request.client else "unknown"
    if peer not in proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    return next((hop for hop in reversed(hops) if hop not in proxies), peer)


def login_data(request: Request, next_page: str, error: str | None = None) -> dict[str, Any]:
    user = current_user(request)
    return {"next": local_path(next_page), "user": user.name if user else None, "error": error}


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    response = render(request, "login.html", login_data(request, next))
    set_form_cookie(request, response)
    response.headers.update(_NO_STORE)
    return response


@router.post("/login", dependencies=[Depends(check_csrf)])
async def login(request: Request) -> Response:
    form = await request.form()
    name, password, next_page = (str(form.get(k) or "") for k in ("name", "password", "next"))
    settings = settings_of(request)
    address = client_address(request, settings.trusted_proxies)
    try:
        _user, token = await run_in_threadpool(
            log_in,
            archive_of(request),
            name,
            password,
            address,
            Limits.of(settings),
            settings.session_hours * 3600,
        )
    except (LoginRefused, TooManyAttempts) as exc:
        response = render(
            request, "login.html", login_data(request, next_page, exc.reason), exc.http_status
        )
        if isinstance(exc, TooManyAttempts):
            response.headers["retry-after"] = str(exc.retry_after)
        response.headers.update(_NO_STORE)
        return response
    response = RedirectResponse(local_path(next_page), 303)
    start_session(request, response, token)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, user: Annotated[User | None, Depends(current_user)]) -> Response:
    token = session_token(request)
    if token is not None:
        log_out(archive_of(request), token, user)
    response = RedirectResponse("/", 303)
    end_session(request, response)
    return response
