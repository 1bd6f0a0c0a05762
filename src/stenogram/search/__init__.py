"""Full-text search over the archive: the tantivy index, the query language, the engine."""

from __future__ import annotations

from .engine import Hit, SearchResult, search
from .index import Indexer, catch_up, index_path, open_index, read_seq, rebuild
from .query import parse

__all__ = [
    "Hit",
    "Indexer",
    "SearchResult",
    "catch_up",
    "index_path",
    "open_index",
    "parse",
    "read_seq",
    "rebuild",
    "search",
]
