"""The quote check's evaluation set (bench/checkset.py): seeded, complete, and true.

The archive is a few real fixture pages (kremlin-html, pm-au and the translated pair) stored the
normal way; two pages are kept out of it as the "never said" sentences. Every truth is checked
against the stored texts themselves, not against what the generator says it did.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import checkset
from checkset import Case, Corpus, Generator, Paraphrase, normalize
from stenogram.archive import Archive
from stenogram.ingest import ingest
from stenogram.parse import parse_bytes
from stenogram.settings import Settings

KEPT_OUT = ("en-60847.html", "en-62145.html")
SIZES = {
    "verbatim": 20,
    "truncated": 10,
    "dropped": 10,
    "added": 10,
    "synonym": 10,
    "ellipsis": 10,
    "stitched": 10,
    "other_speaker": 10,
    "other_date": 10,
    "never_mixed": 10,
    "never_unseen": 10,
    "translation": 5,
    "original": 5,
    "paraphrase": 2,
}


@pytest.fixture(scope="module")
def corpus(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    pages = [p for p in (fixtures_dir / "kremlin-html").glob("en-*.html") if p.name not in KEPT_OUT]
    paths = [*pages, fixtures_dir / "pm-au", *(fixtures_dir / "translations").glob("*.html")]
    archive = tmp_path_factory.mktemp("checkset") / "archive"
    ingest(paths, Settings(archive=archive))
    with Archive.open(archive, create=False) as opened:
        yield Corpus(checkset.speeches_of(opened.index_rows()))


@pytest.fixture(scope="module")
def unseen(fixtures_dir: Path) -> list[str]:
    docs = [parse_bytes((fixtures_dir / "kremlin-html" / name).read_bytes()) for name in KEPT_OUT]
    return [s.text for doc in docs for s in doc.speeches]


@pytest.fixture(scope="module")
def counterparts(corpus: Corpus) -> dict[int, int]:
    """The pair's English speeches -> their Russian originals, in order (they align 1:1)."""
    en = [s for s in corpus.speeches if s.source == "en.kremlin.ru" and s.source_id == "51307"]
    ru = [s for s in corpus.speeches if s.source == "kremlin.ru" and s.source_id == "51307"]
    assert len(en) == len(ru) == 9
    return {e.speech_id: r.speech_id for e, r in zip(en, ru, strict=True)}


def generator(
    corpus: Corpus, unseen: list[str], counterparts: dict[int, int], seed: int
) -> Generator:
    added, synonyms = checkset.load_edits()
    speech = next(s for s in corpus.speeches if s.source == "pmtranscripts.pmc.gov.au")
    a, b = checkset.sentences(speech.text)[0]
    paraphrases = [
        Paraphrase(
            speech.source,
            speech.source_id or "",
            speech.position or 0,
            speech.text[a:b],
            "In other words, what was said there.",
        ),
        Paraphrase("nowhere", "1", 1, "A passage of a page that is not stored.", "Not stored."),
    ]
    return Generator(corpus, seed, unseen, counterparts, paraphrases, added, synonyms)


@pytest.fixture(scope="module")
def cases(corpus: Corpus, unseen: list[str], counterparts: dict[int, int]) -> list[Case]:
    return generator(corpus, unseen, counterparts, 7).cases(SIZES)


def by_kind(cases: list[Case], kind: str) -> list[Case]:
    return [c for c in cases if c.kind == kind]


def words(text: str) -> list[str]:
    return normalize(text).split()


def is_subsequence(short: list[str], long: list[str]) -> bool:
    rest = iter(long)
    return all(word in rest for word in short)


def passage(corpus: Corpus, case: Case, n: int = 0) -> str:
    speech_id, a, b = case.passages[n]
    return corpus.by_id[speech_id].text[a:b]


def said_in(corpus: Corpus, quote: str, speech_id: int) -> bool:
    return f" {normalize(quote)} " in f" {normalize(corpus.by_id[speech_id].text)} "


def said_anywhere(corpus: Corpus, quote: str) -> bool:
    return any(said_in(corpus, quote, s.speech_id) for s in corpus.speeches)


def test_a_seed_gives_the_same_set(
    corpus: Corpus, unseen: list[str], counterparts: dict[int, int], cases: list[Case]
) -> None:
    again = generator(corpus, unseen, counterparts, 7).cases(SIZES)
    other = generator(corpus, unseen, counterparts, 8).cases(SIZES)
    assert again == cases
    assert [c.quote for c in other] != [c.quote for c in cases]


def test_every_class_in_the_numbers_asked(cases: list[Case]) -> None:
    counts = Counter(c.kind for c in cases)
    assert counts == {**SIZES, "paraphrase": 1}  # the paraphrase of a page not stored is left out
    assert len({c.id for c in cases}) == len(cases)
    assert {c.verdict for c in cases} == set(checkset.VERDICT.values())


def test_the_benchmark_set_is_big_enough() -> None:
    assert sum(checkset.SIZES.values()) >= 2000
    assert set(checkset.SIZES) == set(checkset.VERDICT)


def test_verbatim_quotes_are_said_where_their_truth_says(corpus: Corpus, cases: list[Case]) -> None:
    for kind in ("verbatim", "truncated", "other_speaker", "other_date", "original"):
        for case in by_kind(cases, kind):
            assert passage(corpus, case) == case.quote
            said = {
                s.speech_id for s in corpus.speeches if said_in(corpus, case.quote, s.speech_id)
            }
            assert said <= set(case.speech_ids) and said
    for case in by_kind(cases, "verbatim") + by_kind(cases, "other_speaker"):
        assert case.quote.rstrip("\"'”’») ")[-1] in ".!?"  # whole sentences, not fragments
    for case in by_kind(cases, "truncated"):
        speech_id, a, b = case.passages[0]
        whole = next(
            s for s in checkset.sentences(corpus.by_id[speech_id].text) if s[0] <= a and b <= s[1]
        )
        assert len(words(corpus.by_id[speech_id].text[whole[0] : whole[1]])) > len(
            words(case.quote)
        )


