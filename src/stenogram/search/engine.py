"""Run a query against the index: ranked hits with snippets, and exact facet counts.

A search costs two tantivy calls (top-k, and one aggregation for the total and the facets), a
third over the few documents with more tags than the index has slot columns for (see ``index``),
and one stored-document fetch per hit. When the total comes from the aggregation, the top-k
call does not count, which lets tantivy skip the blocks of postings that cannot reach the top
(block-max WAND) on the common terms.

tantivy runs one segment after another on one core, and each call releases the GIL, so the
facet pass runs in the caller while the top-k and the pass over the extra tags run on a worker
thread: a phrase or a filter (the match is the cost, and every call must run it) then takes
about the time of one call. Reading the facet columns of every match costs a few ms per 400,000
matches (their shape, in ``index``, is chosen for that), so the facet pass is not split further:
each extra call would run the match again. In a small index (``PARALLEL_FROM``) the calls run one
after another.

A speech-level query that needs a word of the text runs without the ``level`` clause: only
speech-level documents carry text in ``body_*`` (see ``index``), and intersecting a million
postings with that clause cost more than the match itself.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final, Literal

import orjson
import tantivy

from ..errors import QueryError, StoreError
from . import index as ix
from . import snippets as sn
from .people import People
from .query import Compiler, Node, as_reported, has_exact_phrase, loosen, parse

Sort = Literal["relevance", "date", "-date"]
SORTS: Final = ("relevance", "date", "-date")
MAX_LIMIT: Final = 1000
MAX_WINDOW: Final = 10_000
FACET_SIZE: Final = 20
#: The widest a facet can be asked for (``facet_limit``): every value it has, in practice.
MAX_FACET: Final = 1000
#: Each segment reports its top terms only. This many covers every speaker or tag of a segment
#: in practice; when it does not, tantivy says so (a non-zero error bound) and the facet is
#: counted again with ``EXACT_SEGMENT_SIZE``, which is exact but costs ~3x as much.
FACET_SEGMENT_SIZE: Final = 10_000
EXACT_SEGMENT_SIZE: Final = 10_000_000
#: Tag facets add up the values of several columns (see ``index``), so every value among the
#: matches is needed to count each name exactly; a column with more distinct values among the
#: matches than this is counted again with ``EXACT_SEGMENT_SIZE``.
TAG_VALUES: Final = 10_000
#: The slot columns (each aggregation is named after its column) -> their facet.
_TAG_AGGS: Final[dict[str, str]] = {
    column: facet for facet, columns in ix.SLOT_COLUMNS.items() for column in columns
}
#: The tags beyond the slots, counted over the documents that have some (see ``index``).
_REST: Final = "rest"
#: Terms on the year column rather than a histogram: cheaper, and exact the same way. Every
#: document has a year (``index.NO_YEAR`` without a date), so the years add up to the total
#: and no separate count is needed.
YEARS: Final = 1000
#: Threads beside the caller's: one call runs there at a time per search (two cores in mind).
WORKERS: Final = 2
#: Below this many documents every call takes well under a millisecond, and handing one to a
#: thread costs more CPU than it saves time (0.3-0.8 ms a search on the 20,000 documents of the
#: kremlin corpus), which a busy server pays on every request: such searches run in one thread.
PARALLEL_FROM: Final = 200_000


@dataclass(frozen=True, slots=True)
class Hit:
    """One speech (or event) that matched. ``snippet`` is plain text, ``highlights`` the
    [start, end) character spans in it that matched (an exact phrase is one span). ``exact`` is
    False on a nearest passage offered when an exact phrase found nothing. ``role`` is the
    speaker's role as the page printed it at the time. ``reported`` marks an event's narrative
    that matched a ``speaker:`` search as reported speech (asked for with ``reported``)."""

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
    person_id: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()
    exact: bool = True
    reported: bool = False

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict, which deep-copies every value: here all are plain scalars.
        return {name: getattr(self, name) for name in _HIT_FIELDS}


_HIT_FIELDS: Final = tuple(f.name for f in fields(Hit))


@dataclass(frozen=True, slots=True)
class SearchResult:
    """``facets`` are cut to the limit asked for; ``facet_sizes`` say how many values each had;
    ``speaker_ids`` are the person ids of the speaker facet's values, in its order (two persons
    may share a name: a filter link goes by the id).
    ``nearest`` names what was searched instead when an exact phrase found nothing (the hits
    are then not exact); None for a plain answer. ``reported``: for a ``speaker:`` search, how
    many events' narrative (reported speech: "The President said that ...") also matches, with
    the speaker among those present; left out of the hits unless asked for."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facet_sizes: dict[str, int] = field(default_factory=dict)
    nearest: str | None = None
    reported: int = 0
    speaker_ids: list[str] = field(default_factory=list)


