"""The polite, bounded HTTP fetcher every crawler source goes through.

Why it is built this way:

- One fetcher per crawl holds the rules that keep a publisher's goodwill: robots.txt (read with
  ``protego``, a maintained parser, because kremlin.ru forbids its ``/copy`` pages), one request
  at a time per host with a delay (the longer of ours and robots' ``Crawl-delay``, which is
  capped like ``Retry-After`` so that a hostile or careless value cannot park the crawl for
  hours, and announced when it makes us wait; counted from the end of the previous request, and
  kept across processes when crawlers share a frontier, see :class:`Turns`), an identifying
  User-Agent, conditional GET,
  backoff on 429 and 5xx honouring ``Retry-After``, and a pause when the host keeps answering
  403 (a stop if it still does after the pause).
- Only the hosts of the source are ever contacted: redirects are followed by hand so that each
  hop is checked, and one that leaves the allow-list is refused before it is requested. The
  redirects of robots.txt are followed by the same rule (RFC 9309 asks for five hops).
- A host that cannot be reached at all (no such name, connection refused, no network) stops the
  crawl with that reason: it is not a verdict of robots.txt, and every page would fail the same.
- A response is capped in size while it streams (a lying or absent Content-Length cannot make
  us buffer a gigabyte) and in time, so one bad page costs seconds, not the crawl.
- The httpx transport is injectable: it is the network seam that tests replace.

Every failure is a :class:`~stenogram.errors.FetchError` naming the URL and the reason.
"""

from __future__ import annotations

import email.utils
import errno
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

import httpx
from protego import Protego

from ..errors import FetchError
from ..settings import Settings

#: Statuses worth asking again: rate limiting and server trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
#: robots.txt is small; a larger one is read up to here.
ROBOTS_MAX_BYTES = 512 * 1024
#: What a robots.txt that cannot be read means (RFC 9309 2.3.1.4): nothing may be crawled.
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely and how patiently to fetch; tests shrink the waits to milliseconds."""

    user_agent: str
    delay: float = 2.0
    timeout: float = 30.0
    max_bytes: int = 20 * 1024 * 1024
    retries: int = 3
    #: First wait after a failure without Retry-After; it doubles on each retry.
    backoff: float = 2.0
    #: A longer Retry-After is cut to this, so a hostile header cannot park the crawl for days.
    max_wait: float = 300.0
    #: A longer robots.txt ``Crawl-delay`` is cut to this, for the same reason.
    max_delay: float = 60.0
    #: This many 403s in a row from one host make us pause before asking it again.
    forbidden_run: int = 5
    forbidden_pause: float = 600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            user_agent=settings.user_agent,
            delay=settings.crawl_delay,
            max_delay=settings.crawl_max_delay,
            timeout=settings.fetch_timeout,
            max_bytes=settings.max_response_bytes,
        )


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer: 200 with its body, or 304 (the stored body is still current)."""

    url: str
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HostStop(FetchError):
    """The host cannot be crawled now: the crawl stops (resumably) rather than fail each page."""


class HostBlocked(HostStop):
    """The host kept refusing us (403) even after a pause: the crawl should stop, not hammer."""


class HostUnreachable(HostStop):
    """No connection to the host could be made, after the retries."""


class Turns(Protocol):
    """Where the per-host delay is kept: this process (:class:`LocalTurns`), or the database
    every crawler of a frontier shares (:class:`~stenogram.archive.frontier.Frontier`)."""

    def turn(
        self, host: str, delay: float, wait: Callable[[float], None]
    ) -> AbstractContextManager[None]:
        """Send one request to ``host`` inside, ``delay`` after the previous one ended
        (``wait`` spends what is left of it)."""
        ...


