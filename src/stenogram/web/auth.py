"""Who is asking: session cookies, the CSRF token of every form, and the role checks.

The cookie holds a session token signed with HMAC-SHA256 (the key: :func:`session_secret`), so
a forged or altered cookie is refused before the database is asked; the session itself lives in
the database (:mod:`stenogram.accounts.sessions`). Cookies are HttpOnly, SameSite=Lax, and
Secure when the site is served over https.

CSRF: a synchronizer token derived from the session token (an HMAC of it), so it needs no
storage and dies with the session; before logging in, from a random form cookie instead (the
log-in form is a form too). Every POST form handler depends on :func:`check_csrf`, which takes
the token from the ``csrf_token`` field or from an ``X-CSRF-Token`` header (for htmx).

Readers never send a cookie, so the public pages stay cacheable; a request that carries a
session is never answered from the shared cache (:mod:`.cache`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from fastapi import Request
from markupsafe import Markup, escape
from starlette.responses import Response

from ..accounts import Role, User
from ..accounts.sessions import session_user
from ..errors import LoginNeeded, NotAllowed, StoreError
from .respond import archive_of, settings_of

SESSION_COOKIE: Final = "stenogram_session"
FORM_COOKIE: Final = "stenogram_form"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
_UNSET: Final = object()


@dataclass(frozen=True, slots=True)
class Signer:
    """Signs cookie values: ``value.signature``, the signature an HMAC of the value."""

    key: bytes

    def mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self.key, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, purpose: str, value: str) -> str:
        return f"{value}.{self.mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str | None) -> str | None:
        value, _, signature = (signed or "").rpartition(".")
        if not value or not hmac.compare_digest(signature, self.mac(purpose, value)):
            return None
        return value


def signer_of(request: Request) -> Signer:
    signer: Signer = request.app.state.signer
    return signer


def session_token(request: Request) -> str | None:
    signed = request.cookies.get(SESSION_COOKIE)
    # A reader sends no cookie: nothing to look up (not even the app, which a page rendered by
    # a middleware outside it, such as the busy answer, has not got).
    return None if signed is None else signer_of(request).unsign("session", signed)


def current_user(request: Request) -> User | None:
    """The logged-in user of this request (looked up once per request), or None."""
    found = getattr(request.state, "user", _UNSET)
    if found is _UNSET:
        token = session_token(request)
        found = session_user(archive_of(request), token) if token else None
        request.state.user = found
    assert found is None or isinstance(found, User)
    return found


def viewer(request: Request) -> User | None:
    """:func:`current_user` for the page header (a template global): an error page about a
    database that is down must still render, so a failed lookup there shows nobody."""
    try:
        return current_user(request)
    except StoreError:
        return None


def require(role: Role) -> Callable[[Request], User]:
    """A dependency: the user, who must be logged in with ``role`` or above. Without a session a
    browser is sent to the log-in page (:class:`LoginNeeded`); a lower role gets 403."""

    def logged_in(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise LoginNeeded("this page needs you to log in", document=request.url.path)
        if user.role < role:
            raise NotAllowed(f"this needs the {role.label} role", document=request.url.path)
        return user

    return logged_in


def login_redirect(request: Request) -> str:
    """Where a browser without a session goes: the log-in page, then back here."""
    query = f"?{request.url.query}" if request.url.query else ""
    return f"/login?next={quote(request.url.path + query, safe='')}"


def csrf_token(request: Request) -> str:
    """The token this request's forms carry: tied to the session, else to the form cookie
    (made now if the browser has none; :func:`set_form_cookie` sends it)."""
    found = _expected_token(request)
    if found is not None:
        return found
    made = getattr(request.state, "new_form_cookie", None) or secrets.token_urlsafe(24)
    request.state.new_form_cookie = made
    return signer_of(request).mac("csrf-form", made)


def _expected_token(request: Request) -> str | None:
    token = session_token(request)
    if token is not None:
        return signer_of(request).mac("csrf", token)
    anonymous = signer_of(request).unsign("form", request.cookies.get(FORM_COOKIE))
    return None if anonymous is None else signer_of(request).mac("csrf-form", anonymous)


def csrf_field(request: Request) -> Markup:
    """The hidden field every POST form holds (a template global)."""
    return Markup(
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">'
    )


async def check_csrf(request: Request) -> None:
    """A dependency of every POST form handler: 403 unless the form (or the ``X-CSRF-Token``
    header) carries this session's token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = _expected_token(request)
    if not sent or expected is None or not hmac.compare_digest(sent, expected):
        raise NotAllowed(
            "the form's security token is missing or out of date; reload the page and try again",
            document=request.url.path,
        )


def _secure(request: Request) -> bool:
    public = settings_of(request).public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def set_form_cookie(request: Request, response: Response) -> None:
    """Send the form cookie :func:`csrf_token` made for this page, if it made one."""
    made = getattr(request.state, "new_form_cookie", None)
    if made is not None:
        signed = signer_of(request).sign("form", made)
        set_cookie(request, response, FORM_COOKIE, signed, 24 * 3600)


def start_session(request: Request, response: Response, token: str) -> None:
    lifetime = int(settings_of(request).session_hours * 3600)
    set_cookie(
        request, response, SESSION_COOKIE, signer_of(request).sign("session", token), lifetime
    )
    response.delete_cookie(FORM_COOKIE, path="/", httponly=True, samesite="lax")


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
