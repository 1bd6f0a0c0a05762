"""The statistics on the whole development corpus (kremlin.ru 2000-2020, kremlin.ru 2025 in
Russian, the Australian PM transcripts) against the stored records, counted independently with
SQL and the tokenizer of ``test_stats``: the figures at the scale where a cut bucket or a
segment boundary would show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from statsutil import (
    Reference,
    attendees,
    check_distinctive,
    expected_trend,
    period,
    reference,
)
from stenogram import stats
from stenogram.archive import Archive
from stenogram.ingest import open_archive
from stenogram.settings import Settings, load_settings


@pytest.fixture(scope="module")
def settings(corpus_archive: Path) -> Settings:
    return load_settings({"archive": corpus_archive, "database": None})


@pytest.fixture(scope="module")
def ref(settings: Settings) -> Reference:
    return reference(settings)


@pytest.fixture
def archive(settings: Settings) -> Iterator[Archive]:
    with open_archive(settings) as opened:
        yield opened


def test_corpus_trend_of_words_phrases_and_cyrillic(archive: Archive, ref: Reference) -> None:
    terms = ["Russia", "national projects", "economy", "Россия"]
    for series in stats.trend(archive, terms, by="year").to_json()["series"]:
        expected = expected_trend(ref, series["term"], "year")
        assert series["points"] == expected
        assert sum(p["speeches"] for p in expected) > 10


def test_corpus_speakers_and_calendar(archive: Archive, ref: Reference) -> None:
    found = stats.speakers(archive, limit=10)
    said = Counter(period(s.date, "year") for s in ref.speeches)
    assert {p.period: p.speeches for p in found.periods if p.speeches} == {
        k: n for k, n in said.items() if k
    }
    by_person = Counter(s.person_id for s in ref.speeches if s.person_id)
    assert [(s.person_id, s.speeches) for s in found.speakers] == by_person.most_common(10)
    days = Counter(d for d in ref.dates.values() if d is not None)
    assert dict(stats.calendar(archive).days) == dict(days)


def test_corpus_network_of_a_person(settings: Settings, archive: Archive, ref: Reference) -> None:
    groups = [who for who in attendees(settings, ref).values() if "vladimir-putin" in who]
    found = stats.network(archive, person_id="vladimir-putin", limit=1000)
    assert found.events == len(groups) > 500
    everyone = Counter(n for g in groups for n in g)
    assert {n.id: n.events for n in found.nodes} == {
        n: everyone[n] for n in {n.id for n in found.nodes}
    }


def test_corpus_distinctive_terms(archive: Archive, ref: Reference) -> None:
    check_distinctive(archive, ref, "vladimir-putin")
