"""The quote check (issue 13) on its evaluation set: verdicts, passages, latency; calibration.

The archive is the development corpus (../shared/corpus) with the hand-built Russian side of
the one translated pair of the tests' fixtures, less one page in :data:`HOLDOUT` (by a hash of
the page's name): the sentences of those pages are the "never said" quotes that sound real.
It is built once into ``--work`` and reused. The set (``checkset.py``) is drawn from it with
``--seed`` and cached beside it; every case runs through ``stenogram.check.check_quote``.

Printed: precision and recall per verdict, top-1 / top-5 passage accuracy per class (a case's
passage is found when the match's speech is one of the speeches that hold it), the false
"exact"/"close" rate on never-said quotes, p50/p95 latency, each beside the issue's target.

``--calibrate`` splits the set in two by case (seeded): the thresholds are chosen on the first
half, written to src/stenogram/check/data/thresholds.toml, and the figures printed are those of
the other half under the new thresholds. ``--documents N`` times the check on an archive of N
synthetic speeches (bench/synth.py) instead.

    .venv/bin/python bench/check.py [--seed 1] [--work /tmp/stenogram-check] [--calibrate]
    .venv/bin/python bench/check.py --documents 1000000 --runs 200
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import checkset
from checkset import Case, Corpus, Generator
from stenogram.archive import Archive
from stenogram.check import check_quote, vectors
from stenogram.check import run as check_run
from stenogram.check.text import original_language
from stenogram.check.thresholds import Thresholds, thresholds
from stenogram.errors import StenogramError
from stenogram.ingest import ingest_documents
from stenogram.settings import Settings
from stenogram.sources import parse_raw
from stenogram.sources.files import RawDocument, iter_documents

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
CORPUS: Final = ROOT.parent / "shared" / "corpus"
INPUTS: Final = ("kremlin-en-2000-2020.tar.xz", "kremlin-ru-2025.csv", "pm-transcripts-au.tar.xz")
#: The Russian side of the only translated pair we have (tests/fixtures/translations/README.md).
PAIRED: Final = ROOT / "tests" / "fixtures" / "translations" / "ru-51307.html"
THRESHOLDS: Final = ROOT / "src" / "stenogram" / "check" / "data" / "thresholds.toml"
#: One page in this many is kept out of the archive (chosen by a hash of its name).
HOLDOUT: Final = 50
MAX_BYTES: Final = 50_000_000

#: Top-1 passage accuracy the issue asks for, per class; and the other targets.
TARGET_TOP1: Final = {
    "verbatim": 0.99,
    "truncated": 0.99,
    "dropped": 0.99,
    "added": 0.99,
    "synonym": 0.99,
    "ellipsis": 0.99,
    "stitched": 0.90,
    "other_speaker": 0.90,
    "other_date": 0.90,
    "paraphrase": 0.80,
}
TARGET_FALSE_FOUND: Final = 0.01
TARGET_P95_MS: Final = 300.0
TARGET_P95_SYNTH_MS: Final = 1000.0
#: Never-said quotes that the check must not call exact or close.
NEVER: Final = ("never_mixed", "never_unseen")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the check answered for one case, and how long it took."""

    case: Case
    verdict: str
    score: float
    speech_ids: tuple[int | None, ...]
    seconds: float

    @property
    def top1(self) -> bool:
        return bool(self.speech_ids) and self.speech_ids[0] in self.case.speech_ids

    @property
    def top5(self) -> bool:
        return any(i in self.case.speech_ids for i in self.speech_ids[:5])

    @property
    def right(self) -> bool:
        """The verdict, and for a quote that was said, the passage too."""
        return self.verdict == self.case.verdict and (not self.case.speech_ids or self.top1)


# -- the archive and the set --------------------------------------------------------------------


def held_out(name: str) -> bool:
    member = name.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    return zlib.crc32(member.encode()) % HOLDOUT == 0