def test_dropped_and_added_words_are_the_stated_ones(corpus: Corpus, cases: list[Case]) -> None:
    for case in by_kind(cases, "dropped"):
        source, quote = words(passage(corpus, case)), words(case.quote)
        assert is_subsequence(quote, source)
        assert Counter(source) - Counter(quote) == Counter(w.lower() for _, w in case.edits)
        assert not said_anywhere(corpus, case.quote)
    for case in by_kind(cases, "added"):
        source, quote = words(passage(corpus, case)), words(case.quote)
        assert is_subsequence(source, quote)
        assert Counter(quote) - Counter(source) == Counter(w for _, w in case.edits)
        assert not said_anywhere(corpus, case.quote)


def test_synonyms_swap_the_stated_words_only(corpus: Corpus, cases: list[Case]) -> None:
    _, table = checkset.load_edits()
    for case in by_kind(cases, "synonym"):
        source, quote = Counter(words(passage(corpus, case))), Counter(words(case.quote))
        swaps = [edit.split(" -> ") for _, edit in case.edits]
        assert all(new.lower() in table[old.lower()] for old, new in swaps)
        assert source - quote == Counter(old.lower() for old, _ in swaps)
        assert quote - source == Counter(w for _, new in swaps for w in words(new))
        assert not said_anywhere(corpus, case.quote)


def test_an_ellipsis_skips_the_stated_words(corpus: Corpus, cases: list[Case]) -> None:
    for case in by_kind(cases, "ellipsis"):
        mark = "…" if "…" in case.quote else "..."
        head, tail = case.quote.split(mark)
        ((_, skipped),) = case.edits
        assert words(passage(corpus, case)) == words(head) + words(skipped) + words(tail)
        assert words(head) and words(tail)


def test_stitched_quotes_join_two_distant_sentences_of_one_speech(
    corpus: Corpus, cases: list[Case]
) -> None:
    for case in by_kind(cases, "stitched"):
        (one, a1, b1), (two, a2, b2) = case.passages
        assert one == two and b1 < a2
        text = corpus.by_id[one].text
        assert case.quote == f"{text[a1:b1]} {text[a2:b2]}"
        assert len(checkset.sentences(text[b1:a2])) >= 2
        assert not said_anywhere(corpus, case.quote)
        assert one in case.speech_ids


def test_misattributions_name_someone_or_some_day_that_did_not_say_it(
    corpus: Corpus, cases: list[Case]
) -> None:
    for case in by_kind(cases, "other_speaker"):
        assert case.speaker and case.date is None
        assert all(corpus.by_id[i].speaker != case.speaker for i in case.speech_ids)
    for case in by_kind(cases, "other_date"):
        assert case.date and case.speaker is None
        assert all(corpus.by_id[i].date != case.date for i in case.speech_ids)


def test_never_said_quotes_are_in_no_speech(
    corpus: Corpus, cases: list[Case], unseen: list[str]
) -> None:
    for case in by_kind(cases, "never_mixed") + by_kind(cases, "never_unseen"):
        assert not said_anywhere(corpus, case.quote)
        assert case.speech_ids == () and case.verdict == "not_found"
    for case in by_kind(cases, "never_unseen"):
        assert any(case.quote in text for text in unseen)
    for case in by_kind(cases, "never_mixed"):
        # Half of a sentence of one event, half of another's: neither dominates.
        said = words(case.quote)
        half = len(said) // 2
        assert len(said) == 2 * half
        assert corpus.occurrences(" ".join(said[:half]))
        assert corpus.occurrences(" ".join(said[half:]))


def test_translations_hold_both_sides(
    corpus: Corpus, cases: list[Case], counterparts: dict[int, int]
) -> None:
    for case in by_kind(cases, "translation"):
        ((speech_id, _, _),) = case.passages
        assert corpus.by_id[speech_id].language == "en"
        assert counterparts[speech_id] in case.speech_ids
        assert len(case.speech_ids) == 2  # said in the pair only
    for case in by_kind(cases, "original"):
        ((speech_id, _, _),) = case.passages
        assert corpus.by_id[speech_id].language == "ru"
        assert speech_id in case.speech_ids and len(case.speech_ids) == 2


def test_cases_survive_json(cases: list[Case]) -> None:
    assert [Case.from_json(c.to_json()) for c in cases] == cases


def test_the_hand_written_paraphrases_are_many_and_reworded() -> None:
    found = checkset.load_paraphrases()
    assert len(found) >= 100
    assert len({p.passage for p in found}) == len(found)
    for p in found:
        source, own = set(words(p.passage)), set(words(p.paraphrase))
        assert p.paraphrase and len(own & source) / len(own) < 0.7, p.paraphrase


@pytest.mark.corpus
def test_each_paraphrased_passage_is_said_once_in_its_speech(corpus_archive: Path) -> None:
    with Archive.open(corpus_archive, create=False) as archive:
        real = Corpus(checkset.speeches_of(archive.index_rows()))
    keys = {(s.source, s.source_id, s.position): s for s in real.speeches}
    for p in checkset.load_paraphrases():
        speech = keys[(p.source, p.source_id, p.position)]
        assert p.passage in speech.text
        assert real.occurrences(p.passage) == [speech.speech_id]
        assert not real.occurrences(p.paraphrase)
