"""The change log and the search indexes that follow it, on both backends.

Two "nodes" here are two index folders on one database: node A stores and indexes, node B
only follows the log (as a second web node does), and both must answer every search alike.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from dbutil import LATER_TABLES, sql_rows
from pgcluster import Cluster
from pgreplica import outage
from stenogram.archive import Archive, changes, migrate, migrate_archive
from stenogram.errors import QueryError, Unavailable
from stenogram.follow import Follower, catch_up_index, index_lag, prune_log
from stenogram.ingest import ingest, merge_persons, open_archive, open_settings, reindex
from stenogram.model import Document, Speech
from stenogram.parse import parse_bytes
from stenogram.search import read_seq, search
from stenogram.search.index import open_index
from stenogram.settings import Settings
from stenogram.web.cache import Generation

QUERIES = ("Putin", "gas", "Minsk", "economy", "speaker:Putin", "Kursk")


@pytest.fixture
def page(fixtures_dir: Path) -> Document:
    path = fixtures_dir / "archive" / "51437.html"
    return parse_bytes(path.read_bytes(), origin=path.name)


@pytest.fixture
def node_a(tmp_path: Path, database: str | None) -> Settings:
    return Settings(archive=tmp_path / "archive", database=database)


@pytest.fixture
def node_b(tmp_path: Path, node_a: Settings) -> Settings:
    return dataclasses.replace(node_a, index=tmp_path / "node-b" / "index")


@pytest.fixture
def pages(tmp_path: Path, fixtures_dir: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("archive/51437.html", "archive/9269.html", "kremlin-html/en-13679.html"):
        shutil.copy(fixtures_dir / name, folder / Path(name).name)
    for name in ("en-51307.html", "ru-51307.html"):
        shutil.copy(fixtures_dir / "translations" / name, folder / name)
    return folder


def _answers(index: Path) -> list[object]:
    """Everything a search page shows, for a few queries at both levels. Not the scores nor
    the order they give: BM25 counts the documents a revision deleted until their segment is
    merged, and when that happens differs between two indexes with the same documents."""
    found: list[object] = []
    for query in QUERIES:
        for events in (False, True):
            result = search(index, query, events=events, limit=50)
            hits = sorted(
                ({**h.to_dict(), "score": None} for h in result.hits), key=lambda h: str(h["url"])
            )
            found.append((result.total, hits, result.facets))
    return found


def _kinds(settings: Settings) -> list[str]:
    return [row[0] for row in sql_rows(settings, "SELECT kind FROM changes ORDER BY seq")]


def test_every_writer_logs_its_changes_in_order(pages: Path, node_a: Settings) -> None:
    ingest([pages], node_a)
    rows = sql_rows(node_a, "SELECT seq, event_id, kind FROM changes ORDER BY seq")
    events = sql_rows(node_a, "SELECT id, seq FROM events ORDER BY id")
    seqs = [row[0] for row in rows]
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps, no repeats
    kinds = {row[2] for row in rows}
    assert {"new", "translation", "persons"} <= kinds
    # Each event's row carries the seq of its last change.
    last = {event_id: seq for seq, event_id, kind in rows if kind != "translation"}
    assert {event_id: seq for event_id, seq in events if event_id in last} == {
        event_id: last[event_id] for event_id, _ in events
    }
    with open_archive(node_a) as archive:
        assert archive.max_seq() == seqs[-1]
        assert index_lag(archive, archive.index_path) == (0, 0.0)

    before = len(rows)
    assert ingest([pages], node_a).unchanged == 5
    assert len(_kinds(node_a)) == before  # a re-ingest of unchanged pages changes nothing


def test_a_second_node_catches_up_and_answers_the_same(
    pages: Path, node_a: Settings, node_b: Settings
) -> None:
    ingest([pages], node_a)
    with open_archive(node_a) as a:
        assert node_b.index is not None and not node_b.index.exists()
        with open_archive(node_b) as b:
            assert b.index_path == node_b.index
            assert read_seq(b.index_path) == read_seq(a.index_path) == a.max_seq()
            assert _answers(b.index_path) == _answers(a.index_path)
            assert search(b.index_path, "Putin").total > 0


def test_lag_counts_changes_and_seconds_until_applied(
    page: Document, node_a: Settings, node_b: Settings
) -> None:
    with open_archive(node_a, create=True) as a:
        a.store(page)
        catch_up_index(a)
        with open_archive(node_b) as b:
            assert index_lag(b, b.index_path) == (0, 0.0)
            a.store(_edited(page))
            behind, seconds = index_lag(b, b.index_path)
            assert behind == 1 and 0.0 <= seconds < 60
            assert catch_up_index(b) > 0
            assert index_lag(b, b.index_path) == (0, 0.0)


def _edited(page: Document) -> Document:
    speeches = list(page.speeches)
    speeches.insert(1, Speech("Question", "Question", None, ("What of Zanzibarish trade?",)))
    return dataclasses.replace(page, title=page.title + ", Kursk", speeches=tuple(speeches))


def test_a_new_revision_replaces_the_old_documents_on_the_other_node(
    page: Document, node_a: Settings, node_b: Settings
) -> None:
    with open_archive(node_a, create=True) as a:
        a.store(page)
        catch_up_index(a)
        with open_archive(node_b) as b:
            assert search(b.index_path, "Kursk", events=True).total == 0
            assert a.store(_edited(page)).revision == 2
            catch_up_index(a)
            catch_up_index(b)
            assert search(b.index_path, "Zanzibarish").total == 1
            assert search(b.index_path, "Kursk", events=True).total == 1
            # One document per current speech and one for the event: none of the old ones.
            assert _documents(b.index_path) == len(page.speeches) + 2
            assert _answers(b.index_path) == _answers(a.index_path)


def _documents(path: Path) -> int:
    opened = open_index(path, create=False)
    opened.index.reload()
    return int(opened.index.searcher().num_docs)


def test_a_person_merge_shows_up_on_the_other_node(
    pages: Path, node_a: Settings, node_b: Settings
) -> None:
    ingest([pages], node_a)
    with open_archive(node_b):
        pass
    putin = _person_of(node_a, "Vladimir Putin")
    lukashenko = _person_of(node_a, "Alexander Lukashenko")
    touched = sql_rows(
        node_a, f"SELECT DISTINCT event_id FROM speeches WHERE person_id = '{lukashenko}'"
    )
    merge_persons(node_a, putin, lukashenko)
    logged = sql_rows(node_a, "SELECT event_id FROM changes WHERE kind = 'people' ORDER BY seq")
    assert sorted(logged) == sorted(touched) and touched
    with (
        open_archive(node_a) as a,
        Archive.open(node_b.archive, database=node_b.database, index=node_b.index) as b,
    ):
        assert b.index_path == node_b.index
        # The re-pointed events, and the persons directory (no event) that changed with them.
        assert index_lag(b, b.index_path)[0] == len(touched) + 1
        assert catch_up_index(b) > 0
        assert read_seq(b.index_path) == a.max_seq()
        assert _answers(b.index_path) == _answers(a.index_path)


def _person_of(settings: Settings, name: str) -> str:
    found = sql_rows(settings, f"SELECT person_id FROM speeches WHERE speaker = '{name}'")
    assert found
    return str(found[0][0])


def test_reindex_rebuilds_at_the_log_position(pages: Path, node_a: Settings) -> None:
    ingest([pages], node_a)
    with open_archive(node_a) as a:
        before = _answers(a.index_path)
    reindex(node_a)
    with open_archive(node_a) as a:
        # Translation pairs come after the last event change: the rebuilt index is not behind.
        assert read_seq(a.index_path) == a.max_seq()
        assert index_lag(a, a.index_path) == (0, 0.0)
        assert _answers(a.index_path) == before


def test_an_event_no_longer_stored_loses_its_documents(
    page: Document, node_a: Settings, node_b: Settings
) -> None:
    with open_archive(node_a, create=True) as a:
        event_id = a.store(page).event_id
        with open_archive(node_b) as b:
            assert _documents(b.index_path) == len(page.speeches) + 1
            _delete_event(a, event_id)
            catch_up_index(b)
            assert _documents(b.index_path) == 0
            assert index_lag(b, b.index_path) == (0, 0.0)


def _delete_event(archive: Archive, event_id: int) -> None:
    """No command deletes an event yet; a maintenance script would, logging it as here."""
    from sqlalchemy import delete

    from stenogram.archive.schema import EVENT_PARTS, event_translations, events, revisions

    with archive.writing("delete") as conn:
        for table in (*EVENT_PARTS, revisions, event_translations):
            conn.execute(delete(table).where(table.c.event_id == event_id))
        conn.execute(delete(events).where(events.c.id == event_id))
        changes.append(conn, archive.backend, [event_id], "deleted")


def test_the_response_cache_generation_follows_the_log_and_the_index(
    page: Document, node_a: Settings, node_b: Settings
) -> None:
    with open_archive(node_a, create=True) as a, open_archive(node_b) as b:
        generation = Generation(b.watch(), b.max_seq, b.index_path)
        try:
            first = generation.current()
            assert generation.current() == first
            a.store(page)  # another node's write
            second = generation.current()
            assert second[0] == a.max_seq() > first[0] and second[1:] == first[1:]
            catch_up_index(b)
            assert generation.current()[:2] == (a.max_seq(), a.max_seq())
        finally:
            generation.close()


def test_pruning_keeps_recent_changes_and_a_node_behind_it_starts_afresh(
    pages: Path, node_a: Settings, node_b: Settings
) -> None:
    """Node B is away while events are stored, one is deleted and the log is pruned: when it
    is back, its index must hold what node A's does, the deleted event included (gone)."""
    ingest([pages / "9269.html"], node_a)
    with open_archive(node_b) as b:
        catch_up_index(b)
        away = read_seq(b.index_path)
    ingest([pages], node_a)
    with open_archive(node_a) as a:
        old = a.event("9269").document
        said = (
            dataclasses.replace(old.speeches[0], paragraphs=("Quokkas everywhere.",)),
            *old.speeches[1:],
        )
        kept = a.store(dataclasses.replace(old, speeches=said))
        doomed = a.event("51437").event_id
        _delete_event(a, doomed)
        total = a.max_seq()
        nothing = prune_log(a, keep_days=1)
        assert (nothing.removed, nothing.horizon, nothing.kept) == (0, 0, total)
        pruned = prune_log(a, keep_days=0)
        assert pruned.removed == total and pruned.horizon == total and pruned.kept == 0
        with pytest.raises(QueryError):
            prune_log(a, keep_days=-1)
        assert kept.revision == 2
        catch_up_index(a)  # node A applied every change before they were pruned
    with open_archive(node_b) as b:  # opening catches up: past the horizon, so afresh
        assert read_seq(b.index_path) == total > away
        assert _answers(b.index_path) == _answers(node_a.archive / "index")
        assert search(b.index_path, "quokkas").total == 1
        assert index_lag(b, b.index_path) == (0, 0.0)


