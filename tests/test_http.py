"""The fetcher's rules, with the network replaced by an httpx MockTransport and time by fakes."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest

from stenogram.errors import FetchError
from stenogram.sources.http import Fetcher, FetchPolicy, HostBlocked, HostUnreachable

ROBOTS = b"User-agent: *\nDisallow: /events/president/news/copy\nCrawl-delay: 3\n"
PLAIN_ROBOTS = b"User-agent: *\nDisallow: /events/president/news/copy\n"
POLICY = FetchPolicy(user_agent="stenogram-tests/1", delay=1.0, retries=2, backoff=0.5)


class Clock:
    """A fake clock that sleeping advances, so waits are recorded, not spent."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


Handler = Callable[[httpx.Request], httpx.Response]


def _fetcher(
    handler: Handler, policy: FetchPolicy = POLICY, robots: bytes = ROBOTS
) -> tuple[Fetcher, list[httpx.Request], Clock, list[str]]:
    seen: list[httpx.Request] = []
    clock = Clock()
    log: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, content=robots)
        return handler(request)

    fetcher = Fetcher(
        {"site.test"},
        policy,
        transport=httpx.MockTransport(route),
        log=log.append,
        sleep=clock.sleep,
        clock=clock,
    )
    return fetcher, seen, clock, log


def test_robots_forbidden_pages_are_never_requested() -> None:
    fetcher, seen, _, _ = _fetcher(lambda r: httpx.Response(200, content=b"ok"))
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.get("http://site.test/events/president/news/copy/123")
    assert [r.url.path for r in seen] == ["/robots.txt"]
    assert fetcher.get("http://site.test/events/president/news/123").body == b"ok"


def test_user_agent_delay_and_conditional_get() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(200, content=b"body", headers={"ETag": '"v1"'})

    fetcher, seen, clock, _ = _fetcher(handler)
    first = fetcher.get("http://site.test/a")
    assert (first.status, first.body, first.etag) == (200, b"body", '"v1"')
    again = fetcher.get("http://site.test/a", etag='"v1"', last_modified="Mon, 01 Jan 2024")
    assert again.not_modified and again.body == b""
    assert seen[-1].headers["If-Modified-Since"] == "Mon, 01 Jan 2024"
    assert {r.headers["User-Agent"] for r in seen} == {"stenogram-tests/1"}
    # robots.txt asks for 3 s between requests, more than our 1 s: the longer wins.
    assert clock.sleeps == [3.0, 3.0]


def test_retry_after_is_honoured_and_5xx_retried_with_backoff_then_given_up() -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, content=b"x")]
    )
    fetcher, _, clock, log = _fetcher(
        lambda r: next(answers), FetchPolicy("ua", delay=0), PLAIN_ROBOTS
    )
    assert fetcher.get("http://site.test/a").body == b"x"
    assert clock.sleeps == [7.0] and "HTTP 429; waiting 7.0 s" in log[0]

    fetcher, seen, clock, log = _fetcher(lambda r: httpx.Response(503), POLICY)
    with pytest.raises(FetchError, match="gave up after 3 attempts: HTTP 503"):
        fetcher.get("http://site.test/b")
    assert len([r for r in seen if r.url.path == "/b"]) == 3
    # Backoff 0.5 s then 1 s, each followed by the per-host delay wait.
    assert [s for s in clock.sleeps if s not in (3.0,)] == [0.5, 2.5, 1.0, 2.0]


def test_redirects_stay_on_the_allowed_hosts() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/moved":
            return httpx.Response(301, headers={"Location": "/here"})
        if request.url.path == "/away":
            return httpx.Response(302, headers={"Location": "https://evil.test/x"})
        return httpx.Response(200, content=b"here")

    fetcher, seen, _, _ = _fetcher(handler, FetchPolicy("ua", delay=0))
    assert fetcher.get("http://site.test/moved").url == "http://site.test/here"
    with pytest.raises(FetchError, match=r"redirect to a foreign host 'evil\.test'"):
        fetcher.get("http://site.test/away")
    with pytest.raises(FetchError, match="foreign host"):
        fetcher.get("http://other.test/")
    assert all(r.url.host == "site.test" for r in seen)


