"""The synthetic corpus generator (bench/synth.py): seeded, exact in size, shaped like the pages.

The model is learned here from two real fixture pages, so the test is fast and needs no corpus;
every generated value must then come from what those pages hold.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import synth
from stenogram.model import Document
from stenogram.parse import parse_bytes

PAGES = ("en-60577.html", "en-63334.html")
WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")


@pytest.fixture(scope="module")
def model(fixtures_dir: Path) -> synth.Model:
    raw = [(fixtures_dir / "mutation" / name).read_bytes() for name in PAGES]
    # Two parsed pages, plus one page as the <p>-text fallback would read it.
    return synth.learn([*(parse_bytes(data) for data in raw), synth.paragraph_text(raw[1])])


def test_learns_what_the_pages_hold(model: synth.Model) -> None:
    speakers = {key[0] for key, _ in model.speakers}
    assert speakers == {"Vladimir Putin", "Kirill"}
    assert dict(model.topics) == {"Religion": 1, "Great Patriotic War": 1}
    assert model.pages == 3
    assert model.news_share == 0.0  # both parsed pages have turns
    assert sorted(model.turns)[-1] == 3 and sorted(model.turns)[0] == 1
    assert 5 < sum(model.sentence_words) / len(model.sentence_words) < 60


def test_model_survives_its_json_cache(model: synth.Model, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model.save(path)
    assert synth.Model.load(path) == model
    path.write_text('{"version": 0}')
    assert synth.Model.load(path) is None  # stale cache: relearn rather than misread


def test_same_seed_same_archive_other_seed_other_archive(model: synth.Model) -> None:
    first = list(synth.Generator(model, 7).rows(300))
    assert first == list(synth.Generator(model, 7).rows(300))
    assert first != list(synth.Generator(model, 8).rows(300))


@pytest.mark.parametrize("count", [1, 17, 500])
def test_exactly_the_requested_speeches_grouped_into_events(model: synth.Model, count: int) -> None:
    rows = list(synth.Generator(model, 1).rows(count))
    speeches = [r for r in rows if r.kind == "speech"]
    assert len(speeches) == count
    assert [r.speech_id for r in speeches] == list(range(1, count + 1))
    per_event = Counter(r.event_id for r in speeches)
    assert max(per_event.values()) <= 3  # the learned pages have 1 and 3 turns
    events = [r.event_id for r in rows if r.kind == "event"]
    assert events == sorted(set(events))  # one event row per event, in order
    assert {r.event_id for r in rows} == set(events)


def test_dates_span_25_years_forward(model: synth.Model) -> None:
    docs = list(synth.Generator(model, 3).documents(2000))
    dates = [d.date for d in docs]
    assert all(d is not None and synth.START <= d < dt.date(2025, 1, 1) for d in dates)
    assert dates[0] is not None and dates[0].year == 2000
    assert dates[-1] is not None and dates[-1].year == 2024
    years = Counter(d.year for d in dates if d)
    assert len(years) == 25


def test_fields_are_drawn_from_the_real_pages(model: synth.Model) -> None:
    vocabulary = {w for unit, _ in model.units for w in WORD.findall(unit)}
    known_speakers = {key[0] for key, _ in model.speakers}
    parts = {n for n, _ in model.first_names} | {n for n, _ in model.last_names}
    docs = list(synth.Generator(model, 5).documents(400))
    for doc in docs:
        assert Document.from_dict(doc.to_dict()) == doc
        assert {t for t in doc.tags.names("topics")} <= dict(model.topics).keys()
        for speech in doc.speeches:
            assert speech.speaker in known_speakers or set(speech.speaker or "").issubset(
                set(" ".join(parts))
            )
            assert speech.paragraphs and all(p.endswith((".", "?")) for p in speech.paragraphs)
            words = {w.lower() for w in WORD.findall(speech.text)}
            assert words <= {v.lower() for v in vocabulary}
    lengths = [len(WORD.findall(s.text)) for d in docs for s in d.speeches]
    assert max(lengths) > 3 * min(lengths)  # lengths vary like the real turns do


def test_rows_match_the_archive_shape(model: synth.Model) -> None:
    doc = next(d for d in synth.Generator(model, 2).documents(50) if len(d.speeches) > 1)
    rows = list(synth.rows_of(doc, 9, 9, 100))
    assert [r.kind for r in rows] == ["speech"] * len(doc.speeches) + ["event"]
    assert rows[0].url == f"/events/{doc.source}:{doc.source_id}#s1"  # not en.kremlin.ru: qualified
    assert rows[-1].url == f"/events/{doc.source}:{doc.source_id}"
    assert rows[1].speech_id == 101 and rows[1].speaker == doc.speeches[1].speaker
    assert rows[-1].text == "\n\n".join(n.text for n in doc.narrative)