def test_prune_log_command_reports_what_it_removed(pages: Path, node_a: Settings) -> None:
    ingest([pages], node_a)
    command = [sys.executable, "-m", "stenogram", "prune-log", "--archive", str(node_a.archive)]
    kept = subprocess.run([*command, "--json"], check=True, capture_output=True, text=True)
    assert orjson.loads(kept.stdout) == {"removed": 0, "horizon": 0, "kept": len(_kinds(node_a))}
    gone = subprocess.run(
        [*command, "--keep-days", "0", "--json"], check=True, capture_output=True, text=True
    )
    assert orjson.loads(gone.stdout)["kept"] == 0 == len(_kinds(node_a))
    bad = subprocess.run([*command, "--keep-days", "-2"], capture_output=True, text=True)
    assert bad.returncode != 0 and "--keep-days" in bad.stderr and "Traceback" not in bad.stderr


def test_another_process_commit_moves_the_cache_generation_soon(
    pages: Path, node_a: Settings, node_b: Settings
) -> None:
    """A web node learns of a commit it did not make without asking the database per request
    (on PostgreSQL from the change log's notifications): within moments, not at the next
    restart."""
    ingest([pages / "9269.html"], node_a)
    with open_archive(node_b) as b:
        generation = Generation(b.watch(), b.max_seq, b.index_path)
        try:
            first = generation.current()
            command = [sys.executable, "-m", "stenogram", "ingest", str(pages / "51437.html")]
            subprocess.run([*command, "--archive", str(node_a.archive)], check=True)
            deadline = time.monotonic() + 10
            while generation.current()[0] == first[0]:
                assert time.monotonic() < deadline, "the generation never moved"
                time.sleep(0.02)
            assert generation.current()[0] == b.max_seq() > first[0]
        finally:
            generation.close()