def build(work: Path, corpus: Path) -> Path:
    """The bench's archive in ``work`` (built once) and the texts of the pages kept out."""
    archive, unseen, done = work / "archive", work / "unseen.jsonl", work / "built"
    if done.exists():
        return archive
    work.mkdir(parents=True, exist_ok=True)
    kept_out: list[str] = []

    def documents() -> Iterator[RawDocument | StenogramError]:
        paths = [corpus / name for name in INPUTS] + [PAIRED]
        for raw in iter_documents(paths, max_bytes=MAX_BYTES):
            if isinstance(raw, RawDocument) and held_out(raw.name):
                try:
                    doc = parse_raw(raw, "auto", MAX_BYTES)
                except StenogramError:
                    continue
                kept_out.extend(s.text for s in doc.speeches if doc.language == "en")
                continue
            yield raw

    started = time.perf_counter()
    summary = ingest_documents(documents(), Settings(archive=archive))
    print(
        f"archive: {summary.new} pages ingested, {summary.failed} failed, "
        f"{len(kept_out)} speeches of held-out pages, {time.perf_counter() - started:.0f} s"
    )
    unseen.write_text("".join(json.dumps(t) + "\n" for t in kept_out), encoding="utf-8")
    done.touch()
    return archive


def counterparts(archive: Archive) -> dict[int, int]:
    """Of each stored translated pair of speeches: the translated one's id -> the original's."""
    pairs: dict[int, int] = {}
    after = 0
    while batch := archive.events_after(after):
        for event in batch:
            doc = event.document
            if doc.language == original_language(doc.source):
                continue
            for speech_id, other in zip(event.speech_ids, event.counterparts, strict=True):
                if other is not None and other.language == original_language(other.source):
                    pairs[speech_id] = other.speech_id
        after = batch[-1].event_id
    return pairs


def cases(archive: Archive, work: Path, seed: int) -> list[Case]:
    """The evaluation set, cached in ``work`` under a hash of the generator and its data."""
    made = hashlib.sha256()
    for path in (HERE / "checkset.py", checkset.EDITS, checkset.PARAPHRASES):
        made.update(path.read_bytes())
    cache = work / f"cases-{seed}-{made.hexdigest()[:12]}.jsonl"
    if cache.exists():
        with cache.open(encoding="utf-8") as handle:
            return [Case.from_json(json.loads(line)) for line in handle]
    started = time.perf_counter()
    corpus = Corpus(checkset.speeches_of(archive.index_rows()))
    added, synonyms = checkset.load_edits()
    unseen = [json.loads(line) for line in (work / "unseen.jsonl").read_text().splitlines()]
    generator = Generator(
        corpus, seed, unseen, counterparts(archive), checkset.load_paraphrases(), added, synonyms
    )
    drawn = generator.cases()
    cache.write_text("".join(json.dumps(c.to_json()) + "\n" for c in drawn), encoding="utf-8")
    print(f"set: {len(drawn)} cases drawn in {time.perf_counter() - started:.0f} s -> {cache}")
    return drawn


# -- running and scoring ------------------------------------------------------------------------


def evaluate(archive: Archive, drawn: Sequence[Case], every: int = 200) -> list[Outcome]:
    out: list[Outcome] = []
    check_quote(archive, "warm up the index and the vectors")
    for n, case in enumerate(drawn, 1):
        started = time.perf_counter()
        try:
            result = check_quote(archive, case.quote, speaker=case.speaker, date=case.date)
            verdict, score = result.verdict, result.score
            ids = tuple(m.speech_id for m in result.matches)
        except StenogramError as exc:
            verdict, score, ids = f"error: {exc}", 0.0, ()
        out.append(Outcome(case, verdict, score, ids, time.perf_counter() - started))
        if n % every == 0:
            print(f"  {n}/{len(drawn)} checked", file=sys.stderr)
    return out


def share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def report(outcomes: Sequence[Outcome], label: str, *, latency: bool = True) -> None:
    print(f"\n== {label}: {len(outcomes)} quotes ==")
    by_kind: dict[str, list[Outcome]] = {k: [] for k in checkset.SIZES}
    for o in outcomes:
        by_kind[o.case.kind].append(o)
    print(f"{'class':15} {'n':>5} {'verdict':>8} {'top-1':>7} {'top-5':>7} {'target':>7}  got")
    for kind, group in by_kind.items():
        if not group:
            continue
        said = [o for o in group if o.case.speech_ids]
        target = TARGET_TOP1.get(kind)
        got = Counter(o.verdict for o in group).most_common(3)
        agree = sum(o.verdict == o.case.verdict for o in group)
        print(
            f"{kind:15} {len(group):5} {share(agree, len(group))}"
            f"  {share(sum(o.top1 for o in said), len(said))}"
            f"  {share(sum(o.top5 for o in said), len(said))}"
            f"  {f'>={target:.0%}' if target else '':>6}  " + ", ".join(f"{v} {n}" for v, n in got)
        )
    print(f"\n{'verdict':15} {'precision':>9} {'recall':>7} {'truth':>6} {'said':>6}")
    verdicts = sorted({o.case.verdict for o in outcomes} | {o.verdict for o in outcomes})
    for verdict in verdicts:
        said = [o for o in outcomes if o.verdict == verdict]
        truth = [o for o in outcomes if o.case.verdict == verdict]
        print(
            f"{verdict[:15]:15} {share(sum(o.right for o in said), len(said)):>9} "
            f"{share(sum(o.right for o in truth), len(truth)):>7} {len(truth):6} {len(said):6}"
        )
    never = [o for o in outcomes if o.case.kind in NEVER]
    false = sum(o.verdict in ("exact", "close") for o in never)
    print(
        f"\nfalse exact/close on never-said quotes: {false}/{len(never)} = "
        f"{share(false, len(never)).strip()} (target <= {TARGET_FALSE_FOUND:.0%})"
    )
    ms = sorted(o.seconds * 1000 for o in outcomes)
    if latency and len(ms) >= 2:
        p95 = statistics.quantiles(ms, n=20)[-1]
        print(
            f"latency: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms "
            f"(target p95 <= {TARGET_P95_MS:.0f} ms), max {ms[-1]:.0f} ms"
        )


