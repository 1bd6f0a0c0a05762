"""The quote check over the whole development corpus: quotes made from randomly chosen real
speeches (seeded), each with its truth, found at the top (bench/check.py measures the same at
scale; this keeps the common cases from regressing)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from stenogram.archive import Archive, StoredEvent
from stenogram.check import check_quote
from stenogram.ingest import open_archive
from stenogram.settings import Settings

WORD = re.compile(r"[^\W_]+")
QUOTES = 40


def words(text: str) -> list[str]:
    return [w.casefold().replace("ё", "е") for w in WORD.findall(text)]


@pytest.fixture(scope="module")
def archive(corpus_archive: Path) -> Iterator[Archive]:
    with open_archive(Settings(archive=corpus_archive)) as opened:
        yield opened


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if 12 <= len(WORD.findall(s)) <= 60]


@pytest.fixture(scope="module")
def passages(archive: Archive) -> list[tuple[int, list[str]]]:
    """(speech id, four consecutive long sentences) of randomly chosen speeches."""
    rng = random.Random(13)
    last = archive.counts()["events"]
    found: list[tuple[int, list[str]]] = []
    while len(found) < QUOTES:
        for stored in archive.events_after(rng.randrange(last), 1):
            _take(stored, rng, found)
    return found


def _take(stored: StoredEvent, rng: random.Random, found: list[tuple[int, list[str]]]) -> None:
    """Four sentences of the event's first speech that has them."""
    for speech_id, speech in zip(stored.speech_ids, stored.document.speeches, strict=True):
        said = _sentences(speech.text)
        if len(said) >= 4:
            start = rng.randrange(len(said) - 3)
            found.append((speech_id, said[start : start + 4]))
            return


def test_verbatim_sentences_are_exact_at_the_top(
    archive: Archive, passages: list[tuple[int, list[str]]]
) -> None:
    for _, said in passages:
        result = check_quote(archive, said[0])
        assert result.verdict == "exact", said[0]
        assert words(result.matches[0].text) == words(said[0])


def test_reworded_sentences_are_close_and_in_place(
    archive: Archive, passages: list[tuple[int, list[str]]]
) -> None:
    right = 0
    for speech_id, said in passages:
        w = said[1].split()
        quote = " ".join([*w[:3], *w[4:-3], "indeed", *w[-3:]])
        result = check_quote(archive, quote)
        best = result.matches[0] if result.matches else None
        right += result.verdict == "close" and best is not None and best.speech_id == speech_id
    assert right >= 0.95 * len(passages)


def test_an_ellipsis_and_a_stitch_are_told_apart(
    archive: Archive, passages: list[tuple[int, list[str]]]
) -> None:
    elided = stitched = 0
    for speech_id, said in passages:
        quote = " ".join(said[0].split()[:6]) + " … " + said[1]
        result = check_quote(archive, quote)
        elided += result.verdict == "close" and result.matches[0].speech_id == speech_id
        result = check_quote(archive, f"{said[0]} {said[3]}")
        stitched += result.verdict == "stitched" and [m.speech_id for m in result.matches] == [
            speech_id,
            speech_id,
        ]
    assert elided >= 0.95 * len(passages) and stitched >= 0.9 * len(passages)
