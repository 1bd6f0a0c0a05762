"""The change log: the one place that says "this event changed", for every writer.

Every write path (storing a batch, a new revision, re-resolved people, a person merge or split,
translation pairing, saving persons) calls :func:`append` inside its own write transaction. It
numbers the changes from the archive's ``seq`` counter, adds one ``changes`` row per change and
moves the counter, so the log commits with the rows it describes or not at all. Search indexes (each
node's own folder) and response caches follow the log: an index records the last ``seq`` it
applied and applies what is newer (:mod:`stenogram.follow`).

Why the numbers are commit-ordered, on both backends: a follower that has applied ``seq`` N
reads ``seq > N`` next, so a change numbered below N but committed after the follower read
would be skipped for good. A database sequence would allow exactly that on PostgreSQL (two
transactions take 5 and 6, the one with 6 commits first). Here the counter is a row read and
written under the archive's write lock, which every write transaction takes before anything
else (SQLite's BEGIN IMMEDIATE, PostgreSQL's transaction-level advisory lock: see
:mod:`.dialects`) and holds until it has committed. Writers are serialised already for ids and
(source, key) decisions, so numbering inside that lock costs nothing more, and a reader never
sees N+1 committed while N is not. PostgreSQL releases the lock only after the commit is
visible, so the next writer cannot even start before it.

The log also wakes followers: on PostgreSQL the append queues a NOTIFY, delivered at commit.

The log grows with every write, so old changes are pruned (:func:`prune`, ``stenogram prune-log``)
once every node has applied them. A node that was away for longer than the log now reaches back
(its index applied a ``seq`` below the pruned horizon) is not missing a change silently: its
catch-up reads every stored event again and starts its documents afresh
(:attr:`Pending.everything`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import Connection, delete, func, select

from . import records
from .dialects import Backend
from .schema import changes, events

Kind = Literal["new", "revision", "people", "translation", "persons", "migrated", "deleted"]
#: The event id of a change to no event in particular (the persons directory, its fixes): it
#: moves the log, so every node's response cache drops pages that show people.
NO_EVENT: Final = 0
#: Kinds that change what an event's search documents hold (a translation pairing does not:
#: the index carries nothing of it, though pages and their cache do).
INDEXED: Final[frozenset[str]] = frozenset({"new", "revision", "people", "migrated", "deleted"})


@dataclass(frozen=True, slots=True)
class Pending:
    """What a follower at ``after`` has to apply to reach ``upto``."""

    after: int
    upto: int
    #: Events whose search documents must be replaced (or dropped, if the event is gone).
    event_ids: tuple[int, ...]
    #: The log no longer reaches back to ``after``: ``event_ids`` are every stored event, and
    #: the follower drops all it holds first (a deletion it missed left no trace).
    everything: bool = False


@dataclass(frozen=True, slots=True)
class Lag:
    """How far a follower (a search index) is behind the change log."""

    #: The log's position and the follower's.
    position: int
    applied: int
    changes: int
    #: Age of the oldest change not applied yet (0 when there is none).
    seconds: float

    def to_dict(self) -> dict[str, int | float]:
        return {
            "position": self.position,
            "applied": self.applied,
            "changes_behind": self.changes,
            "seconds_behind": round(self.seconds, 3),
        }


def append(conn: Connection, backend: Backend, event_ids: Sequence[int], kind: Kind) -> list[int]:
    """Log a change of each event (in this order) and return their ``seq`` numbers.

    Must run inside a write transaction (the numbers are only commit-ordered under its lock).
    """
    if not event_ids:
        return []
    start = records.current_seq(conn)
    seqs = list(range(start + 1, start + 1 + len(event_ids)))
    now = time.time()
    backend.insert_many(
        conn,
        changes,
        [
            {"seq": seq, "event_id": event_id, "kind": kind, "committed_at": now}
            for seq, event_id in zip(seqs, event_ids, strict=True)
        ],
    )
    records.save_seq(conn, seqs[-1])
    backend.notify_change(conn, seqs[-1])
    return seqs


def touch(conn: Connection, backend: Backend, event_ids: Iterable[int], kind: Kind) -> int:
    """Log a change of stored events whose rows the caller rewrote in place (their people),
    and stamp the events with it; return how many there were."""
    ids = sorted(set(event_ids))
    seqs = append(conn, backend, ids, kind)
    now = records.now()
    for event_id, seq in zip(ids, seqs, strict=True):
        conn.execute(events.update().where(events.c.id == event_id).values(seq=seq, updated=now))
    return len(ids)


def position(conn: Connection) -> int:
    """The ``seq`` of the last committed change (what a follower catches up to)."""
    return records.current_seq(conn)


def pending(conn: Connection, after: int) -> Pending:
    """The events changed after ``after`` in ways the search index shows, as of this snapshot."""
    upto = records.current_seq(conn)
    if upto <= after:
        return Pending(after, upto, ())
    if after < records.pruned_seq(conn):
        stored: Iterable[int] = conn.scalars(select(events.c.id).order_by(events.c.id))
        return Pending(after, upto, tuple(int(event_id) for event_id in stored), everything=True)
    found: Iterable[int] = conn.scalars(
        select(changes.c.event_id)
        .where(changes.c.seq > after, changes.c.seq <= upto, changes.c.kind.in_(sorted(INDEXED)))
        .distinct()
    )
    return Pending(after, upto, tuple(sorted(int(event_id) for event_id in found)))


def lag(conn: Connection, applied: int) -> Lag:
    """How far a follower that applied up to ``applied`` is behind this snapshot."""
    upto = records.current_seq(conn)
    if upto <= applied:
        return Lag(upto, applied, 0, 0.0)
    oldest = conn.scalar(
        select(changes.c.committed_at)
        .where(changes.c.seq > applied)
        .order_by(changes.c.seq)
        .limit(1)
    )
    seconds = max(0.0, time.time() - float(oldest)) if oldest is not None else 0.0
    return Lag(upto, applied, upto - applied, seconds)


@dataclass(frozen=True, slots=True)
class Pruned:
    """What :func:`prune` removed: ``removed`` changes, every one up to ``horizon``."""

    removed: int
    horizon: int
    #: Changes the log still holds.
    kept: int

    def to_dict(self) -> dict[str, int]:
        return {"removed": self.removed, "horizon": self.horizon, "kept": self.kept}


def prune(conn: Connection, before: float) -> Pruned:
    """Drop the changes committed before ``before`` (seconds since the epoch). Inside a write
    transaction, so a change is never half numbered while the horizon moves."""
    horizon = records.pruned_seq(conn)
    cut = conn.scalar(select(func.max(changes.c.seq)).where(changes.c.committed_at < before))
    removed = 0
    if cut is not None and cut > horizon:
        removed = conn.execute(delete(changes).where(changes.c.seq <= cut)).rowcount
        horizon = int(cut)
        records.save_seq(conn, horizon, records.PRUNED)
    kept = int(conn.scalar(select(func.count()).select_from(changes)) or 0)
    return Pruned(removed, horizon, kept)
