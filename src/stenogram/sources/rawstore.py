"""The raw store: every body the crawler fetched, kept inside the archive, named by its hash.

Bodies are files ``ARCHIVE/raw/ab/cdef...`` (the SHA-256, split once so no folder grows huge),
written to a temporary file and renamed, so a crash never leaves half a body under a real name;
the same body fetched twice is one file. The ``raw_responses`` table says which URL had which
body when, with its validators (ETag, Last-Modified) for the next conditional GET. Keeping the
bytes is what lets a parser fix reach every page already crawled (``stenogram reparse``)
without asking the publisher again. (Where a crawl stands is the frontier's:
:mod:`stenogram.archive.frontier`.)

The store works through the archive's own :class:`Archive` (its engine, its transactions and
its backend), so it runs on either database.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ..archive import Archive
from ..archive.files import RAW_DIR, write_atomically
from ..archive.frontier import now
from ..archive.schema import raw_responses
from ..errors import StoreError
from .http import Response


@dataclass(frozen=True, slots=True)
class RawRecord:
    source: str
    kind: str
    url: str
    sha256: str
    fetched_at: str
    status: int
    etag: str | None
    last_modified: str | None
    content_type: str | None
    size: int


class RawStore:
    """The raw bodies of one archive."""

    def __init__(self, archive: Archive) -> None:
        self.path = archive.path
        self._archive = archive

    @classmethod
    def open(cls, path: Path, *, database: str | None = None) -> RawStore:
        return cls(Archive.open(path, create=True, database=database))

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> RawStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- bodies ---------------------------------------------------------------------------

    def body_path(self, sha256: str) -> Path:
        return self.path / RAW_DIR / sha256[:2] / sha256[2:]

    def read(self, record: RawRecord) -> bytes:
        try:
            return self.body_path(record.sha256).read_bytes()
        except OSError as exc:
            raise StoreError(f"raw body missing: {exc.strerror}", document=record.url) from exc

    def _write_body(self, body: bytes) -> str:
        sha = hashlib.sha256(body).hexdigest()
        target = self.body_path(sha)
        if target.exists():
            return sha
        try:
            write_atomically(target, body)
        except OSError as exc:
            raise StoreError(f"cannot write a raw body: {exc}", document=str(target)) from exc
        return sha

    # --- the index ------------------------------------------------------------------------

    def keep(self, source: str, kind: str, response: Response, url: str) -> RawRecord:
        """Keep a 200 response for ``url``: the body file, then its row (or a refreshed row
        when this URL already had this very body)."""
        sha = self._write_body(response.body)
        values: dict[str, Any] = {
            "source": source,
            "kind": kind,
            "fetched_at": now(),
            "status": response.status,
            "etag": response.etag,
            "last_modified": response.last_modified,
            "content_type": response.content_type,
            "size": len(response.body),
        }
        with self._transaction(url) as conn:
            where = (raw_responses.c.url == url) & (raw_responses.c.sha256 == sha)
            if conn.execute(update(raw_responses).where(where).values(**values)).rowcount == 0:
                conn.execute(insert(raw_responses).values(url=url, sha256=sha, **values))
        return RawRecord(url=url, sha256=sha, **values)

    def confirm(self, record: RawRecord) -> RawRecord:
        """Note that the stored body of ``record`` is still current (a 304)."""
        stamp = now()
        with self._transaction(record.url) as conn:
            conn.execute(
                update(raw_responses)
                .where(
                    (raw_responses.c.url == record.url) & (raw_responses.c.sha256 == record.sha256)
                )
                .values(fetched_at=stamp)
            )
        return dataclasses.replace(record, fetched_at=stamp)

    def latest(self, url: str) -> RawRecord | None:
        """The body most recently fetched (or confirmed) for ``url``."""
        with self._transaction(url) as conn:
            row = conn.execute(
                select(raw_responses)
                .where(raw_responses.c.url == url)
                .order_by(raw_responses.c.fetched_at.desc(), raw_responses.c.id.desc())
                .limit(1)
            ).first()
        return _record(row._mapping) if row is not None else None

    def items(self) -> Iterator[RawRecord]:
        """The latest body of every item URL, oldest fetch first (what ``reparse`` reads).

        Older bodies of a URL stay stored but are not re-parsed: storing them after the newer
        one would make an outdated text the current revision.
        """
        newest = (
            select(raw_responses.c.url, func.max(raw_responses.c.id).label("id"))
            .where(raw_responses.c.kind == "item")
            .group_by(raw_responses.c.url)
            .subquery()
        )
        with self._transaction("raw responses") as conn:
            rows = conn.execute(
                select(raw_responses)
                .join(newest, newest.c.id == raw_responses.c.id)
                .order_by(raw_responses.c.id)
            ).all()
        for row in rows:
            yield _record(row._mapping)

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self, what: str) -> Iterator[Connection]:
        with self._archive.writing(what) as conn:
            yield conn


def _record(row: Any) -> RawRecord:
    return RawRecord(
        source=row["source"],
        kind=row["kind"],
        url=row["url"],
        sha256=row["sha256"],
        fetched_at=row["fetched_at"],
        status=row["status"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        content_type=row["content_type"],
        size=row["size"],
    )


__all__ = ["RAW_DIR", "RawRecord", "RawStore"]
