"""The speeches a quote may come from: a bounded handful out of the tantivy index.

Two searches per quote, over the unstemmed ``exact_body`` field (the words as printed): each
piece of the quote as a phrase (the verbatim passages, ranked apart so that a quote's common
words never crowd them out), then three-word phrases around the quote's rarest words (they
survive a word dropped or changed elsewhere) with the rarest words themselves (they survive
any change that keeps a few of them). Rarity is the index's own
document frequency, so the words that pick out a passage are chosen per archive, in any
language, with no word list beyond the common words. Never a scan: every clause is a posting
list, and at most ``LIMIT`` documents are read back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson
import tantivy

from ..search import index as ix
from .text import Words, stop_words

#: Speeches aligned per quote: enough for a quote said twice and its near neighbours.
LIMIT: Final = 12
#: The rarest words searched for, and the three-word phrases around as many of them.
RARE: Final = 8
#: Phrases longer than this are cut into pieces of this length (a long quote is rarely verbatim
#: throughout, and a phrase query's cost grows with its length).
PHRASE: Final = 12
#: Phrases searched at most (a 5,000-character quote has ~70): the first ones, which a quote
#: that long shares with its passage anyway.
MAX_PHRASES: Final = 16
#: Three-word phrases are made around this many of the rarest words.
WINDOWS: Final = 4
#: Verbatim passages read per quote (the phrase search), beside ``LIMIT`` by words.
VERBATIM: Final = 6


@dataclass(frozen=True, slots=True)
class Candidate:
    """A speech (or a page without speeches) and how the index describes it."""

    meta: dict[str, Any]
    text: str
    rank: float

    @property
    def key(self) -> tuple[int, int | None]:
        return (int(self.meta["event_id"]), self.meta.get("speech_id"))


def _terms(words: Sequence[str]) -> list[str]:
    """The index's spelling of the words (lower case; ``ё`` is kept there)."""
    return [w.lower() for w in words if len(w) <= ix.MAX_WORD]


def rare_words(searcher: tantivy.Searcher, quote: Words) -> list[str]:
    """The quote's words the index holds, rarest first, common words left out."""
    common = stop_words()
    seen = {w for w in _terms([quote.text[a:b] for a, b in quote.spans]) if w not in common}
    counted = [(searcher.doc_freq(ix.EXACT_BODY, w), w) for w in seen]
    return [w for n, w in sorted(counted) if n]


def _phrase(schema: tantivy.Schema, words: list[str]) -> tantivy.Query:
    if len(words) == 1:
        return tantivy.Query.term_query(schema, ix.EXACT_BODY, words[0])
    terms: list[str | tuple[int, str]] = list(words)
    return tantivy.Query.phrase_query(schema, ix.EXACT_BODY, terms)


def phrase_query(schema: tantivy.Schema, pieces: Sequence[Words]) -> tantivy.Query | None:
    """Every piece of the quote as it is: the verbatim passages, ranked on their own so that
    common words elsewhere in the quote never push them out of the candidates."""
    unique = list(dict.fromkeys(tuple(chunk) for chunk in _chunks(pieces)))[:MAX_PHRASES]
    clauses = [(tantivy.Occur.Should, _counted(schema, list(chunk))) for chunk in unique]
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _counted(schema: tantivy.Schema, words: list[str]) -> tantivy.Query:
    """A phrase that counts one whatever its words: a passage ranks by how many of the quote's
    phrases it holds, not by BM25, which puts a short speech with one common phrase ("relations
    system") above the long one that holds the whole quote."""
    return tantivy.Query.const_score_query(_phrase(schema, words), 1.0)


def _chunks(pieces: Sequence[Words]) -> list[list[str]]:
    """Each piece's words in phrases of at most ``PHRASE`` words, of even length (a last
    phrase of two common words would match everywhere)."""
    chunks = []
    for piece in pieces:
        words = _terms([piece.text[a:b] for a, b in piece.spans])
        count = -(-len(words) // PHRASE)
        size = -(-len(words) // max(count, 1))
        chunks += [words[at : at + size] for at in range(0, len(words), max(size, 1))]
    return [chunk for chunk in chunks if len(chunk) >= 2]


def window_query(
    schema: tantivy.Schema, pieces: Sequence[Words], rare: list[str]
) -> tantivy.Query | None:
    """Three-word phrases around the rarest words: a passage that keeps a few of the quote's
    words together where others were changed (ranked apart from the single words, whose
    common company would crowd it out of a short quote's candidates)."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for piece in pieces:
        words = _terms([piece.text[a:b] for a, b in piece.spans])
        for word in rare[:WINDOWS]:
            for at in (at for at, w in enumerate(words) if w == word):
                window = words[max(0, at - 1) : at + 2]
                if len(window) >= 2:
                    clauses.append((tantivy.Occur.Should, _counted(schema, window)))
    return tantivy.Query.boolean_query(clauses) if clauses else None


def word_query(schema: tantivy.Schema, rare: list[str]) -> tantivy.Query:
    """The rarest words, however far apart: a passage reworded more than a window survives."""
    terms = [tantivy.Query.term_query(schema, ix.EXACT_BODY, word) for word in rare[:RARE]]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, term) for term in terms])


def restricted(
    schema: tantivy.Schema,
    query: tantivy.Query,
    *,
    persons: Sequence[str] = (),
    date: dt.date | None = None,
    event_id: int | None = None,
) -> tantivy.Query:
    """``query`` among the speeches of these persons, on this day, or of this event."""
    must: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, query)]
    if persons:
        who = [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, "speaker", p)) for p in persons
        ]
        must.append((tantivy.Occur.Must, tantivy.Query.boolean_query(who)))
    if date is not None:
        day = ix.day_number(date)
        must.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "day", day)))
    if event_id is not None:
        must.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "event_id", event_id)))
    return tantivy.Query.boolean_query(must)


def fetch(searcher: tantivy.Searcher, query: tantivy.Query, limit: int = LIMIT) -> list[Candidate]:
    found = []
    for score, address in searcher.search(query, limit).hits:
        doc = searcher.doc(address)
        meta = orjson.loads(doc.get_first("meta") or b"{}")
        text = doc.get_first(ix.body_field(ix.lang_key(meta["language"])))
        if text:
            found.append(Candidate(meta, text, float(score)))
    return found