_lock = threading.Lock()
_opened: dict[Path, ix.OpenIndex] = {}
#: Each opened index's ``meta.json`` as last seen (inode, size, mtime): a commit replaces the
#: file, and only then is the reader reloaded (a reload costs more than a rare-term search).
_seen: dict[Path, tuple[int, int, int]] = {}
_pool: ThreadPoolExecutor | None = None
_resolved: dict[Path, Path] = {}


def _workers() -> ThreadPoolExecutor:
    """Started on the first faceted search; its threads idle between searches."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="stenogram-search")
        return _pool


def _open(index_dir: Path) -> ix.OpenIndex:
    """Opened indexes are kept: opening and registering analyzers costs more than a search."""
    key = _resolved.get(index_dir)
    if key is None:  # resolve() looks at every component of the path: once per path
        key = _resolved[index_dir] = Path(index_dir).resolve()
    with _lock:
        opened = _opened.get(key)
        if opened is None:
            opened = _opened[key] = ix.open_index(key, create=False)
    try:
        stat = (opened.path / "meta.json").stat()
    except OSError as exc:
        raise StoreError(f"cannot read the search index: {exc}", document=str(key)) from exc
    stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if _seen.get(key) != stamp:
        try:
            opened.index.reload()
        except ValueError as exc:
            raise StoreError(f"cannot read the search index: {exc}", document=str(key)) from exc
        _seen[key] = stamp
    return opened


def reader(index_dir: Path) -> ix.OpenIndex:
    """The opened index at ``index_dir``, kept and reloaded as for a search (the quote check
    builds its own queries on it)."""
    return _open(index_dir)


def _terms(field: str, size: int, segment_size: int) -> dict[str, Any]:
    return {"terms": {"field": field, "size": size, "segment_size": segment_size}}


def _facet_spec(events: bool, segment_size: int) -> dict[str, dict[str, Any]]:
    """Facet name -> terms aggregation (an event's speakers live in a column of their own).

    The speaker facet asks for every value, so that it can say how many there are when it is
    cut (speeches without a person, ``index.NO_VALUE``, are one bucket left out).
    """
    spec = {
        "speaker": _terms(
            "event_speaker" if events else "speaker", max(segment_size, 1), segment_size
        ),
        "year": _terms("year", YEARS, segment_size),
    }
    size = max(TAG_VALUES, segment_size)
    for column in _TAG_AGGS:
        spec[column] = _terms(column, size, size)
    return spec


def _rest_spec(segment_size: int) -> dict[str, dict[str, Any]]:
    size = max(TAG_VALUES, segment_size)
    return {_REST: _terms(ix.REST_COLUMN, size, size)}


def _tags_beyond_slots(
    opened: ix.OpenIndex, searcher: tantivy.Searcher, query: tantivy.Query
) -> dict[str, Any]:
    """The rest column's buckets over the matches with tags beyond the slots: a second pass,
    cheap because the ``more_tags`` term drives it (a few thousand documents at most)."""
    if not searcher.doc_freq(ix.MORE_TAGS, "yes"):
        return {_REST: {"buckets": []}}
    more = tantivy.Query.term_query(opened.schema, ix.MORE_TAGS, "yes")
    both = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, more)])
    result: dict[str, Any] = searcher.aggregate(both, _rest_spec(FACET_SEGMENT_SIZE))
    if result[_REST].get("sum_other_doc_count") or result[_REST].get("doc_count_error_upper_bound"):
        result = searcher.aggregate(both, _rest_spec(EXACT_SEGMENT_SIZE))
    return result


def _collect(
    searcher: tantivy.Searcher, query: tantivy.Query, spec: dict[str, dict[str, Any]], events: bool
) -> dict[str, Any]:
    """The buckets of ``spec``; a facet whose segments cut terms off is counted again exactly."""
    result: dict[str, Any] = searcher.aggregate(query, spec)
    inexact = [
        n
        for n in spec
        if result[n].get("doc_count_error_upper_bound")
        or (n in _TAG_AGGS and result[n].get("sum_other_doc_count"))
    ]
    if inexact:
        exact = _facet_spec(events, EXACT_SEGMENT_SIZE)
        result.update(searcher.aggregate(query, {n: exact[n] for n in inexact}))
    return result


def _facets(
    result: dict[str, Any], people: People | None
) -> tuple[int, dict[str, list[tuple[str, int]]], list[str]]:
    """The total, every facet value out of the aggregation's buckets (speakers by name), and
    the speakers' person ids."""
    buckets = result["speaker"]["buckets"]
    speakers = [(str(b["key"]), int(b["doc_count"])) for b in buckets if b["key"] != ix.NO_VALUE]
    facets = {"speaker": [(people.name(key) if people else key, n) for key, n in speakers]}
    tagged: dict[str, dict[str, int]] = {facet: {} for facet in ix.SLOT_COLUMNS}
    for column, facet in _TAG_AGGS.items():
        counts = tagged[facet]
        for bucket in result[column]["buckets"]:
            key = str(bucket["key"])
            if key != ix.NO_VALUE:
                counts[key] = counts.get(key, 0) + int(bucket["doc_count"])
    for bucket in result[_REST]["buckets"]:
        facet, _, name = str(bucket["key"]).partition(ix.KIND_SEPARATOR)
        tagged[facet][name] = tagged[facet].get(name, 0) + int(bucket["doc_count"])
    for facet, counts in tagged.items():
        facets[facet] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    years = [(int(b["key"]), int(b["doc_count"])) for b in result["year"]["buckets"]]
    total = sum(n for _, n in years) + int(result["year"].get("sum_other_doc_count") or 0)
    facets["year"] = [
        (str(year), n) for year, n in sorted(years, reverse=True) if year != ix.NO_YEAR
    ]
    return total, facets, [key for key, _ in speakers]


def _count(found: tantivy.SearchResult) -> int:
    # The stub omits ``count``, which the binding fills because ``search`` is called with count.
    count = getattr(found, "count", None)
    return int(count) if count is not None else len(found.hits)


def _check(limit: int, offset: int, sort: str, facet_limit: int) -> None:
    if not 1 <= facet_limit <= MAX_FACET:
        raise QueryError(f"facet_limit must be between 1 and {MAX_FACET}, not {facet_limit}")
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
    facet_limit: int = FACET_SIZE,
    people: People | None = None,
    reported: bool = False,
) -> SearchResult:
    """Search the index at ``index_dir`` (``ARCHIVE/index``); speeches unless ``events``.

    ``people`` (the archive's persons) lets ``speaker:``/``participant:`` mean a person and
    names the speaker facet's persons. When an exact phrase finds nothing, the nearest passages
    are searched instead (the phrase stemmed, then its words in any order, every other clause
    kept) and returned marked not exact, with ``nearest`` saying which. ``reported`` adds the
    narrative that a ``speaker:`` search would leave out (see :class:`SearchResult`).
    """
    _check(limit, offset, sort, facet_limit)
    tree = parse(query)
    opened = _open(index_dir)
    run = _Run(opened, opened.index.searcher(), events, people, reported)
    result = run.search(tree, limit, offset, sort, facets, facet_limit)
    if result.total or not has_exact_phrase(tree):
        return result
    for label, looser in (
        ("the phrase in another inflection", loosen(tree)),
        ("the words in another order", loosen(tree, words=True)),
    ):
        near = run.search(looser, limit, offset, sort, facets, facet_limit, exact=False)
        if near.total:
            return replace(near, nearest=label)
    return result


