"""``stenogram export`` as a library call: select, build the :class:`Corpus`, let the format write.

The CLI, the web's export links and the API all come through :func:`open_corpus` and a format
of the registry, so an export looks the same whichever way it was asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from ..errors import QueryError
from ..search import search
from ..search.engine import MAX_LIMIT, MAX_WINDOW
from .formats import Written, get
from .records import Corpus, ExportedEvent, Selection, archive_events, selected_events

if TYPE_CHECKING:
    from ..archive import Archive
    from ..settings import Settings

#: The most speeches a query export takes: the search engine's window. Beyond it the export is
#: refused with a message (narrow the query, or export the whole archive, which has no cap).
MAX_QUERY_SPEECHES = MAX_WINDOW


def query_matches(
    archive: Archive, query: str, cap: int | None = None
) -> dict[int, frozenset[int] | None]:
    """The speech ids matching ``query`` by event; a QueryError beyond ``cap`` of them
    (default :data:`MAX_QUERY_SPEECHES`)."""
    cap = MAX_QUERY_SPEECHES if cap is None else cap
    found: dict[int, set[int]] = {}
    offset = 0
    while True:
        page = search(
            archive.index_path, query, limit=MAX_LIMIT, offset=offset, sort="date", facets=False
        )
        if page.total > cap:
            raise QueryError(
                f"the query matches {page.total:,} speeches; an export takes at most {cap:,} "
                "(narrow the query, or export the whole archive without --query)",
                document=query,
            )
        for hit in page.hits:
            if hit.speech_id is not None:
                found.setdefault(hit.event_id, set()).add(hit.speech_id)
        offset += len(page.hits)
        if not page.hits or offset >= page.total:
            return {event_id: frozenset(ids) for event_id, ids in found.items()}


def open_corpus(
    archive: Archive,
    selection: Selection,
    *,
    base_url: str | None = None,
    progress: Callable[[ExportedEvent], None] | None = None,
    now: dt.datetime | None = None,
) -> Corpus:
    """The corpus of ``selection`` over an open ``archive`` (which must stay open while the
    corpus is written)."""
    read: Callable[[], Iterator[ExportedEvent]]
    if selection.event is not None:
        stored = archive.event(selection.event)
        wanted: dict[int, frozenset[int] | None] = {stored.event_id: None}
        events, speeches = 1, len(stored.speech_ids)
        read = lambda: selected_events(archive, wanted)  # noqa: E731
    elif selection.query is not None:
        matches = query_matches(archive, selection.query)
        events, speeches = len(matches), sum(len(ids or ()) for ids in matches.values())
        read = lambda: selected_events(archive, matches)  # noqa: E731
    else:
        counts = archive.counts()
        events, speeches = counts["events"], counts["speeches"]
        read = lambda: archive_events(archive)  # noqa: E731
    return Corpus(
        read,
        archive.persons,
        selection,
        events,
        speeches,
        now or dt.datetime.now(dt.UTC),
        base_url,
        progress,
    )


@contextmanager
def archive_corpus(settings: Settings, selection: Selection) -> Iterator[Corpus]:
    """The corpus of ``selection`` in the archive of ``settings``, open while the block runs."""
    from ..ingest import open_archive

    with open_archive(settings) as archive:
        yield open_corpus(archive, selection, base_url=settings.public_url)


def export(
    settings: Settings,
    name: str,
    out: BinaryIO | Path,
    selection: Selection,
    progress: Callable[[Corpus], Callable[[ExportedEvent], None]] | None = None,
) -> Written:
    """Write ``selection`` of the archive of ``settings`` in format ``name`` to ``out``.

    ``progress`` is given the corpus (its totals known) and returns the per-event callback.
    """
    fmt = get(name)
    if fmt.folder and not isinstance(out, Path):
        raise QueryError(f"format {name} writes a folder: give --out DIR")
    with archive_corpus(settings, selection) as corpus:
        if progress is not None:
            corpus.progress = progress(corpus)
        return fmt.write(corpus, out)
