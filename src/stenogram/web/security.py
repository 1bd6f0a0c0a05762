"""Security for a public, read-only archive: strict headers, safe links, and the admin token.

The archive holds text scraped from other sites, so every page must stay inert whatever a title
or a speech says: templates escape everything (autoescape), links go through :func:`safe_url`,
and the CSP forbids inline scripts and styles, so even an escaping bug cannot run code.
"""

from __future__ import annotations

import hmac
import html
import re
from typing import Final
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import StenogramError

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_TAG: Final = re.compile(r"(</?b>)")


class SecurityHeaders:
    """Pure ASGI middleware (not BaseHTTPMiddleware, which costs a task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [h for h in HEADERS if h[0] not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def safe_url(value: object) -> str | None:
    """An http(s) URL or a site-relative path; anything else (``javascript:``, ``data:``) is
    dropped, because escaping alone does not make a scheme harmless in ``href``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("/") and not text.startswith("//"):
        return text
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in ("http", "https") else None


def snippet_html(snippet: str) -> Markup:
    """A search snippet with only its ``<b>`` highlights kept as markup.

    The engine already escapes the text around the highlights; unescaping and escaping again
    makes that a guarantee here rather than a property of the engine's version.
    """
    parts = _TAG.split(snippet)  # split on a group: text at even places, the tags at odd ones
    parts[::2] = [escape(html.unescape(part)) for part in parts[::2]]
    return Markup("".join(parts))


class Unauthorized(StenogramError):
    """No admin token was sent."""

    http_status = 401
    code = "unauthorized"


class Forbidden(StenogramError):
    """An admin token was sent and it is wrong."""

    http_status = 403
    code = "forbidden"


def check_token(header: str | None, token: str) -> None:
    """The authorization scheme is case-insensitive (RFC 9110: ``bearer`` is ``Bearer``)."""
    scheme, _, credentials = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized("this needs Authorization: Bearer <admin token>")
    if not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        raise Forbidden("wrong admin token")