@dataclass(frozen=True, slots=True)
class _Run:
    """One searcher and its settings, for the query and the looser ones tried after it."""

    opened: ix.OpenIndex
    searcher: tantivy.Searcher
    events: bool
    people: People | None
    with_reported: bool

    def search(
        self,
        tree: Node,
        limit: int,
        offset: int,
        sort: Sort,
        facets: bool,
        facet_limit: int,
        *,
        exact: bool = True,
    ) -> SearchResult:
        opened, searcher, events = self.opened, self.searcher, self.events
        user, full, compiler = compile_match(opened, searcher, tree, events, self.people)
        told = None if events else self._reported(tree, compiler.resolved)
        left_out = 0
        if told is not None and self.with_reported:
            user = full = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, full), (tantivy.Occur.Should, told)]
            )
        elif told is not None:
            left_out = _count(searcher.search(told, 1, count=True))
        top = max(limit, 1)  # tantivy refuses a top-0; the one hit fetched is dropped below
        marks = sn.phrase_patterns(tree, opened.analyzers[ix.EXACT])

        def ranked() -> tuple[tantivy.SearchResult, list[Hit]]:
            if sort == "relevance":
                found = searcher.search(full, top, count=not facets, offset=offset)
            else:
                order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
                found = searcher.search(
                    full, top, count=not facets, offset=offset, order_by_field="day", order=order
                )
            by_score = sort == "relevance"
            found_hits = found.hits[:limit]
            return found, _hits(
                opened, searcher, user, found_hits, by_score=by_score, marks=marks, exact=exact
            )

        if not facets:
            found, hits = ranked()
            return SearchResult(total=_count(found), hits=hits, reported=left_out)

        def ranked_and_rest() -> tuple[list[Hit], dict[str, Any]]:
            # The two shorter calls on the worker, the facet pass (the longest) here.
            return ranked()[1], _tags_beyond_slots(opened, searcher, full)

        spec = _facet_spec(events, FACET_SEGMENT_SIZE)
        if searcher.num_docs < PARALLEL_FROM:
            hits, rest = ranked_and_rest()
            result = _collect(searcher, full, spec, events)
        else:
            pending: Future[tuple[list[Hit], dict[str, Any]]] = _workers().submit(ranked_and_rest)
            result = _collect(searcher, full, spec, events)
            hits, rest = pending.result()
        result.update(rest)
        total, counted, ids = _facets(result, self.people)
        sizes = {name: len(values) for name, values in counted.items()}
        cut = {
            name: values if name == "year" else values[:facet_limit]
            for name, values in counted.items()
        }
        return SearchResult(total, hits, cut, sizes, None, left_out, ids[:facet_limit])

    def _reported(self, tree: Node, resolved: dict[str, str]) -> tantivy.Query | None:
        """Events' narrative matching the query with its speaker read as present, or None."""
        told = as_reported(tree, resolved)
        if told is None:
            return None
        notes = tuple((ix.note_field(k), f"sg_{k}") for k in ix.LANG_KEYS)
        compiler = Compiler(self.opened, self.searcher, notes, (ix.EXACT_NOTE,), self.people)
        query, needs_text = compiler.compile(told)
        return _both(query, _level(self.opened, "event")) if needs_text else None


