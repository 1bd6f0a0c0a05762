"""The crawler end to end, offline: a real HTTP server on 127.0.0.1 serves fixture copies of the
sites (see tests/sites), misbehaving on cue, and the crawl runs against it with --base-url."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from conftest import FIXTURES
from dbutil import sql_rows
from sites import SECTION, Act, Site, SiteServer, pm_site
from stenogram.archive import Archive
from stenogram.archive.frontier import Frontier
from stenogram.crawl import (
    OLD_STREAK,
    CrawlSummary,
    OldStreak,
    Window,
    _Walk,
    crawl,
    listing_stop,
    reparse,
)
from stenogram.errors import FetchError, ParseError, SourceError
from stenogram.ingest import open_settings
from stenogram.settings import Settings
from stenogram.sources.adapters import get_adapter
from stenogram.sources.http import Fetcher, FetchPolicy, Response, StatusError
from stenogram.sources.rawstore import RawStore
from webutil import free_port

SINCE = dt.date(2019, 5, 12)
POLICY = FetchPolicy(
    user_agent="stenogram-tests/1",
    delay=0.0,
    timeout=0.5,
    retries=1,
    backoff=0.01,
    forbidden_run=3,
    forbidden_pause=0.05,
)


@pytest.fixture
def settings(tmp_path: Path, database: str | None) -> Settings:
    return Settings(archive=tmp_path / "archive", database=database)


def _run(settings: Settings, server: SiteServer, **kwargs: object) -> tuple[object, list[str]]:
    lines: list[str] = []
    summary = crawl(
        "kremlin-en",
        settings,
        base_url=server.base_url,
        policy=POLICY,
        log=lines.append,
        **kwargs,  # type: ignore[arg-type]
    )
    return summary, lines


def _listed(pages: dict[str, bytes], path: str) -> list[str]:
    """Item paths of a served listing that the fixture site can serve, in listing order."""
    adapter = get_adapter("kremlin-en", "http://h")
    items = adapter.read_listing(path, pages[path]).items
    return [
        i.url.removeprefix("http://h") for i in items if i.url.removeprefix("http://h") in pages
    ]


def _events(settings: Settings) -> dict[str, int]:
    return dict(sql_rows(settings, "SELECT source_id, revision FROM events"))


# --- adapters on the real listings ------------------------------------------------------------


def test_kremlin_listing_pages_and_feed_give_ids_dates_and_the_next_page(
    kremlin_pages: dict[str, bytes],
) -> None:
    adapter = get_adapter("kremlin-en", "http://mirror.test")
    page = adapter.read_listing("p", kremlin_pages[f"{SECTION}/page/78"])
    assert len(page.items) == 20
    # Read against the page: first entry 60574 on May 23, 2019; last 60539 on May 17.
    assert (page.items[0].key, page.items[0].date) == ("60574", dt.date(2019, 5, 23))
    assert (page.items[-1].key, page.items[-1].date) == ("60539", dt.date(2019, 5, 17))
    assert page.items[0].url == "http://mirror.test/events/president/news/60574"
    assert page.next_url == "http://mirror.test/events/president/news/page/79"
    feed = adapter.read_listing("f", kremlin_pages[f"{SECTION}/feed"])
    assert (feed.items[0].key, feed.items[0].date) == ("63953", dt.date(2020, 8, 27))
    assert len(feed.items) == 20 and feed.next_url is None
    assert all(i.url.startswith("http://mirror.test/") for i in feed.items)
    assert adapter.start_urls(None, dt.date(2019, 5, 7)) == [
        "http://mirror.test/events/president/news/by-date/07.05.2019"
    ]
    with pytest.raises(SourceError):
        get_adapter("nowhere")


# --- the crawl against misbehaving sites ------------------------------------------------------


def test_crawl_handles_every_misbehaviour_and_goes_on(
    site: tuple[Site, SiteServer], settings: Settings
) -> None:
    fixture, server = site
    items = _listed(fixture.pages, f"{SECTION}/page/78")
    (limited, broken, f1, f2, f3, after_403, foreign, slow, big, cut, layout, to_copy) = items[:12]
    fixture.script = {
        limited: [Act(429, (("Retry-After", "1"),))],
        broken: [Act(500)] * 5,
        f1: [Act(403)],
        f2: [Act(403)],
        f3: [Act(403)],
        foreign: [Act(302, (("Location", "http://elsewhere.example/stolen"),))],
        slow: [Act(delay=1.0)] * 2,
        big: [Act(oversize=POLICY.max_bytes + 1)],
        cut: [Act(truncate=True)] * 2,
        layout: [Act(body=b"<html><body><main class='v2'><p>Redesigned</p></main></body></html>")],
        to_copy: [Act(302, (("Location", f"{SECTION}/copy/{to_copy.rsplit('/', 1)[1]}"),))],
    }
    summary, lines = _run(settings, server, since=SINCE)
    log = "\n".join(lines)
    stored = _events(settings)

    def key(path: str) -> str:
        return path.rsplit("/", 1)[1]

    # 429 + Retry-After: asked again after the wait, then stored.
    assert fixture.count(limited) == 2 and key(limited) in stored
    assert f"retry {server.base_url}{limited}: HTTP 429; waiting 1.0 s" in log
    # 500: retried, then skipped.
    assert fixture.count(broken) == 1 + POLICY.retries and key(broken) not in stored
    assert "gave up after 2 attempts: HTTP 500" in log
    # A run of 403s: one pause, then the crawl goes on.
    assert "3 refusals (403) in a row" in log and key(after_403) in stored
    # Off-site redirect refused; slow, oversized and truncated answers refused with a reason.
    assert "refused: redirect to a foreign host 'elsewhere.example'" in log
    assert "timed out after 0.5 s" in log and key(slow) not in stored
    assert "refused: response too large" in log and key(big) not in stored
    assert "truncated or malformed response" in log and key(cut) not in stored
    # Changed layout: a parse error, logged; the raw body is kept for a later reparse.
    assert f"skip {server.base_url}{layout}: not a kremlin.ru event page" in log
    url = server.base_url + layout
    kept = sql_rows(settings, f"SELECT kind FROM raw_responses WHERE url = '{url}'")
    assert kept == [("item",)]
    # robots.txt: the /copy text versions are never requested, even through a redirect.
    assert "disallowed by robots.txt" in log
    assert not [p for p in fixture.requests if p.startswith(f"{SECTION}/copy")]
    # Every request identified us.
    assert {h["user-agent"] for h in fixture.headers} == {POLICY.user_agent}
    # And the crawl went on to the end of the window: items after all that were stored.
    assert key(items[-1]) in stored
    assert summary.stopped is None  # type: ignore[attr-defined]
    assert summary.failed >= 9  # type: ignore[attr-defined]


def test_recrawl_is_conditional_changes_make_revisions_and_nothing_is_lost(
    site: tuple[Site, SiteServer], settings: Settings
) -> None:
    fixture, server = site
    first, _ = _run(settings, server, since=SINCE)
    before = _events(settings)
    assert len(before) == first.ingest.new > 30  # type: ignore[attr-defined]

    items = _listed(fixture.pages, f"{SECTION}/page/78")
    changed, now_broken, now_redesigned = items[0], items[1], items[2]
    body = fixture.pages[changed]
    # A correction in the first speech, as the publisher might make.
    assert body.count(b"Good afternoon, colleagues,") == 1
    fixture.pages[changed] = body.replace(b"Good afternoon, colleagues,", b"Good day, colleagues,")
    fixture.script = {
        now_broken: [Act(500)] * 5,
        now_redesigned: [Act(body=b"<html><body><p>gone</p></body></html>")],
    }
    fixture.requests.clear()
    fixture.headers.clear()
    second, lines = _run(settings, server, since=SINCE)
    after = _events(settings)

    # Unchanged pages were asked for conditionally and answered 304.
    asked = [h for p, h in zip(fixture.requests, fixture.headers, strict=True) if p in items]
    assert all("if-none-match" in h for h in asked)
    assert second.not_modified == len(before) - 3  # type: ignore[attr-defined]
    assert second.ingest.updated == 1  # type: ignore[attr-defined]
    # The changed page is a new revision; the pages that failed this time keep what they had.
    key = changed.rsplit("/", 1)[1]
    assert after[key] == 2
    assert {k: v for k, v in after.items() if k != key} == {
        k: v for k, v in before.items() if k != key
    }
    with open_settings(settings) as archive:
        speech = archive.event(f"en.kremlin.ru:{key}").document.speeches[0]
        history = archive.revisions(f"en.kremlin.ru:{key}")
    assert speech.paragraphs[0] == "Good day, colleagues,"
    assert len(history) == 2
    assert any(f"unchanged {server.base_url}" in line for line in lines)


def test_interrupted_crawl_resumes_without_fetching_again(
    site: tuple[Site, SiteServer], settings: Settings
) -> None:
    fixture, server = site
    items = _listed(fixture.pages, f"{SECTION}/page/78")
    stop_at = items[5]

    class Interrupting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == stop_at:
                raise KeyboardInterrupt
            return super().handle_request(request)

    with pytest.raises(KeyboardInterrupt):
        crawl(
            "kremlin-en",
            settings,
            since=SINCE,
            base_url=server.base_url,
            policy=POLICY,
            transport=Interrupting(),
            log=lambda _line: None,
        )
    first_requests = list(fixture.requests)
    done_before = set(_events(settings))
    assert items[4].rsplit("/", 1)[1] in done_before  # stored before the interruption
    fixture.requests.clear()
    summary, lines = _run(settings, server, since=SINCE)
    # The frontier knows what was stored: it is neither fetched nor read again.
    assert summary.resumed and summary.reused == 0  # type: ignore[attr-defined]
    assert lines[0].startswith(f"resuming at {server.base_url}{SECTION}")
    # No event page fetched before the interruption was asked for again.
    fetched_before = {p for p in first_requests if p in items and p != stop_at}
    assert not fetched_before & set(fixture.requests)
    # And the crawl completed: every page in the window is stored.
    assert set(_events(settings)) >= {p.rsplit("/", 1)[1] for p in items}
    # The next crawl is a fresh one (the resumed crawl finished).
    again, lines = _run(settings, server, since=SINCE)
    assert not again.resumed  # type: ignore[attr-defined]


def test_max_until_and_a_403_wall_stop_the_crawl_resumably(
    site: tuple[Site, SiteServer],
    tmp_path: Path,
    settings: Settings,
    new_database: Callable[[], str | None],
) -> None:
    fixture, server = site
    summary, _ = _run(settings, server, max_items=3)
    assert summary.stopped == "--max 3 reached"  # type: ignore[attr-defined]
    # Three items taken: the feed's first three (two of which the fixture site lacks: 404).
    assert summary.ingest.new + summary.ingest.failed == 3  # type: ignore[attr-defined]

    until = dt.date(2019, 5, 7)
    other = Settings(archive=tmp_path / "other", database=new_database())
    summary, _ = _run(other, server, until=until, since=dt.date(2019, 5, 6))
    assert fixture.count(f"{SECTION}/by-date/07.05.2019") == 1
    with open_settings(other) as archive:
        dates = {e.date for e in archive.event_list(limit=100)[1]}
    assert dates and all(dt.date(2019, 5, 6) <= d <= until for d in dates if d)

    walled = Settings(archive=tmp_path / "walled", database=new_database())
    fixture.script = {p: [Act(403)] * 3 for p in _listed(fixture.pages, f"{SECTION}/feed")}
    summary, lines = _run(walled, server)
    assert "still refuses (403) after a pause: stopping" in summary.stopped  # type: ignore[attr-defined]
    assert sum("pausing" in line for line in lines) == 1


def test_reparse_uses_the_raw_store_only(site: tuple[Site, SiteServer], settings: Settings) -> None:
    fixture, server = site
    _run(settings, server, max_items=8)
    stored = _events(settings)
    raw = list((settings.archive / "raw").rglob("*"))
    assert [p for p in raw if p.is_file() and not p.name.startswith(".tmp")]
    fixture.requests.clear()
    summary = reparse(settings)
    assert fixture.requests == []
    assert (summary.unchanged, summary.new, summary.failed) == (len(stored), 0, 0)


def test_pm_au_crawl_from_a_transcript_index(fixtures_dir: Path, settings: Settings) -> None:
    site = Site(pm_site(fixtures_dir / "pm-au"))
    with SiteServer(site) as server:
        summary = crawl(
            "pm-au",
            settings,
            since=dt.date(1990, 1, 1),
            base_url=server.base_url,
            policy=POLICY,
            log=lambda _line: None,
        )
    ids = sorted(int(p.split("-")[1].split(".")[0]) for p in site.pages if p.endswith(".xml"))
    asked = [int(p.split("-")[1].split(".")[0]) for p in site.requests if p.endswith(".xml")]
    assert asked == sorted(ids, reverse=True)  # newest id first
    stored = _events(settings)
    with open_settings(settings) as archive:
        dates = {k: archive.event(f"pmtranscripts.pmc.gov.au:{k}").document.date for k in stored}
    assert stored and all(d is not None and d >= dt.date(1990, 1, 1) for d in dates.values())
    # The rest: released before 1990 (skipped), or not a transcript (a logged failure).
    assert summary.skipped + summary.failed == len(ids) - len(stored)
    released = [
        re.search(rb"<release-date>\s*\d+/\d+/(\d{4})", page.read_bytes())
        for page in (fixtures_dir / "pm-au").glob("*.xml")
    ]
    assert summary.skipped == sum(1 for m in released if m and int(m.group(1)) < 1990)


def test_kremlin_ru_crawl_reads_the_russian_site(
    kremlin_pages: dict[str, bytes], fixtures_dir: Path, settings: Settings
) -> None:
    # kremlin.ru lists events like en.kremlin.ru; its pages are the Russian fixtures (one built by
    # hand from a real Russian text, one the Russian counterpart of a real English page: see the
    # READMEs beside them). Its robots.txt forbids the /copy text versions, as the real one does.
    russian = {
        "76564": (fixtures_dir / "kremlin-html" / "ru-76564.html").read_bytes(),
        "51307": (fixtures_dir / "translations" / "ru-51307.html").read_bytes(),
    }
    entries = "".join(
        f"<entry><id>http://kremlin.ru{SECTION}/{key}</id>"
        f'<link rel="alternate" href="http://kremlin.ru{SECTION}/{key}"/>'
        f"<published>{day}T12:00:00+03:00</published><title>{key}</title></entry>"
        for key, day in (("76564", "2025-04-16"), ("51307", "2016-02-04"))
    )
    feed = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'
    listing = "".join(
        f'<div class="hentry" data-id="{key}"><time datetime="{day}"></time></div>'
        for key, day in (("76564", "2025-04-16"), ("51307", "2016-02-04"))
    )
    pages = {
        "/robots.txt": kremlin_pages["/robots.txt"],
        f"{SECTION}/feed": feed.encode(),
        SECTION: f"<html><body>{listing}</body></html>".encode(),
        **{f"{SECTION}/{key}": body for key, body in russian.items()},
    }
    site = Site(pages)
    with SiteServer(site) as server:
        summary = crawl(
            "kremlin-ru",
            settings,
            since=dt.date(2000, 1, 1),
            base_url=server.base_url,
            policy=POLICY,
            log=lambda _line: None,
        )
    assert summary.failed == 0
    assert not any("/copy" in path for path in site.requests)
    with open_settings(settings) as archive:
        for key in russian:
            document = archive.event(f"kremlin.ru:{key}").document
            assert (document.source, document.language) == ("kremlin.ru", "ru")
            assert document.speeches and document.title


# --- robots.txt that redirects, Crawl-delay, an unreachable host -----------------------------

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
ALLOW_ALL = b"User-agent: *\nDisallow:\n"


def _moved(to: str) -> list[Act]:
    return [Act(301, (("Location", to),))]


def _chain(hops: int, last: bytes) -> tuple[dict[str, list[Act]], dict[str, bytes]]:
    """robots.txt answered by ``hops`` redirects in a row, the last one to a file ``last``."""
    names = ["/robots.txt", *(f"/moved/{n}.txt" for n in range(1, hops + 1))]
    script = {here: _moved(there) for here, there in itertools.pairwise(names)}
    return script, {names[-1]: last}


@pytest.mark.parametrize("hops", [1, 5])
def test_a_redirected_robots_txt_is_followed_and_obeyed(hops: int, tmp_path: Path) -> None:
    script, target = _chain(hops, DISALLOW_ALL)
    site = Site({**pm_site(FIXTURES / "pm-au"), **target}, script=script)
    with SiteServer(site) as server:
        summary, lines = _crawl_pm(tmp_path, server)
    # Every hop asked once, the target read: it says Disallow: /, so no page is asked for.
    assert site.requests == ["/robots.txt", *(f"/moved/{n}.txt" for n in range(1, hops + 1))]
    assert summary.stopped == "listing unavailable (refused: disallowed by robots.txt)"
    assert not any("unreadable" in line for line in lines)


def test_a_robots_txt_redirected_too_often_or_off_site_forbids_everything(
    tmp_path: Path,
) -> None:
    script, target = _chain(6, ALLOW_ALL)
    site = Site({**pm_site(FIXTURES / "pm-au"), **target}, script=script)
    with SiteServer(site) as server:
        summary, lines = _crawl_pm(tmp_path / "six", server)
    assert "/moved/6.txt" not in site.requests and not _asked_pages(site)
    assert f"robots.txt of {_host(server)} unreadable (more than 5 redirects)" in "\n".join(lines)
    assert summary.stopped == "listing unavailable (refused: disallowed by robots.txt)"

    # A hop to another host (the same server under another name) is refused before it is asked.
    site = Site({**pm_site(FIXTURES / "pm-au"), "/elsewhere.txt": ALLOW_ALL})
    with SiteServer(site) as server:
        port = server.base_url.rsplit(":", 1)[1]
        site.script = {"/robots.txt": _moved(f"http://localhost:{port}/elsewhere.txt")}
        summary, lines = _crawl_pm(tmp_path / "foreign", server)
    assert site.requests == ["/robots.txt"]
    reason = f"refused: redirect to a foreign host 'localhost:{port}'"
    assert f"robots.txt of {_host(server)} unreadable ({reason})" in "\n".join(lines)
    assert summary.stopped == "listing unavailable (refused: disallowed by robots.txt)"


def test_a_long_crawl_delay_is_capped_and_announced(tmp_path: Path) -> None:
    robots = b"User-agent: *\nCrawl-delay: 3600\n"
    site = Site({**pm_site(FIXTURES / "pm-au"), "/robots.txt": robots})
    policy = dataclasses.replace(POLICY, max_delay=0.2)
    with SiteServer(site) as server:
        summary, lines = _crawl_pm(tmp_path, server, policy=policy, max_items=3)
    assert summary.ingest.new == 3
    waits = [line for line in lines if line.startswith("waiting")]
    # Every request after robots.txt waited the cap, and said so: the index page and 3 items.
    assert len(waits) == 4
    said = rf"waiting 0\.[12] s for {_host(server)} \(Crawl-delay 3600 capped to 0\.2\)"
    assert all(re.fullmatch(said, wait) for wait in waits)


def test_an_unreachable_host_stops_the_crawl_with_the_reason(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there: the connection is refused
    lines: list[str] = []
    summary = crawl(
        "pm-au",
        Settings(archive=tmp_path / "archive"),
        base_url=f"http://127.0.0.1:{port}",
        policy=POLICY,
        log=lines.append,
    )
    reason = f"cannot reach 127.0.0.1:{port}: connection refused ([Errno 111] Connection refused)"
    assert summary.stopped == reason
    assert lines[-1] == f"stopped: {reason}"
    # Not a verdict of robots.txt (which it asked for first, and retried).
    assert not any("unreadable" in line or "disallowed" in line for line in lines)
    assert lines[0].startswith(f"retry http://127.0.0.1:{port}/robots.txt: connection refused")
    assert summary.ingest.new == 0 and summary.failed == 0


def _crawl_pm(
    tmp_path: Path, server: SiteServer, policy: FetchPolicy = POLICY, max_items: int | None = None
) -> tuple[CrawlSummary, list[str]]:
    lines: list[str] = []
    summary = crawl(
        "pm-au",
        Settings(archive=tmp_path / "archive"),
        base_url=server.base_url,
        policy=policy,
        max_items=max_items,
        log=lines.append,
    )
    return summary, lines


def _asked_pages(site: Site) -> list[str]:
    return [path for path in site.requests if path.startswith("/transcripts")]


def _host(server: SiteServer) -> str:
    return server.base_url.removeprefix("http://")


# --- each decision of the walk on its own ----------------------------------------------------


def test_window_places_dates_and_unknown_dates_are_inside() -> None:
    window = Window(dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert window.where(dt.date(2019, 12, 31)) == "older"
    assert window.where(dt.date(2021, 1, 1)) == "newer"
    assert window.where(dt.date(2020, 6, 1)) is None and window.where(None) is None
    assert Window().where(dt.date(1900, 1, 1)) is None


def test_a_missing_listing_page_ends_its_chain_anything_else_stops() -> None:
    assert listing_stop(StatusError(404, "http://h/page/9")) is None
    assert listing_stop(StatusError(410, "http://h/page/9")) is None
    assert listing_stop(StatusError(403, "u")) == "listing unavailable (HTTP 403)"
    assert listing_stop(ParseError("not a listing")) == "listing unavailable (not a listing)"


def test_an_old_streak_ends_the_walk_only_when_unbroken() -> None:
    streak = OldStreak()
    assert not any(streak.ends_walk("older") for _ in range(OLD_STREAK - 1))
    assert not streak.ends_walk(None)  # one item inside the window starts the count again
    assert not any(streak.ends_walk("older") for _ in range(OLD_STREAK - 1))
    assert streak.ends_walk("older")


def test_a_fetch_outcome_keeps_a_200_and_a_304_confirms_the_stored_body(tmp_path: Path) -> None:
    adapter = get_adapter("pm-au", "http://h")
    url = "http://h/transcripts/transcript-1.xml"
    policy = FetchPolicy("ua")
    with (
        RawStore.open(tmp_path) as raw,
        Fetcher(adapter.hosts, policy) as fetcher,
        Frontier(Archive.open(tmp_path), "pm-au", 60.0) as frontier,
    ):
        walk = _Walk(adapter, fetcher, raw, frontier, Settings(tmp_path), lambda _l: None)
        with pytest.raises(FetchError, match="304 Not Modified, but no body is stored"):
            walk._outcome(url, "item", Response(url, 304, b""), None)
        assert walk._outcome(url, "item", Response(url, 200, b"v1", '"1"'), None) == (b"v1", False)
        stored = raw.latest(url)
        assert stored is not None and stored.etag == '"1"'
        assert walk._outcome(url, "item", Response(url, 304, b""), stored) == (b"v1", True)
        assert (walk.fetched, walk.not_modified) == (1, 1)
        # A listing's fetch is kept too, but is not an item fetched.
        walk._outcome("http://h/transcripts/", "listing", Response(url, 200, b"list"), None)
        assert walk.fetched == 1 and raw.latest("http://h/transcripts/") is not None