def test_a_watch_asks_the_server_while_it_cannot_listen_and_listens_again(
    postgres: Cluster, tmp_path: Path
) -> None:
    """While the server is down no notification can come: the watch says the database cannot
    be reached (the cache then stands aside) rather than answer from a count that stopped."""
    with Archive.open(tmp_path / "archive", database=postgres.fresh()) as archive:
        watch = archive.watch()
        try:
            assert watch.current() == watch.current()
            with outage(postgres):
                deadline = time.monotonic() + 10
                while True:
                    try:
                        watch.current()
                    except Unavailable:
                        break
                    assert time.monotonic() < deadline, "the watch never noticed"
                    time.sleep(0.05)
            deadline = time.monotonic() + 15
            while True:
                try:
                    before = watch.current()
                except Unavailable:
                    assert time.monotonic() < deadline, "the watch never came back"
                    time.sleep(0.05)
                    continue
                break
            for attempt in (1, 2):  # the pool's connection died with the server: once
                try:
                    with archive.writing("test") as conn:
                        changes.append(conn, archive.backend, [changes.NO_EVENT], "persons")
                    break
                except Unavailable:
                    assert attempt == 1
            assert watch.current() != before  # this process's own commit: at once
        finally:
            watch.close()


def test_followers_elect_one_writer_and_apply_what_another_node_commits(
    page: Document, node_a: Settings, node_b: Settings
) -> None:
    with open_archive(node_a, create=True) as a, open_archive(node_b) as b:
        followers = [Follower(b, poll=0.2), Follower(b, poll=0.2)]
        for follower in followers:
            follower.start()
        try:
            a.store(page)
            deadline = time.monotonic() + 20
            while read_seq(b.index_path) < a.max_seq():
                assert time.monotonic() < deadline, "node B did not follow"
                time.sleep(0.05)
            assert search(b.index_path, "Tver").total > 0
            assert sorted(f.leading for f in followers) == [False, True]
        finally:
            for follower in followers:
                follower.stop()


def test_migrating_an_archive_from_before_the_log_keeps_its_index_current(
    pages: Path, node_a: Settings
) -> None:
    ingest([pages], node_a)
    with open_settings(node_a) as archive, archive.writing("back to 0005") as conn:
        for table in LATER_TABLES:
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    assert migrate_archive(node_a.archive, node_a.database) == ("0005", migrate.script_head())
    logged = sql_rows(node_a, "SELECT seq, event_id, kind FROM changes ORDER BY seq")
    stored = sql_rows(node_a, "SELECT seq, id FROM events ORDER BY seq")
    assert [(seq, event_id) for seq, event_id, _ in logged] == stored
    assert {kind for _, _, kind in logged} == {"migrated"}
    with open_settings(node_a) as archive:
        assert index_lag(archive, archive.index_path) == (0, 0.0)
        assert catch_up_index(archive) == 0