def text_fields(events: bool) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The text fields (with analyzer names) free words are looked up in, and the unstemmed
    ones for exact phrases, of a speech-level or an event-level search."""
    fields = [(ix.body_field(k), f"sg_{k}") for k in ix.LANG_KEYS]
    exact_fields: tuple[str, ...] = (ix.EXACT_BODY,)
    if events:  # an event's title is part of it; a speech does not match by its title
        fields += [(f(k), f"sg_{k}") for f in (ix.note_field, ix.title_field) for k in ix.LANG_KEYS]
        exact_fields += (ix.EXACT_NOTE, ix.EXACT_TITLE)
    return tuple(fields), exact_fields


def compile_match(
    opened: ix.OpenIndex,
    searcher: tantivy.Searcher,
    tree: Node,
    events: bool,
    people: People | None,
) -> tuple[tantivy.Query, tantivy.Query, Compiler]:
    """The query as typed (for highlighting), the one that finds exactly the speeches (or
    events) it means, and the compiler that read it (its ``resolved`` persons)."""
    compiler = Compiler(opened, searcher, *text_fields(events), people)
    user, needs_text = compiler.compile(tree)
    full = user
    if events or not needs_text:
        full = _both(user, _level(opened, "event" if events else "speech"))
    return user, full, compiler


def open_searcher(index_dir: Path) -> tuple[ix.OpenIndex, tantivy.Searcher]:
    """The index at ``index_dir`` (kept open, reloaded after a commit) and a searcher of it."""
    opened = _open(index_dir)
    return opened, opened.index.searcher()


def _level(opened: ix.OpenIndex, kind: str) -> tantivy.Query:
    return tantivy.Query.term_query(opened.schema, "level", kind)


def _both(a: tantivy.Query, b: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, a), (tantivy.Occur.Must, b)])


def _snippet(
    opened: ix.OpenIndex,
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    doc: tantivy.Document,
    body: str,
    text: str,
    marks: list[Any],
    generators: dict[str, tantivy.SnippetGenerator],
) -> sn.Snippet:
    """The passage with an exact phrase, else tantivy's best fragment for the words, else the
    opening of the text."""
    found = sn.find_phrases(text, marks) if marks else None
    if found is not None:
        return found
    generator = generators.get(body)
    if generator is None:
        generator = tantivy.SnippetGenerator.create(searcher, query, opened.schema, body)
        generator.set_max_num_chars(sn.SNIPPET_CHARS)
        generators[body] = generator
    snippet = generator.snippet_from_doc(doc)
    return sn.from_tantivy(snippet) if snippet.highlighted() else sn.opening(text)


def _hits(
    opened: ix.OpenIndex,
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    found: list[tuple[Any, tantivy.DocAddress]],
    *,
    by_score: bool,
    marks: list[Any],
    exact: bool,
) -> list[Hit]:
    generators: dict[str, tantivy.SnippetGenerator] = {}
    hits = []
    for key, address in found:
        doc = searcher.doc(address)
        meta = orjson.loads(doc.get_first("meta") or b"{}")
        lang = ix.lang_key(meta["language"])
        body = ix.body_field(lang)
        text = doc.get_first(body)
        if text is None:  # an event with speeches keeps its own text apart
            body = ix.note_field(lang)
            text = doc.get_first(body)
        shown = _snippet(opened, searcher, query, doc, body, text or "", marks, generators)
        reported = body == ix.note_field(lang)
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
                snippet=shown.text,
                url=meta["url"],
                score=float(key) if by_score else 0.0,
                source=meta["source"],
                language=meta["language"],
                position=meta["position"],
                person_id=meta.get("person_id"),
                highlights=shown.spans,
                exact=exact,
                reported=reported and meta["kind"] == "event",
            )
        )
    return hits
