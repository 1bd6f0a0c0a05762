"""Run a query against the index: ranked hits with snippets, and exact facet counts.

A search costs two tantivy calls (top-k with the total, then one aggregation for all facets) plus
one stored-document fetch per hit; everything else is kept out of the per-query path because the
Python overhead per call is what dominates at this size (notes/search-engines.md).
"""

from __future__ import annotations

import html
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import orjson
import tantivy

from ..errors import QueryError, StoreError
from . import index as ix
from .query import Compiler, parse

Sort = Literal["relevance", "date", "-date"]
SORTS: Final = ("relevance", "date", "-date")
MAX_LIMIT: Final = 1000
MAX_WINDOW: Final = 10_000
SNIPPET_CHARS: Final = 240
FACET_SIZE: Final = 20
#: Each segment reports its top terms only. This many covers every speaker or tag of a segment
#: in practice; when it does not, tantivy says so (a non-zero error bound) and the facet is
#: counted again with ``EXACT_SEGMENT_SIZE``, which is exact but costs ~3x as much.
FACET_SEGMENT_SIZE: Final = 10_000
EXACT_SEGMENT_SIZE: Final = 10_000_000
FACETS: Final = ("speaker", "topic", "geography")


@dataclass(frozen=True, slots=True)
class Hit:
    """One speech (or event) that matched; ``snippet`` is HTML with ``<b>`` around the matches."""

    kind: str
    event_id: int
    source_id: str | None
    speech_id: int | None
    speaker: str | None
    attribution: str | None
    role: str | None
    date: str | None
    place: str | None
    title: str
    snippet: str
    url: str
    score: float
    source: str
    language: str
    position: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


_lock = threading.Lock()
_opened: dict[Path, ix.OpenIndex] = {}


def _open(index_dir: Path) -> ix.OpenIndex:
    """Opened indexes are kept: opening and registering analyzers costs more than a search."""
    key = Path(index_dir).resolve()
    with _lock:
        opened = _opened.get(key)
        if opened is None:
            opened = _opened[key] = ix.open_index(key, create=False)
    return opened


def _fallback(text: str) -> str:
    """The opening of the text, for hits matched by filters alone (nothing to highlight)."""
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return html.escape(text[: cut if cut > 0 else SNIPPET_CHARS]) + "…"


def _terms(name: str, segment_size: int) -> dict[str, Any]:
    return {"terms": {"field": name, "size": FACET_SIZE, "segment_size": segment_size}}


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, list[tuple[str, int]]]:
    spec: dict[str, Any] = {name: _terms(name, FACET_SEGMENT_SIZE) for name in FACETS}
    spec["year"] = {"histogram": {"field": "year", "interval": 1, "min_doc_count": 1}}
    result = searcher.aggregate(query, spec)
    inexact = {
        n: _terms(n, EXACT_SEGMENT_SIZE)
        for n in FACETS
        if result[n].get("doc_count_error_upper_bound")
    }
    if inexact:
        result.update(searcher.aggregate(query, inexact))
    facets = {
        name: [(str(b["key"]), int(b["doc_count"])) for b in result[name]["buckets"]]
        for name in FACETS
    }
    years = [(str(int(b["key"])), int(b["doc_count"])) for b in result["year"]["buckets"]]
    facets["year"] = sorted(years, reverse=True)
    return facets


def _count(found: tantivy.SearchResult) -> int:
    # The stub omits ``count``, which the binding fills because ``search`` is called with count.
    count = getattr(found, "count", None)
    return int(count) if count is not None else len(found.hits)


def _check(limit: int, offset: int, sort: str) -> None:
    if not 0 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 0 and {MAX_LIMIT}, not {limit}")
    if offset < 0 or offset + limit > MAX_WINDOW:
        raise QueryError(f"offset + limit must stay within {MAX_WINDOW} results")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")


def search(
    index_dir: Path,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    sort: Sort = "relevance",
    events: bool = False,
    facets: bool = True,
) -> SearchResult:
    """Search the index at ``index_dir`` (``ARCHIVE/index``); speeches unless ``events``."""
    _check(limit, offset, sort)
    tree = parse(query)
    opened = _open(index_dir)
    try:
        opened.index.reload()
    except ValueError as exc:
        raise StoreError(f"cannot read the search index: {exc}", document=str(index_dir)) from exc
    searcher = opened.index.searcher()
    level = "event" if events else "speech"
    fields = [(ix.body_field(k), f"sg_{k}") for k in ix.LANG_KEYS]
    if events:  # an event's title is part of it; a speech does not match by its event's title
        fields += [(ix.title_field(k), f"sg_{k}") for k in ix.LANG_KEYS]
    user = Compiler(opened, searcher, tuple(fields)).compile(tree)
    full = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, user),
            (tantivy.Occur.Must, tantivy.Query.term_query(opened.schema, "level", level)),
        ]
    )
    if sort == "relevance":
        found = searcher.search(full, limit, offset=offset)
    else:
        order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
        found = searcher.search(full, limit, offset=offset, order_by_field="day", order=order)
    hits = _hits(opened, searcher, user, found.hits, by_score=sort == "relevance")
    return SearchResult(
        total=_count(found),
        hits=hits,
        facets=_facets(searcher, full) if facets else {},
    )


def _hits(
    opened: ix.OpenIndex,
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    found: list[tuple[Any, tantivy.DocAddress]],
    *,
    by_score: bool,
) -> list[Hit]:
    generators: dict[str, tantivy.SnippetGenerator] = {}
    hits = []
    for key, address in found:
        doc = searcher.doc(address)
        meta = orjson.loads(doc.get_first("meta") or b"{}")
        body = ix.body_field(ix.lang_key(meta["language"]))
        generator = generators.get(body)
        if generator is None:
            generator = tantivy.SnippetGenerator.create(searcher, query, opened.schema, body)
            generator.set_max_num_chars(SNIPPET_CHARS)
            generators[body] = generator
        snippet = generator.snippet_from_doc(doc)
        text = snippet.to_html() if snippet.highlighted() else ""
        hits.append(
            Hit(
                kind=meta["kind"],
                event_id=meta["event_id"],
                source_id=meta["source_id"],
                speech_id=meta["speech_id"],
                speaker=meta["speaker"],
                attribution=meta["attribution"],
                role=meta["role"],
                date=meta["date"],
                place=meta["place"],
                title=meta["title"],
                snippet=text or _fallback(doc.get_first(body) or ""),
                url=meta["url"],
                score=float(key) if by_score else 0.0,
                source=meta["source"],
                language=meta["language"],
                position=meta["position"],
            )
        )
    return hits
