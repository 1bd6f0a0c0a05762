"""The crawl frontier: its rules on both backends, then real ``stenogram crawl`` processes
sharing one PostgreSQL database against the local test site (each page fetched once in all, the
per-host delay kept between them, a SIGKILLed crawler's pages taken up by the other), and a
second crawler refused on SQLite."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from pgcluster import Cluster
from sites import SECTION, Site, SiteServer
from stenogram.archive import Archive
from stenogram.archive.frontier import (
    DONE,
    FAILED,
    IDLE_POLL,
    ITEM,
    LISTING,
    MAX_ATTEMPTS,
    Frontier,
)
from stenogram.archive.schema import frontier
from stenogram.errors import StoreError

SINCE = "2019-05-12"
DELAY = 0.2


@pytest.fixture
def archive(tmp_path: Path, database: str | None) -> Iterator[Archive]:
    with Archive.open(tmp_path / "archive", database=database) as opened:
        yield opened


# --- the rules, on both backends --------------------------------------------------------------


def test_pages_are_queued_once_items_first_and_each_claimed_by_one_crawler(
    archive: Archive,
) -> None:
    with Frontier(archive, "s", 60.0) as one, Frontier(archive, "s", 60.0) as two:
        started = one.begin({"since": None, "until": None}, ["http://h/feed", "http://h/list"])
        assert not started.resumed
        one.add(ITEM, [("http://h/1", dt.date(2020, 1, 2)), ("http://h/2", None)])
        one.add(ITEM, [("http://h/1", None), ("http://h/3", None)])  # 1 again: queued once
        claimed = [one.claim(), two.claim(), one.claim(), two.claim(), one.claim(), two.claim()]
        urls = [c.url for c in claimed if c is not None]
        assert urls == ["http://h/1", "http://h/2", "http://h/3", "http://h/feed", "http://h/list"]
        assert claimed[0] is not None and claimed[0].date == dt.date(2020, 1, 2)
        assert [c.kind for c in claimed if c is not None] == [ITEM] * 3 + [LISTING] * 2
        assert claimed[-1] is None
        # All claimed: nothing to do but look again shortly.
        assert one.waiting(started.started) == IDLE_POLL
        # A crawler joining now resumes the round, at the first page not finished.
        joined = Frontier(archive, "s", 60.0).begin({"since": None, "until": None}, [])
        assert joined.resumed and joined.started == started.started
        assert joined.next_url == "http://h/1"
        # One window at a time while claims are live.
        with pytest.raises(StoreError, match="another crawl over another window"):
            Frontier(archive, "s", 60.0).begin({"since": "2020-01-01", "until": None}, [])
        for n, claim in enumerate(claimed[:5]):
            assert claim is not None
            (one if n % 2 == 0 else two).close([claim.id], DONE, "stored")
        assert one.waiting(started.started) is None
        assert one.finish(started.started)
        fresh = one.begin({"since": None, "until": None}, ["http://h/feed"])
        assert not fresh.resumed and fresh.started > started.started


def test_a_lapsed_lease_is_claimed_again_and_given_up_after_max_attempts(
    archive: Archive,
) -> None:
    gone = Frontier(archive, "s", 0.0)  # its leases lapse at once: a killed crawler's
    gone.begin({}, [])
    gone.add(ITEM, [("http://h/1", None)])
    first = gone.claim()
    assert first is not None and first.attempts == 1
    # Closing what another crawler has taken over is ignored.
    other = Frontier(archive, "s", 60.0)
    again = other.claim()
    assert again is not None and (again.id, again.attempts) == (first.id, 2)
    gone.close([first.id], FAILED, "late")
    other.release([again.id])  # a clean stop is not an attempt
    assert (retry := other.claim()) is not None and retry.attempts == 2
    with archive.writing() as conn:
        conn.execute(
            text("UPDATE frontier SET lease_until = 0, attempts = :n"), {"n": MAX_ATTEMPTS}
        )
    assert Frontier(archive, "s", 60.0).claim() is None  # not a fourth time
    with archive.reading() as conn:
        state, why = conn.execute(text("SELECT state, last_status FROM frontier")).one()
    assert state == FAILED and why.startswith(f"given up: claimed {MAX_ATTEMPTS} times")


def test_a_host_turn_comes_the_delay_after_the_last_request_of_any_crawler_ended(
    archive: Archive,
) -> None:
    one, two = Frontier(archive, "s", 60.0), Frontier(archive, "t", 60.0)
    waits: list[float] = []
    with one.turn("h", 0.3, waits.append):
        time.sleep(0.2)  # a slow answer: the delay counts from its end
    assert waits == []  # the first request waits for nobody
    with pytest.raises(ValueError), two.turn("h", 0.3, waits.append):
        raise ValueError("a request that failed")
    with one.turn("h", 0.3, waits.append):
        pass
    with two.turn("other", 0.3, waits.append):
        pass
    # Twice the full delay (the failed request counted too); another host waits for nobody.
    assert len(waits) == 2 and all(0.25 < wait <= 0.3 for wait in waits), waits


# --- real crawlers, several on PostgreSQL -----------------------------------------------------


@pytest.fixture
def pg_database(request: pytest.FixtureRequest) -> str:
    """A fresh PostgreSQL database (several crawlers need one), unless ``--backend sqlite``."""
    if request.config.getoption("--backend") == "sqlite":
        pytest.skip("several crawlers need PostgreSQL (--backend sqlite)")
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.fresh()


@pytest.fixture
def sqlite_only(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--backend") == "postgresql":
        pytest.skip("SQLite's one-crawler rule (--backend postgresql)")


def _crawler(
    folder: Path, server: SiteServer, database: str | None, **settings: str
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "STENOGRAM_CRAWL_DELAY": str(DELAY),
        **{f"STENOGRAM_{name.upper()}": value for name, value in settings.items()},
    }
    where = ("--base-url", server.base_url, "--archive", str(folder))
    env.pop("STENOGRAM_DATABASE", None)
    if database:
        env["STENOGRAM_DATABASE"] = database
    return subprocess.Popen(
        [sys.executable, "-m", "stenogram", "crawl", "kremlin-en", "--since", SINCE, *where],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finished(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = proc.communicate(timeout=180)
    assert "Traceback" not in err, err
    return proc.returncode, err


def _fetched(err: str) -> int:
    found = re.search(r"kremlin-en: fetched (\d+),", err)
    assert found, err
    return int(found.group(1))


def _rows(archive: Archive, sql: str, **params: object) -> list[tuple[object, ...]]:
    with archive.reading() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def test_two_crawlers_fetch_each_page_once_and_keep_the_delay_together(
    site: tuple[Site, SiteServer], tmp_path: Path, pg_database: str
) -> None:
    fixture, server = site
    # Two "machines": a folder each (raw bodies, search index), one database.
    crawlers = [_crawler(tmp_path / name, server, pg_database) for name in ("a", "b")]
    results = [_finished(proc) for proc in crawlers]

    pages = [path for path in fixture.requests if path != "/robots.txt"]
    twice = {path: n for path, n in Counter(pages).items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"
    # Both took part, and between them fetched every item of the window (or met its 404).
    items = [path for path in pages if re.fullmatch(rf"{SECTION}/\d+", path)]
    served = {path.rsplit("/", 1)[1] for path in items if path in fixture.pages}
    assert all(_fetched(err) > 0 for _rc, err in results)
    assert sum(_fetched(err) for _rc, err in results) == len(served) > 20
    # The delay held between all the requests to the host, whichever crawler sent them.
    gaps = [b - a for a, b in itertools.pairwise(fixture.times)]
    assert min(gaps) >= DELAY, sorted(gaps)[:5]
    with Archive.open(tmp_path / "a", database=pg_database) as archive:
        stored = {key for (key,) in _rows(archive, "SELECT source_id FROM events")}
        (state,) = _rows(archive, "SELECT position FROM crawl_state")
    assert stored == served
    assert '"done":true' in str(state[0])


def test_a_killed_crawlers_pages_are_taken_up_by_the_other_after_its_lease(
    site: tuple[Site, SiteServer], tmp_path: Path, pg_database: str
) -> None:
    fixture, server = site
    lease = 2.0
    with Archive.open(tmp_path / "a", database=pg_database) as archive:
        doomed = _crawler(tmp_path / "a", server, pg_database, crawl_lease=str(lease))
        other = _crawler(tmp_path / "b", server, pg_database, crawl_lease=str(lease))
        mine = frontier.c.lease_owner.like(f"%:{doomed.pid}:%") & (frontier.c.state == "leased")
        held: list[str] = []
        deadline = time.monotonic() + 60
        while not any(kind == ITEM for _url, kind in held) and time.monotonic() < deadline:
            held = _select(archive, select(frontier.c.url, frontier.c.kind).where(mine))
            time.sleep(0.01)
        doomed.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.wait(timeout=10)
        taken = {url for (url,) in _select(archive, select(frontier.c.url).where(mine))}
        assert taken, "the crawler was killed before it claimed a page"
        rc, err = _finished(other)
        settled = _select(
            archive,
            select(frontier.c.url, frontier.c.state, frontier.c.attempts).where(
                frontier.c.url.in_(taken)
            ),
        )
        stored = {key for (key,) in _rows(archive, "SELECT source_id FROM events")}
    # Every page the killed crawler held was settled by the other, on a second claim, once
    # the lease had run out (the killed one renewed it at most a delay before it died).
    assert {url for url, _state, _n in settled} == taken
    assert all(state in (DONE, FAILED) and n == 2 for _url, state, n in settled), settled
    for url in taken:
        path = url.removeprefix(server.base_url)
        asked = [t for p, t in zip(fixture.requests, fixture.times, strict=True) if p == path]
        assert max(asked) >= killed_at + lease - 2 * DELAY
        if path in fixture.pages and re.fullmatch(rf"{SECTION}/\d+", path):
            assert path.rsplit("/", 1)[1] in stored
    assert "kremlin-en: fetched" in err and rc in (0, 1)


def _select(archive: Archive, query: Any) -> list[Any]:
    with archive.reading() as conn:
        return [tuple(row) for row in conn.execute(query)]


# --- SQLite: one crawler at a time ------------------------------------------------------------


@pytest.mark.usefixtures("sqlite_only")
def test_on_sqlite_a_second_crawler_is_refused_and_a_killed_one_holds_nothing(
    site: tuple[Site, SiteServer], tmp_path: Path
) -> None:
    _fixture, server = site
    folder = tmp_path / "archive"
    lock = folder / "stenogram.db.crawl-lock"
    first = _crawler(folder, server, None)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and f"pid {first.pid}," not in _text(lock):
        time.sleep(0.02)
    second = _crawler(folder, server, None)
    rc, err = _finished(second)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert rc == StoreError.exit_code
    line = err.strip()
    assert "\n" not in line
    assert re.fullmatch(
        rf"error: {re.escape(str(folder / 'stenogram.db'))}: another crawl \(pid {first.pid}, "
        r"since \S+\) holds this archive; on SQLite one crawler at a time — use PostgreSQL to "
        r"crawl from several processes",
        line,
    ), line
    # The kernel let the killed crawler's lock go: the next crawl runs, and resumes its round.
    rc, err = _finished(_crawler(folder, server, None))
    assert "resuming at" in err and "kremlin-en: fetched" in err and rc in (0, 1)


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