def failures(outcomes: Sequence[Outcome], path: Path) -> None:
    """Every wrong answer, one JSON line each, for whoever tunes the engine."""
    with path.open("w", encoding="utf-8") as handle:
        for o in outcomes:
            if not o.right:
                row = {
                    **o.case.to_json(),
                    "got": o.verdict,
                    "got_score": round(o.score, 4),
                    "got_ids": list(o.speech_ids),
                }
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"failures: {path}")


# -- paraphrases: a haystack with passage vectors ---------------------------------------------

#: Random speeches beside the paraphrased ones (and their neighbours) in the haystack.
DISTRACTORS: Final = 300


def haystack(archive: Archive, work: Path, drawn: Sequence[Case], seed: int) -> Path:
    """An archive with passage vectors holding the speeches the paraphrases rewrite, the turns
    on either side of each, and :data:`DISTRACTORS` random speeches: embedding the whole corpus
    takes hours on this machine (a transformer pass per passage), so paraphrases are looked for
    in this smaller set (built once; its build time and size are printed)."""
    path = work / f"haystack-{seed}"
    if (path / "built").exists():
        return path
    rng = random.Random(f"{seed}:haystack")
    wanted: dict[int, set[int]] = defaultdict(set)  # event id -> positions (1-based)
    for case in drawn:
        for speech_id, _, _ in case.passages:
            ref = archive.speech(speech_id)
            wanted[ref.event_id] |= {ref.position - 1, ref.position, ref.position + 1}
    rows = [r for r in archive.index_rows() if r.kind == "speech" and r.language == "en"]
    for row in rng.sample(rows, DISTRACTORS):
        wanted[row.event_id].add(row.position or 1)
    docs = []
    for event_id, positions in sorted(wanted.items()):
        doc = archive.event(event_id).document
        kept = tuple(s for n, s in enumerate(doc.speeches, 1) if n in positions)
        docs.append(replace(doc, speeches=kept, narrative=()))
    started = time.perf_counter()
    ingest_documents(docs, Settings(archive=path, vectors=True))
    seconds = time.perf_counter() - started
    with Archive.open(path, create=False) as opened:
        found = vectors.info(opened)
        size = sum(f.stat().st_size for f in vectors.vectors_path(opened.index_path).rglob("*"))
    count = found.passages if found else 0
    print(
        f"haystack: {sum(len(d.speeches) for d in docs)} speeches, {count} passage vectors "
        f"built in {seconds:.0f} s ({count / seconds:.1f} passages/s, ingest and index "
        f"included), {size / 1e6:.1f} MB on disk ({size / max(count, 1):.0f} B per passage)"
    )
    (path / "built").touch()
    return path


def passage_texts(archive: Archive, case: Case) -> list[str]:
    """The stored words each passage of ``case`` was made from."""
    texts = []
    for speech_id, a, b in case.passages:
        ref = archive.speech(speech_id)
        row = next(r for r in archive.index_rows_of([ref.event_id]) if r.speech_id == speech_id)
        texts.append(row.text[a:b])
    return texts


def moved(archive: Archive, cases: Sequence[Case], haystack: Path) -> list[Case]:
    """The cases with their truth in the haystack's speech ids (found again by their words)."""
    with Archive.open(haystack, create=False) as opened:
        corpus = Corpus(checkset.speeches_of(opened.index_rows()))
    out = []
    for case in cases:
        ids = {i for text in passage_texts(archive, case) for i in corpus.occurrences(text)}
        out.append(replace(case, speech_ids=tuple(sorted(ids))))
    return out


