"""The one exception tree of stenogram.

Every error a user can meet is a :class:`StenogramError`. Each class carries the exit code the
CLI returns for it and the HTTP status the web layer answers with, so that neither layer needs its
own mapping table and a new error cannot be forgotten in one of them.
"""

from __future__ import annotations


class StenogramError(Exception):
    """Base of every error stenogram raises on purpose.

    ``document`` names what the error is about (a path, an archive member, a URL, a query) so the
    one-line message a user sees always says *which* input failed and *why*.
    """

    exit_code: int = 1
    http_status: int = 500
    code: str = "error"

    def __init__(self, reason: str, *, document: str | None = None) -> None:
        self.reason = reason
        self.document = document
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.document}: {self.reason}" if self.document else self.reason


class ConfigError(StenogramError):
    """A setting has a value that cannot be used."""

    exit_code = 78  # EX_CONFIG
    http_status = 500
    code = "config"


class ParseError(StenogramError):
    """A document could not be read into a record (empty, binary, unknown layout, too big...)."""

    exit_code = 65  # EX_DATAERR
    http_status = 422
    code = "parse"


class SourceError(StenogramError):
    """A path, folder or archive could not be opened or listed."""

    exit_code = 66  # EX_NOINPUT
    http_status = 400
    code = "source"


class StoreError(StenogramError):
    """The archive could not be read or written."""

    exit_code = 74  # EX_IOERR
    http_status = 503
    code = "store"


class IndexBusy(StoreError):
    """Another process holds the search index's writer (an ingest, or a node's follower): it
    applies the archive's change log, so whatever was stored reaches the index anyway."""


class Unavailable(StoreError):
    """The database cannot be reached now (down, restarting, refusing connections): worth
    retrying shortly, and nothing was lost. ``document`` keeps the driver's detail for the log;
    a client sees the reason only."""

    exit_code = 69  # EX_UNAVAILABLE
    http_status = 503
    code = "unavailable"


class QueryError(StenogramError):
    """A search query is malformed or exceeds a limit."""

    exit_code = 64  # EX_USAGE
    http_status = 400
    code = "query"


class AmbiguousName(QueryError):
    """A person filter's name fits several persons; ``candidates`` are their (id, name)."""

    def __init__(
        self, reason: str, candidates: list[tuple[str, str]], *, document: str | None = None
    ) -> None:
        self.candidates = candidates
        listed = "; ".join(f"{name} ({pid})" for pid, name in candidates)
        super().__init__(f"{reason}: {listed}", document=document)


class FetchError(StenogramError):
    """A remote document could not be fetched (refused, too large, timed out, off-site)."""

    exit_code = 69  # EX_UNAVAILABLE
    http_status = 502
    code = "fetch"


class NotFound(StenogramError):
    """The requested event, speech, person or tag does not exist."""

    exit_code = 2
    http_status = 404
    code = "not_found"


class Conflict(StenogramError):
    """The request does not fit the current state of what it acts on (publishing a draft that
    is still being written, correcting an event that was never published)."""

    exit_code = 65  # EX_DATAERR
    http_status = 409
    code = "conflict"


class BadUpload(StenogramError):
    """An uploaded file was refused: not an image of an accepted type, too large, a bomb."""

    exit_code = 65  # EX_DATAERR
    http_status = 422
    code = "upload"


class LoginRefused(StenogramError):
    """A log-in with a wrong name or password (which of the two is not said)."""

    exit_code = 77  # EX_NOPERM
    http_status = 401
    code = "unauthorized"


class LoginNeeded(StenogramError):
    """A page for logged-in users only, asked for without a session: a browser is sent to the
    log-in page, a JSON client gets 401."""

    exit_code = 77  # EX_NOPERM
    http_status = 401
    code = "unauthorized"


class NotAllowed(StenogramError):
    """The user (or nobody) may not do this: a role too low, or a form without its CSRF token."""

    exit_code = 77  # EX_NOPERM
    http_status = 403
    code = "forbidden"


class TooManyAttempts(StenogramError):
    """Too many failed log-ins for an account or from an address; ``retry_after`` in seconds."""

    exit_code = 75  # EX_TEMPFAIL
    http_status = 429
    code = "rate_limited"

    def __init__(self, reason: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(reason)


class PastTheEnd(NotFound):
    """A page number beyond the last page of a list; ``last_page`` is where the list ends."""

    code = "past_end"

    def __init__(self, page: int, last_page: int) -> None:
        self.last_page = last_page
        pages = "is 1 page" if last_page == 1 else f"are {last_page} pages"
        super().__init__(f"page {page} is past the end: there {pages}")


__all__ = [
    "AmbiguousName",
    "BadUpload",
    "ConfigError",
    "Conflict",
    "FetchError",
    "LoginNeeded",
    "LoginRefused",
    "NotAllowed",
    "NotFound",
    "ParseError",
    "PastTheEnd",
    "QueryError",
    "SourceError",
    "StenogramError",
    "StoreError",
    "TooManyAttempts",
    "Unavailable",
]
