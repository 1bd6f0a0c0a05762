"""The citation function: absolute links, a source URL with its scheme, and every field."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from stenogram.export.cite import cite, source_url
from stenogram.export.textversion import format_date
from stenogram.model import Document
from stenogram.parse import parse_bytes
from webutil import SEED_NAME

DAY = dt.date(2026, 12, 4)


@pytest.fixture(scope="module")
def seed(shared_dir: Path) -> Document:
    path = shared_dir / "seed" / SEED_NAME
    return parse_bytes(path.read_bytes(), origin=path.name)


@pytest.mark.parametrize(
    ("stored", "wanted"),
    [
        ("http://en.kremlin.ru/events/1", "http://en.kremlin.ru/events/1"),
        ("https://www.pm.gov.au/media/x", "https://www.pm.gov.au/media/x"),
        ("//kremlin.ru/events/1", "https://kremlin.ru/events/1"),
        ("kremlin.ru/events/1", "https://kremlin.ru/events/1"),
        ("  http://kremlin.ru/a  ", "http://kremlin.ru/a"),
        ("javascript:alert(1)", None),
        ("/events/1", None),
        ("", None),
        (None, None),
    ],
)
def test_source_url_gets_a_scheme_or_is_dropped(stored: str | None, wanted: str | None) -> None:
    assert source_url(stored) == wanted


def test_a_speech_citation_names_speaker_role_event_and_links(seed: Document) -> None:
    speech = seed.speeches[0]
    cited = cite(seed, "/events/7#s1", speech=speech, base="https://a.example/", accessed=DAY)
    assert cited.permalink == "https://a.example/events/7#s1"
    assert (cited.speaker, cited.role) == (speech.speaker, speech.role)
    assert (cited.event, cited.place, cited.publisher) == (seed.title, seed.place, seed.source)
    assert cited.date == (seed.date.isoformat() if seed.date else None)
    assert cited.accessed == "2026-12-04"
    assert cited.text.startswith(f"{speech.speaker} ({speech.role}), “{seed.title}”, {seed.place}")
    assert f"accessed {format_date(DAY, 'en')}." in cited.text
    assert cited.text.endswith(" Archived at https://a.example/events/7#s1")
    assert cited.to_dict()["text"] == cited.text


def test_without_a_base_the_permalink_stays_relative(seed: Document) -> None:
    cited = cite(replace(seed, url="//en.kremlin.ru/events/9"), "/events/7", accessed=DAY)
    assert cited.permalink == "/events/7"
    assert cited.speaker is None and cited.role is None
    assert cited.source_url == "https://en.kremlin.ru/events/9"
    assert "Source: https://en.kremlin.ru/events/9 Archived at /events/7" in cited.text


def test_a_record_without_url_date_or_place_still_cites(seed: Document) -> None:
    bare = replace(seed, url=None, date=None, place=None)
    cited = cite(bare, "/events/7", accessed=DAY, base="https://a.example")
    assert cited.source_url is None and cited.date is None and cited.place is None
    assert cited.text.startswith(f"“{seed.title}”. {seed.source}, accessed ")
    assert "Source:" not in cited.text
