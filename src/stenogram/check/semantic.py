"""Semantic retrieval for paraphrases: the passages nearest in meaning to a quote.

The quote is embedded on the model's query side and looked up in the node's HNSW index of
passage vectors (:mod:`.vectors`). Each process keeps the index memory-mapped and maps it again
when the writer (an ingest, or the follower of the change log) has saved a newer one, which it
notices from the file's identity: the writer replaces the file, it never rewrites it in place.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from usearch.index import Index

from ..archive import Archive
from . import vectors

#: Candidates asked of the HNSW index per hit wanted: a few of its keys may be unknown to the
#: map (see :mod:`.vectors`), and several passages may come from one speech.
OVERFETCH: Final = 2


@dataclass(frozen=True, slots=True)
class SemanticHit:
    speech_id: int
    #: Character offsets of the passage in the speech text, as stored.
    start: int
    end: int
    #: Cosine similarity of quote and passage, higher is closer (at most 1).
    score: float


def available(archive: Archive) -> bool:
    """Whether this node has passage vectors to search (False: the check says paraphrases
    were not looked for)."""
    return vectors.count(vectors.vectors_path(archive.index_path), at_least=1) > 0


def nearest(archive: Archive, text: str, *, k: int = 10) -> list[SemanticHit]:
    """The ``k`` passages closest in meaning to ``text``, closest first (none without vectors)."""
    path = vectors.vectors_path(archive.index_path)
    index = _index(path)
    if index is None or len(index) == 0 or not text.strip() or k < 1:
        return []
    matches = index.search(vectors.embed_query(text), k * OVERFETCH)
    keys = [int(key) for key in matches.keys]
    found = vectors.locate(path, keys)
    hits = [
        SemanticHit(p.speech_id, p.start, p.end, round(1.0 - float(distance), 4))
        for key, distance in zip(keys, matches.distances, strict=True)
        if (p := found.get(key)) is not None
    ]
    return hits[:k]


_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int, int], Index]] = {}


def _index(path: Path) -> Index | None:
    """The memory-mapped index of the store at ``path``, mapped again once it was replaced."""
    try:
        stat = os.stat(path / vectors.INDEX_FILE)
    except OSError:
        return None
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached is None or cached[0] != identity:
            cached = (identity, vectors.load_index(path, view=True))
            _cache[path] = cached
        return cached[1]