def test_responses_are_capped_while_streaming() -> None:
    small = FetchPolicy("ua", delay=0, max_bytes=1000)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/declared":
            return httpx.Response(200, content=b"x" * 5000)
        return httpx.Response(200, content=iter([b"x" * 600, b"x" * 600]))  # no length

    fetcher, _, _, _ = _fetcher(handler, small)
    with pytest.raises(FetchError, match=r"too large \(5,000 bytes"):
        fetcher.get("http://site.test/declared")
    with pytest.raises(FetchError, match=r"too large \(over 1,000 bytes"):
        fetcher.get("http://site.test/streamed")


def test_a_run_of_403_pauses_once_then_stops() -> None:
    policy = FetchPolicy("ua", delay=0, forbidden_run=2, forbidden_pause=60)
    fetcher, _, clock, log = _fetcher(lambda r: httpx.Response(403), policy, PLAIN_ROBOTS)
    for _ in range(3):
        with pytest.raises(FetchError, match="HTTP 403"):
            fetcher.get("http://site.test/a")
    assert clock.sleeps == [60.0] and "2 refusals (403) in a row" in log[0]
    with pytest.raises(HostBlocked):
        fetcher.get("http://site.test/a")


def test_robots_missing_allows_and_robots_failing_forbids() -> None:
    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404 if request.url.path == "/robots.txt" else 200, content=b"ok")

    fetcher = Fetcher(
        {"site.test"}, FetchPolicy("ua", delay=0), transport=httpx.MockTransport(missing)
    )
    assert fetcher.get("http://site.test/copy").body == b"ok"

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500 if request.url.path == "/robots.txt" else 200, content=b"ok")

    policy = FetchPolicy("ua", delay=0, retries=0)
    fetcher = Fetcher({"site.test"}, policy, transport=httpx.MockTransport(failing))
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.get("http://site.test/page")


def test_timeouts_and_cut_connections_are_fetch_errors_naming_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/slow":
            raise httpx.ReadTimeout("slow", request=request)
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    fetcher, _, _, _ = _fetcher(handler, FetchPolicy("ua", delay=0, retries=1, backoff=0))
    with pytest.raises(FetchError) as slow:
        fetcher.get("http://site.test/slow")
    assert slow.value.document == "http://site.test/slow"
    assert "timed out after 30 s" in slow.value.reason
    with pytest.raises(FetchError, match="truncated or malformed response"):
        fetcher.get("http://site.test/cut")


def test_a_crawl_delay_over_the_cap_is_cut_to_it_and_each_wait_is_announced() -> None:
    policy = FetchPolicy("ua", delay=1.0, max_delay=60.0)
    robots = b"User-agent: *\nCrawl-delay: 3600\n"
    fetcher, _, clock, log = _fetcher(lambda r: httpx.Response(200, content=b"ok"), policy, robots)
    for path in ("/a", "/b"):
        fetcher.get(f"http://site.test{path}")
    assert clock.sleeps == [60.0, 60.0]
    assert log == ["waiting 60.0 s for site.test (Crawl-delay 3600 capped to 60)"] * 2
    # Under the cap robots.txt is obeyed as it is, and said; our own delay is not worth a line.
    fetcher, _, clock, log = _fetcher(lambda r: httpx.Response(200, content=b"ok"))
    fetcher.get("http://site.test/a")
    assert clock.sleeps == [3.0] and log == ["waiting 3.0 s for site.test (Crawl-delay 3)"]
    fetcher, _, clock, log = _fetcher(lambda r: httpx.Response(200, content=b"ok"), POLICY, b"")
    fetcher.get("http://site.test/a")
    assert clock.sleeps == [1.0] and log == []


@pytest.mark.parametrize(
    ("cause", "reason"),
    [
        (socket.gaierror(-2, "Name or service not known"), "host name not found"),
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (OSError(101, "Network is unreachable"), "network unreachable"),
    ],
)
def test_no_connection_is_host_unreachable_not_a_robots_verdict(
    cause: OSError, reason: str
) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(str(cause), request=request) from cause

    policy = FetchPolicy("ua", delay=0, retries=1, backoff=0)
    fetcher = Fetcher({"site.test"}, policy, transport=httpx.MockTransport(offline))
    with pytest.raises(HostUnreachable) as stopped:
        fetcher.get("http://site.test/page")
    assert stopped.value.message == f"cannot reach site.test: {reason} ({cause})"
