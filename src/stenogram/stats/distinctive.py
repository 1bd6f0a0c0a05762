"""Distinctive terms: the words and two-word phrases that set a set of speeches apart from the
rest, by the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and
Quinn 2008, "Fightin' Words", section 3.5).

The unit counted is a speech using a term (the ``term`` column holds each speech's distinct
words and two-word phrases, stop words and numbers left out, see ``search.vocab``), so one long
speech repeating a word weighs as one. For a term w with y_a speeches in the set, y_b in the
background, n_a and n_b the totals of term uses, and a prior alpha_w = ALPHA0 * y_w / n from the
whole archive (y_w, n its counts):

    delta_w = log((y_a + alpha_w) / (n_a + alpha0 - y_a - alpha_w))
            - log((y_b + alpha_w) / (n_b + alpha0 - y_b - alpha_w))
    z_w = delta_w / sqrt(1 / (y_a + alpha_w) + 1 / (y_b + alpha_w))

Terms are ranked by z. The background is every other speech, or those matching ``against``.
The candidates' counts come from one aggregation in which each index segment reports its top
terms, over the set or, for a set of more than ``SAMPLE`` speeches, over a uniform sample of it
(the index's ``sample`` buckets) scaled up; unless those counts are exact, the ``RECOUNT`` x
``limit`` leaders are counted again exactly (one intersection each) and ranked again, so every
figure returned is exact, and only which terms reach the leaders rests on the estimate.
Words of persons' names (and phrases containing one) are left out: who speaks is the speakers
statistic's business, not a term's. Candidates are the set's ``CANDIDATES`` most used terms (a
rarer term cannot reach a high z: its variance is at least 1 / y_a); every count returned is
exact. Against all other speeches, the background counts are the archive's minus the set's, the
archive's read from the term dictionary (one lookup per candidate) whenever no deleted speech
lingers in the index, else aggregated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import tantivy

from ..archive import Archive
from ..errors import QueryError
from ..search import index as ix
from .scope import Scope, both, buckets, check_limit, check_query, terms_agg, total

MAX_TERMS: Final = 200
#: How many of the set's most used terms are scored.
CANDIDATES: Final = 3000
#: A set of more speeches than this picks its candidates from a uniform sample of about as many.
SAMPLE: Final = 20_000
#: With counts from a sample (or cut by segments), this many times the terms asked for are
#: counted exactly before the final ranking.
RECOUNT: Final = 3
#: The prior's weight, in term uses: large enough to steady rare terms, small beside a speaker.
ALPHA0: Final = 1000.0


@dataclass(frozen=True, slots=True)
class Scored:
    term: str
    speeches: int
    background: int
    z: float
    log_odds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "speeches": self.speeches,
            "background": self.background,
            "z": self.z,
            "log_odds": self.log_odds,
        }


@dataclass(frozen=True, slots=True)
class Distinctive:
    query: str
    against: str
    speeches: int
    background: int
    terms: tuple[Scored, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "against": self.against,
            "speeches": self.speeches,
            "background": self.background,
            "terms": [t.to_json() for t in self.terms],
        }

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        header = ["term", "speeches", "background", "z", "log_odds"]
        return header, [[t.term, t.speeches, t.background, t.z, t.log_odds] for t in self.terms]

    def caption(self) -> str:
        rest = f"speeches matching {self.against}" if self.against else "all other speeches"
        return (
            f"Words and two-word phrases of the {self.speeches} speeches matching {self.query}, "
            f"against {rest} ({self.background}), ranked by weighted log-odds (z) with an "
            "informative Dirichlet prior; counts are speeches using the term."
        )


def distinctive(archive: Archive, *, query: str, against: str = "", limit: int = 30) -> Distinctive:
    """The terms that set the speeches matching ``query`` apart (module docstring)."""
    return compute(Scope.of(archive), query=query, against=against, limit=limit)


def compute(scope: Scope, *, query: str, against: str = "", limit: int = 30) -> Distinctive:
    if not query.strip():
        raise QueryError("say which speeches to set apart (a filter such as speaker:NAME)")
    check_limit(limit, MAX_TERMS)
    target = scope.speeches(check_query(query))
    everything = scope.speeches()
    rest = (
        scope.speeches(check_query(against))
        if against.strip()
        else both(everything, target, occur=tantivy.Occur.MustNot)
    )
    sizes = [_size(scope, q) for q in (target, rest, everything)]
    picked, share = _sample(scope, target, sizes[0][0])
    mine, exact = _candidates(scope, picked, share)
    candidates = list(mine)
    if not candidates:
        return Distinctive(query, against, sizes[0][0], sizes[1][0], ())
    every = _everywhere(scope, everything, candidates)
    theirs = _counts(scope, rest, candidates) if against.strip() else None
    shown = _rank(candidates, mine, theirs, every, sizes)
    if not exact:  # the leaders counted exactly, one intersection each, and ranked again
        leaders = [t.term for t in shown[: limit * RECOUNT]]
        mine = {term: scope.count(both(target, scope.term("term", term))) for term in leaders}
        shown = _rank(leaders, mine, theirs, every, sizes)
    return Distinctive(query, against, sizes[0][0], sizes[1][0], tuple(shown[:limit]))


def _sample(scope: Scope, target: tantivy.Query, speeches: int) -> tuple[tantivy.Query, float]:
    """The set, or a uniform sample of about ``SAMPLE`` of its speeches when it is larger (the
    first sample buckets, see ``search.index.sample_of``), and the share of the set it holds."""
    if speeches <= SAMPLE:
        return target, 1.0
    taken = max(1, math.ceil(ix.SAMPLES * SAMPLE / speeches))
    bucket = tantivy.Query.term_set_query(scope.opened.schema, "sample", list(range(taken)))
    picked = both(target, bucket)
    return picked, scope.count(picked) / speeches


def _rank(
    candidates: list[str],
    mine: dict[str, float],
    theirs: dict[str, int] | None,
    every: dict[str, int],
    sizes: list[tuple[int, int]],
) -> list[Scored]:
    """Candidates by z; ``theirs`` None means all other speeches (the archive's minus mine)."""
    scored = [
        _score(
            term,
            mine.get(term, 0),
            theirs.get(term, 0) if theirs is not None else max(every[term] - mine.get(term, 0), 0),
            every[term],
            sizes,
        )
        for term in candidates
    ]
    scored.sort(key=lambda s: (-s.z, s.term))
    return scored


def _candidates(scope: Scope, picked: tantivy.Query, share: float) -> tuple[dict[str, float], bool]:
    """The most used terms of the set (or of its sample, scaled up by ``share``) that are no
    word of a person's name, with their counts, and whether those are the set's exact counts:
    each segment reports its top terms only, and tantivy says whether that cut any count."""
    names = scope.people.words()
    spec = terms_agg("term", size=CANDIDATES, segment_size=CANDIDATES * 4)
    found = scope.aggregate(picked, {"t": spec})["t"]
    counts = {
        str(b["key"]): int(b["doc_count"]) / share
        for b in found["buckets"]
        if not any(word in names for word in str(b["key"]).split(" "))
    }
    return counts, share == 1.0 and not found.get("doc_count_error_upper_bound")


def _everywhere(scope: Scope, everything: tantivy.Query, candidates: list[str]) -> dict[str, int]:
    """Each candidate's speeches in the whole archive: from the term dictionary when that is
    exact (``Scope.live``), a lookup per term instead of a pass over every speech's terms."""
    if scope.live():
        return {term: scope.searcher.doc_freq("term", term) for term in candidates}
    return _counts(scope, everything, candidates)


def _size(scope: Scope, query: tantivy.Query) -> tuple[int, int]:
    """(speeches, term uses) of a set."""
    found = scope.aggregate(query, {"n": total("terms"), "c": {"value_count": {"field": "terms"}}})
    return int(found["c"]["value"]), int(found["n"]["value"])


def _counts(scope: Scope, query: tantivy.Query, candidates: list[str]) -> dict[str, int]:
    found = scope.aggregate(query, {"t": terms_agg("term", include=candidates)})
    return {str(b["key"]): int(b["doc_count"]) for b in buckets(found["t"])}


def _score(term: str, y_a: float, y_b: float, y_all: float, sizes: list[tuple[int, int]]) -> Scored:
    n_a, n_b, n_all = (n for _, n in sizes)
    alpha = ALPHA0 * y_all / n_all if n_all else 0.0
    alpha = max(alpha, 1e-3)
    delta = _log_odds(y_a, n_a, alpha) - _log_odds(y_b, n_b, alpha)
    z = delta / math.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
    return Scored(term, round(y_a), round(y_b), round(z, 4), round(delta, 4))


def _log_odds(y: float, n: int, alpha: float) -> float:
    return math.log((y + alpha) / max(n + ALPHA0 - y - alpha, 1e-9))