class LocalTurns:
    """The delay kept by one process alone."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._last: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str, delay: float, wait: Callable[[float], None]) -> Iterator[None]:
        last = self._last.get(host)
        if last is not None and last + delay > self._clock():
            wait(last + delay - self._clock())
        try:
            yield
        finally:
            self._last[host] = self._clock()


def host_of(url: str) -> str:
    """The host (with an explicit port) that the allow-list and the delay are kept by."""
    return httpx.URL(url).netloc.decode("ascii").lower()


class Fetcher:
    """GET with the rules of the module docstring; use as a context manager."""

    def __init__(
        self,
        hosts: Iterable[str],
        policy: FetchPolicy,
        *,
        transport: httpx.BaseTransport | None = None,
        log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        turns: Turns | None = None,
    ) -> None:
        self.hosts = frozenset(h.lower() for h in hosts)
        self.policy = policy
        self._log = log or (lambda _line: None)
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(policy.timeout),
            headers={"User-Agent": policy.user_agent},
        )
        self._robots: dict[str, Protego] = {}
        self._turns = turns or LocalTurns(clock)
        self._forbidden: dict[str, int] = {}
        self._paused: set[str] = set()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # --- the public call ------------------------------------------------------------------

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """Fetch ``url`` (conditionally when a validator is given), following same-site
        redirects; a :class:`FetchError` for anything but 200 and 304."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_allowed(current, origin=url)
            answer = self._with_retries(current, headers, self.policy.max_bytes)
            if isinstance(answer, Response):
                return answer
            current = str(httpx.URL(current).join(answer.location))
        raise FetchError(f"more than {MAX_REDIRECTS} redirects", document=url)

    # --- rules ----------------------------------------------------------------------------

    def _check_allowed(self, url: str, *, origin: str) -> None:
        self._check_hop(url, origin=origin)
        robots = self._robots_for(httpx.URL(url))
        if not robots.can_fetch(url, self.policy.user_agent):
            raise FetchError("refused: disallowed by robots.txt", document=origin)

    def _check_hop(self, url: str, *, origin: str) -> None:
        """Where any request (a page, robots.txt, a hop of their redirects) may go."""
        if httpx.URL(url).scheme not in ("http", "https"):
            raise FetchError(f"refused: not an http(s) address ({url})", document=origin)
        host = host_of(url)
        if host not in self.hosts:
            what = "redirect to a foreign host" if url != origin else "foreign host"
            raise FetchError(f"refused: {what} {host!r}", document=origin)

    def _robots_for(self, url: httpx.URL) -> Protego:
        """The host's robots.txt, fetched once."""
        host = host_of(str(url))
        rules = self._robots.get(host)
        if rules is None:
            robots_url = str(url.copy_with(path="/robots.txt", query=None, fragment=None))
            rules = self._robots[host] = Protego.parse(self._robots_text(host, robots_url))
        return rules

    def _robots_text(self, host: str, robots_url: str) -> str:
        """robots.txt as RFC 9309 reads it: redirects are followed, five hops at most, each kept
        to our hosts as a page's are; a missing file (4xx) allows everything; one that cannot
        be read (5xx, a timeout, a redirect we may not follow or one hop too many) forbids
        everything. The RFC lets a crawler read too many redirects as "missing" instead; not
        knowing what the site meant, we take the reading that cannot crawl what it forbids."""
        current = robots_url
        try:
            for _hop in range(MAX_REDIRECTS + 1):
                self._check_hop(current, origin=robots_url)
                answer = self._with_retries(current, {}, ROBOTS_MAX_BYTES)
                if isinstance(answer, Response):
                    return answer.body.decode("utf-8", "replace")
                current = str(httpx.URL(current).join(answer.location))
            raise FetchError(f"more than {MAX_REDIRECTS} redirects", document=robots_url)
        except HostStop:
            raise
        except StatusError as exc:
            if 400 <= exc.status < 500:
                return ""
            reason = exc.reason
        except FetchError as exc:
            reason = exc.reason
        self._log(f"robots.txt of {host} unreadable ({reason}): not crawling it")
        return DISALLOW_ALL

    def _turn(self, host: str) -> AbstractContextManager[None]:
        """The host's turn for one request, a delay after its previous request ended."""
        delay, why = self._delay(host)

        def wait(seconds: float) -> None:
            if why:
                self._log(f"waiting {seconds:.1f} s for {host} ({why})")
            self._sleep(seconds)

        return self._turns.turn(host, delay, wait)

    def _delay(self, host: str) -> tuple[float, str | None]:
        """Seconds between two requests to ``host``, and why, when robots.txt made it longer
        than ours (only then is a wait worth a line: ours is the same for every request)."""
        robots = self._robots.get(host)
        asked = float(robots.crawl_delay(self.policy.user_agent) or 0.0) if robots else 0.0
        if asked <= self.policy.delay:
            return self.policy.delay, None
        if asked > self.policy.max_delay:
            delay = max(self.policy.max_delay, self.policy.delay)
            return delay, f"Crawl-delay {asked:g} capped to {delay:g}"
        return asked, f"Crawl-delay {asked:g}"

    # --- one URL, with retries ------------------------------------------------------------

    def _with_retries(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> Response | _Redirect:
        attempts = self.policy.retries + 1
        reason = ""
        unreachable: _Unreachable | None = None
        for attempt in range(1, attempts + 1):
            try:
                answer = self._once(url, headers, max_bytes)
                unreachable = None
            except _Transient as exc:
                answer = _Retry(exc.reason, None)
                unreachable = exc if isinstance(exc, _Unreachable) else None
            if not isinstance(answer, _Retry):
                return answer
            reason = answer.reason
            if attempt == attempts:
                break
            wait = self._backoff(attempt, answer.retry_after)
            self._log(f"retry {url}: {reason}; waiting {wait:.1f} s ({attempt}/{attempts - 1})")
            self._sleep(wait)
        if unreachable is not None:
            raise HostUnreachable(f"cannot reach {host_of(url)}: {unreachable.reason}")
        raise FetchError(f"gave up after {attempts} attempts: {reason}", document=url)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = _retry_after_seconds(retry_after) if retry_after else None
        if wait is None:
            wait = self.policy.backoff * 2 ** (attempt - 1)
        return min(max(wait, 0.0), self.policy.max_wait)

    def _once(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> Response | _Redirect | _Retry:
        host = host_of(url)
        with self._turn(host):
            return self._request(url, host, headers, max_bytes)

    def _request(
        self, url: str, host: str, headers: dict[str, str], max_bytes: int
    ) -> Response | _Redirect | _Retry:
        started = self._clock()
        try:
            with self._client.stream("GET", url, headers=headers) as reply:
                status = reply.status_code
                if status in RETRY_STATUSES:
                    return _Retry(f"HTTP {status}", reply.headers.get("Retry-After"))
                if status == 403:
                    self._forbidden_once(host, url)
                if status in REDIRECT_STATUSES:
                    location = reply.headers.get("Location")
                    if not location:
                        raise FetchError(f"redirect ({status}) without a Location", document=url)
                    return _Redirect(location)
                if status not in (200, 304):
                    raise StatusError(status, url)
                self._forbidden[host] = 0
                self._paused.discard(host)
                body = b"" if status == 304 else self._read(reply, url, max_bytes, started)
                return Response(
                    str(reply.url),
                    status,
                    body,
                    reply.headers.get("ETag"),
                    reply.headers.get("Last-Modified"),
                    reply.headers.get("Content-Type"),
                )
        except httpx.TimeoutException:
            raise _Transient(f"timed out after {self.policy.timeout:g} s") from None
        except httpx.RemoteProtocolError as exc:
            raise _Transient(f"truncated or malformed response ({exc})") from None
        except httpx.ConnectError as exc:
            raise _Unreachable(f"{_why_unreachable(exc)} ({exc})") from None
        except httpx.TransportError as exc:
            raise _Transient(f"network error ({exc or type(exc).__name__})") from None

    def _read(self, reply: httpx.Response, url: str, max_bytes: int, started: float) -> bytes:
        declared = reply.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(
                f"refused: response too large ({int(declared):,} bytes; limit {max_bytes:,})",
                document=url,
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    f"refused: response too large (over {max_bytes:,} bytes)", document=url
                )
            if self._clock() - started > self.policy.timeout:
                raise _Transient(f"too slow: not complete after {self.policy.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def _forbidden_once(self, host: str, url: str) -> None:
        """Count a 403; at a run of them pause once, and stop if the host still refuses."""
        run = self._forbidden.get(host, 0) + 1
        self._forbidden[host] = run
        if run >= self.policy.forbidden_run:
            self._forbidden[host] = 0
            if host in self._paused:
                raise HostBlocked(
                    f"{host} still refuses (403) after a pause: stopping", document=url
                )
            self._paused.add(host)
            pause = self.policy.forbidden_pause
            self._log(f"{run} refusals (403) in a row from {host}: pausing {pause:g} s")
            self._sleep(pause)
        raise StatusError(403, url)


class StatusError(FetchError):
    """An HTTP status that no retry will change (404, 403, 410...)."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"HTTP {status}", document=url)
        self.status = status


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


@dataclass(frozen=True, slots=True)
class _Retry:
    reason: str
    retry_after: str | None


class _Transient(Exception):
    """A failure worth retrying (timeout, cut connection)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Unreachable(_Transient):
    """No connection could be made: retried too (a restarting server, a network blip)."""


def _why_unreachable(exc: httpx.ConnectError) -> str:
    """The OS error under httpx's, in words."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, socket.gaierror):
        return "host name not found"
    if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
        return "connection refused"
    if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "network unreachable"
    return "no connection"


def _retry_after_seconds(value: str) -> float | None:
    """Retry-After as seconds (a number, or an HTTP date); None when it cannot be read."""
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


__all__ = [
    "FetchPolicy",
    "Fetcher",
    "HostBlocked",
    "HostStop",
    "HostUnreachable",
    "LocalTurns",
    "Response",
    "StatusError",
    "Turns",
    "host_of",
]
