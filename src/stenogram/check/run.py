"""Check a quote against an archive: candidates, alignment, then the verdict for the best.

The order of the verdicts is the order of the evidence: the words found in one passage (exact,
close) beat the words found in pieces (stitched), which beat a passage of the same meaning
(paraphrase). A claimed speaker or date only chooses among passages of the same words, so the
answer to "did X say this?" is never a weaker passage by X when a better one by Y exists: that
is ``other_speaker``, with Y's passage first.
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from ..archive import Archive
from ..errors import NotFound
from ..search import engine
from ..search import index as ix
from ..search.people import archive_people, name_words
from . import candidates as cs
from .align import Part, dice
from .provenance import Events, counterpart, match, stored_speech
from .result import CheckResult, Match, Verdict
from .scoring import Scored, score
from .semantics import available, neighbours
from .text import Words, checked, original_language, scripts, segments, sentences, words
from .thresholds import Thresholds, thresholds

#: A quote of more sentences than this is read as one passage, not looked for as stitched parts
#: (each part is aligned against every candidate: the cost grows with the parts).
MAX_PARTS: Final = 6
#: Words between two sentences of a quote that still make them one passage (a dropped aside);
#: more, and the quote was stitched from two places.
MAX_GAP: Final = 3
NO_VECTORS = "paraphrases were not looked for: this archive has no semantic index"


@dataclass(frozen=True, slots=True)
class Claim:
    """Who and when the quote is attributed to: ``persons`` are the ids the name may mean."""

    speaker: str | None = None
    persons: tuple[str, ...] = ()
    date: dt.date | None = None

    def speaker_fits(self, meta: dict[str, Any]) -> bool:
        if self.speaker is None:
            return True
        if self.persons:
            return meta.get("person_id") in self.persons
        said = set(name_words(str(meta.get("speaker") or "")))
        return bool(said) and set(name_words(self.speaker)) <= said

    def date_fits(self, meta: dict[str, Any]) -> bool:
        return self.date is None or meta.get("date") == self.date.isoformat()


def _claim(archive: Archive, speaker: str | None, date: dt.date | None) -> Claim:
    if speaker is None or not speaker.strip():
        return Claim(None, (), date)
    people = archive_people(archive.index_path, ix.read_seq(archive.index_path), archive.persons)
    return Claim(speaker.strip(), tuple(pid for pid, _ in people.find(speaker)), date)


def check_quote(
    archive: Archive,
    quote: str,
    *,
    speaker: str | None = None,
    date: dt.date | None = None,
    limit: int = 5,
) -> CheckResult:
    """Where and by whom ``quote`` was said, and how it differs (see the module docstring)."""
    opened = engine.reader(archive.index_path)
    searcher = opened.index.searcher()
    # The semantic model reads any script, so only an archive without it refuses one.
    held = {s for lang, s in scripts().items() if searcher.doc_freq("lang", lang)}
    text = checked(quote, None if available(archive) else held or None)
    quoted = words(text)
    pieces = segments(quoted)
    units = [u for piece in pieces for u in sentences(piece)]
    if len(units) > MAX_PARTS or [u.spans for u in units] == [p.spans for p in pieces]:
        units = pieces  # one sentence a piece (aligned once), or too many to be stitched
    claim = _claim(archive, speaker, date)
    schema = opened.schema
    rare = cs.rare_words(searcher, quoted)
    found: list[cs.Candidate] = []
    for query, size in (
        (cs.phrase_query(schema, [*pieces, *units] if len(units) > 1 else pieces), cs.VERBATIM),
        (cs.window_query(schema, pieces, rare), cs.VERBATIM),
        (cs.word_query(schema, rare), cs.LIMIT),
    ):
        if query is None:
            continue
        found += cs.fetch(searcher, query, size)
        if claim.persons:
            found += cs.fetch(searcher, cs.restricted(schema, query, persons=claim.persons), 2)
        if claim.date is not None:
            found += cs.fetch(searcher, cs.restricted(schema, query, date=claim.date), 2)
    unique = list({c.key: c for c in found}.values())
    scored = sorted(
        (score(c, pieces, units) for c in unique), key=lambda s: (-s.score, -s.candidate.rank)
    )
    run = _Run(archive, Events(archive), claim, thresholds(), text, max(limit, 1))
    passage = run.passage(scored)
    stitched = run.stitched(scored, units) if len(units) > 1 else None
    if stitched is not None and (passage is None or stitched.score > passage.score):
        return stitched
    return passage or run.paraphrase() or run.not_found(scored)


@dataclass(frozen=True, slots=True)
class _Run:
    archive: Archive
    events: Events
    claim: Claim
    limits: Thresholds
    quote: str
    limit: int

    def result(
        self, verdict: Verdict, value: float, matches: Sequence[Match], *notes: str
    ) -> CheckResult:
        claim = self.claim
        when = claim.date.isoformat() if claim.date else None
        shown = tuple(matches[: max(self.limit, len(matches) if verdict == "stitched" else 0)])
        return CheckResult(self.quote, verdict, value, shown, claim.speaker, when, notes)

    def passage(self, scored: list[Scored]) -> CheckResult | None:
        """exact, close, translation, other_speaker or other_date: one passage holds the quote."""
        limits = self.limits
        whole = [
            s
            for s in scored
            if s.whole is not None
            and s.score >= limits.close
            and s.whole.content >= limits.close_content
        ]
        if not whole:
            return None
        same = [s for s in whole if s.score >= whole[0].score - self.limits.same_words]
        claim = self.claim
        fits = [s for s in same if claim.speaker_fits(s.candidate.meta)]
        verdict: Verdict
        if not fits:
            best, verdict = same[0], "other_speaker"
        elif not any(claim.date_fits(s.candidate.meta) for s in fits):
            best, verdict = fits[0], "other_date"
        else:
            best = next(s for s in fits if claim.date_fits(s.candidate.meta))
            part = best.whole
            exact = part is not None and best.score == 1.0 and not part.differences
            verdict = "exact" if exact else "close"
        ordered = [best, *(s for s in whole if s is not best)]
        matches = [match(self.events, s.candidate, s.whole, s.score) for s in ordered[: self.limit]]
        if verdict in ("exact", "close"):
            pair = self.translation(matches[0], best.candidate.text)
            if pair is not None:
                return self.result("translation", best.score, [*pair, *matches[1:]])
        return self.result(verdict, best.score, matches)

    def translation(self, found: Match, text: str) -> list[Match] | None:
        """The passage and its original, when the passage is the translated side of a pair."""
        other = counterpart(self.events, found, text)
        first = original_language(found.source)
        if other is None or first is None or found.language == first or other.language != first:
            return None
        return [replace(found, original=False), replace(other, original=True)]

    def stitched(self, scored: list[Scored], units: list[Words]) -> CheckResult | None:
        """Each sentence of the quote found in one event, though not as one passage."""
        by_event: dict[int, list[Scored]] = {}
        for s in scored:
            by_event.setdefault(int(s.candidate.meta["event_id"]), []).append(s)
        best: tuple[float, list[tuple[Scored, Part]]] | None = None
        for group in by_event.values():
            chosen = [_best_unit(group, n) for n in range(len(units))]
            if any(c is None or c[1].score < self.limits.stitched_part for c in chosen):
                continue
            picked = [c for c in chosen if c is not None]
            if all(_adjacent(a, b) for a, b in itertools.pairwise(picked)):
                continue  # one passage after all: the whole-quote alignment judges it
            same = sum(p.same for _, p in picked)
            value = dice(same, sum(map(len, units)), sum(p.passage_words for _, p in picked))
            if best is None or value > best[0]:
                best = (value, picked)
        if best is None:
            return None
        matches = [
            match(self.events, s.candidate, p, p.score, number=n)
            for n, (s, p) in enumerate(best[1], 1)
        ]
        return self.result("stitched", best[0], matches)

    def paraphrase(self) -> CheckResult | None:
        hits = neighbours(self.archive, self.quote, self.limit)
        if not hits or hits[0].score < self.limits.paraphrase:
            return None
        matches = []
        for hit in hits:
            try:
                ref = self.archive.speech(hit.speech_id)
            except NotFound:
                continue
            found = stored_speech(
                self.events, ref.event_id, ref.position, hit.score, (hit.start, hit.end)
            )
            if found is not None:
                matches.append(found)
        return self.result("paraphrase", hits[0].score, matches) if matches else None

    def not_found(self, scored: list[Scored]) -> CheckResult:
        """The nearest passages the index holds, each as it is: never one made up."""
        shown = [s for s in scored if s.score >= self.limits.nearest][: self.limit]
        matches = [match(self.events, s.candidate, s.whole or s.best_piece, s.score) for s in shown]
        notes = () if available(self.archive) else (NO_VECTORS,)
        return self.result("not_found", shown[0].score if shown else 0.0, matches, *notes)


def _adjacent(a: tuple[Scored, Part], b: tuple[Scored, Part]) -> bool:
    """Does part ``b`` follow part ``a`` in the same speech with at most ``MAX_GAP`` words
    between?"""
    if a[0] is not b[0] or b[1].start < a[1].end:
        return False
    starts = [start for start, _ in a[0].speech.spans]
    between = bisect_left(starts, b[1].start) - bisect_left(starts, a[1].end)
    return between <= MAX_GAP


def _best_unit(group: list[Scored], n: int) -> tuple[Scored, Part] | None:
    held = [(s, part) for s in group if (part := s.units[n]) is not None]
    return max(held, key=lambda item: item[1].score, default=None)