# -- calibration --------------------------------------------------------------------------------


@contextmanager
def using(limits: Thresholds) -> Iterator[None]:
    """Run the check with these thresholds instead of the file's."""
    saved = check_run.thresholds
    check_run.thresholds = lambda: limits  # type: ignore[assignment]
    try:
        yield
    finally:
        check_run.thresholds = saved


def split(drawn: Sequence[Case], seed: int) -> tuple[list[Case], list[Case]]:
    """Two halves, each class cut in two (so a small class is in both)."""
    rng = random.Random(f"{seed}:split")
    first: list[Case] = []
    second: list[Case] = []
    by_kind: dict[str, list[Case]] = defaultdict(list)
    for case in drawn:
        by_kind[case.kind].append(case)
    for group in by_kind.values():
        shuffled = rng.sample(group, len(group))
        first += shuffled[: len(group) // 2]
        second += shuffled[len(group) // 2 :]
    return first, second


def best_cut(
    positives: Iterable[float], negatives: Iterable[float], max_false: float
) -> float | None:
    """The lowest threshold that lets through at most ``max_false`` of the negatives (and so
    the most positives), halfway to the next score so as not to sit on a case."""
    neg = sorted(negatives, reverse=True)
    allowed = int(max_false * len(neg))
    floor = neg[allowed] if allowed < len(neg) else 0.0
    above = sorted(p for p in positives if p > floor)
    if not above:
        return None
    return round((floor + above[0]) / 2, 4)


def scores(
    archive: Archive, drawn: Sequence[Case], limits: Thresholds, kinds: set[str], verdict: str
) -> tuple[list[float], list[float]]:
    """Scores of ``verdict`` on the cases of ``kinds`` that got it at the right passage, and on
    the never-said cases (0 for those that did not get it)."""
    subset = [c for c in drawn if c.kind in kinds or c.kind in NEVER]
    with using(limits):
        outcomes = evaluate(archive, subset)
    pos = [o.score for o in outcomes if o.case.kind in kinds and o.verdict == verdict and o.top1]
    neg = [o.score if o.verdict == verdict else 0.0 for o in outcomes if o.case.kind in NEVER]
    return pos, neg


def calibrate_passages(archive: Archive, drawn: Sequence[Case]) -> Thresholds:
    """``close`` from edited quotes against never-said ones, allowing half the target's false
    "close"; then ``stitched_part`` the same way with ``close`` set. Each threshold is chosen
    with the one being chosen wide open and paraphrases off (they come after both)."""
    base = thresholds()
    edited = {"dropped", "added", "synonym", "ellipsis"}
    margin = TARGET_FALSE_FOUND / 2
    wide = replace(base, close=0.3, paraphrase=1.01)
    pos, neg = scores(archive, drawn, wide, edited, "close")
    close = best_cut(pos, neg, margin) or base.close
    print(f"calibrated close = {close} (was {base.close}) on {len(pos)} close, {len(neg)} never")
    limits = replace(base, close=close)
    wide = replace(limits, stitched_part=0.3, paraphrase=1.01)
    pos, neg = scores(archive, drawn, wide, {"stitched"}, "stitched")
    stitched = best_cut(pos, neg, margin) or base.stitched_part
    print(f"calibrated stitched_part = {stitched} (was {base.stitched_part})")
    return replace(limits, stitched_part=stitched)


def calibrate_paraphrase(
    haystack: Archive, drawn: Sequence[Case], limits: Thresholds
) -> Thresholds:
    """``paraphrase`` from the paraphrases against never-said quotes, in the haystack (the
    only archive with vectors); false paraphrases allowed up to the target's rate."""
    pos, neg = scores(
        haystack, drawn, replace(limits, paraphrase=0.0), {"paraphrase"}, "paraphrase"
    )
    para = best_cut(pos, neg, TARGET_FALSE_FOUND) or limits.paraphrase
    print(f"calibrated paraphrase = {para} (was {limits.paraphrase}) on {len(pos)} found")
    return replace(limits, paraphrase=para)


def write_thresholds(limits: Thresholds, seed: int) -> None:
    """Rewrite the values in the thresholds file, keeping its comments."""
    text = THRESHOLDS.read_text(encoding="utf-8")
    for name in ("close", "stitched_part", "paraphrase"):
        text = re.sub(rf"(?m)^{name} = .*$", f"{name} = {getattr(limits, name)}", text)
    THRESHOLDS.write_text(text, encoding="utf-8")
    print(f"wrote {THRESHOLDS.relative_to(ROOT)} (bench/check.py --calibrate --seed {seed})")


# -- synthetic archives -------------------------------------------------------------------------


def synthetic(speeches: int, seed: int, work: Path, runs: int) -> None:
    """Latency of the check on an archive of ``speeches`` synthetic speeches (built once into
    ``work``): sentences of its texts, verbatim or with a tenth of their words dropped."""
    from synth import Generator as Synth
    from synth import load_model

    archive_path = work / f"synth-{speeches}-{seed}"
    if not (archive_path / "built").exists():
        started = time.perf_counter()
        ingest_documents(
            Synth(load_model(), seed).documents(speeches), Settings(archive=archive_path)
        )
        (archive_path / "built").touch()
        print(f"synthetic archive: {speeches} speeches in {time.perf_counter() - started:.0f} s")
    rng = random.Random(f"{seed}:synthetic")
    with Archive.open(archive_path, create=False) as archive:
        corpus = Corpus(
            s
            for s in checkset.speeches_of(archive.index_rows())
            if rng.random() < max(runs * 20 / speeches, 0.001)
        )
        quotes: list[str] = []
        for speech in rng.sample(corpus.speeches, min(runs, len(corpus.speeches))):
            spans = checkset.sentences(speech.text)
            a, b = rng.choice(spans)
            words = speech.text[a:b].split()
            quotes.append(
                " ".join(words[:25])
                if rng.random() < 0.5
                else " ".join(w for w in words[:25] if rng.random() > 0.1)
            )
        with suppress(StenogramError):
            check_quote(archive, quotes[0])  # open the index and its caches
        ms = []
        for quote in quotes:
            started = time.perf_counter()
            try:
                check_quote(archive, quote)
            except StenogramError:  # word salad of stop words only: refused, not timed
                continue
            ms.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(ms, n=20)[-1]
    print(
        f"synthetic {speeches} speeches: {len(ms)} checks, p50 {statistics.median(ms):.0f} ms, "
        f"p95 {p95:.0f} ms (target <= {TARGET_P95_SYNTH_MS:.0f} ms)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/stenogram-check"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--sample", type=int, default=0, help="check only N cases (quick look)")
    parser.add_argument("--no-vectors", action="store_true", help="skip the paraphrase haystack")
    parser.add_argument("--documents", type=int, default=0, help="N synthetic speeches instead")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    if args.documents:
        synthetic(args.documents, args.seed, args.work, args.runs)
        return
    archive_path = build(args.work, args.corpus)
    with Archive.open(archive_path, create=False) as archive:
        drawn = cases(archive, args.work, args.seed)
        print(
            f"set: {len(drawn)} cases, "
            + ", ".join(f"{k} {n}" for k, n in Counter(c.kind for c in drawn).items())
        )
        if args.sample:
            drawn = random.Random(args.seed).sample(drawn, min(args.sample, len(drawn)))
        main_set = [c for c in drawn if c.kind != "paraphrase"]
        para_set = [c for c in drawn if c.kind == "paraphrase" or c.kind in NEVER]
        hay = None
        if not args.no_vectors:
            hay = haystack(
                archive, args.work, [c for c in drawn if c.kind == "paraphrase"], args.seed
            )
            para_set = moved(archive, para_set, hay)
        limits = thresholds()
        if args.calibrate:
            main_set, main_held = split(main_set, args.seed)
            para_set, para_held = split(para_set, args.seed)
            limits = calibrate_passages(archive, main_set)
            if hay is not None:
                with Archive.open(hay, create=False) as opened:
                    limits = calibrate_paraphrase(opened, para_set, limits)
            write_thresholds(limits, args.seed)
            main_set, para_set = main_held, para_held
        label = "held-out half, calibrated thresholds" if args.calibrate else "whole set"
        with using(limits):
            outcomes = evaluate(archive, main_set)
            report(outcomes, f"development corpus, {label}")
            if hay is not None:
                with Archive.open(hay, create=False) as opened:
                    para = evaluate(opened, para_set)
                report(para, f"paraphrase haystack (vectors), {label}", latency=False)
                outcomes += para
        failures(outcomes, args.work / f"failures-{args.seed}.jsonl")


if __name__ == "__main__":
    main()
