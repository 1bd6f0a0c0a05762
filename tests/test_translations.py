"""Pairing the Russian and English records of one item, and aligning their speeches.

The pair is item 51307: the real en.kremlin.ru page and a Russian counterpart built by hand
turn for turn (see ``fixtures/translations/README.md``), so the right alignment of the two as
published is the identity; the harder cases are derived from them by dropping or splitting a
turn the way the two sites differ.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from stenogram.cli import app
from stenogram.ingest import ingest
from stenogram.model import Document, Speech
from stenogram.parse import parse_bytes
from stenogram.queries import search_archive, show_event
from stenogram.resolve import PeopleDirectory
from stenogram.settings import Settings
from stenogram.translations import Pair, align, document_turns, turn
from stenogram.web import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "translations"
NINE = [(i, i) for i in range(9)]


def page(name: str) -> Document:
    return parse_bytes((FIXTURES / name).read_bytes(), origin=name)


@pytest.fixture(scope="module")
def ru() -> Document:
    return page("ru-51307.html")


@pytest.fixture(scope="module")
def en() -> Document:
    return page("en-51307.html")


def pairs(found: list[Pair]) -> list[tuple[int, int]]:
    return [(p.a, p.b) for p in found]


def without(doc: Document, index: int) -> Document:
    return dataclasses.replace(doc, speeches=doc.speeches[:index] + doc.speeches[index + 1 :])


def split(doc: Document, index: int, at: int) -> Document:
    """Turn ``index`` printed as two turns of the same speaker, cut before paragraph ``at``
    (as a site does around a stage direction the other one leaves out)."""
    whole = doc.speeches[index]
    first = dataclasses.replace(whole, paragraphs=whole.paragraphs[:at])
    second = dataclasses.replace(whole, paragraphs=whole.paragraphs[at:])
    speeches = (*doc.speeches[:index], first, second, *doc.speeches[index + 1 :])
    return dataclasses.replace(doc, speeches=speeches)


# --- alignment -------------------------------------------------------------------------------


def test_the_fixtures_are_one_item_in_two_languages(ru: Document, en: Document) -> None:
    assert (ru.source, ru.language) == ("kremlin.ru", "ru")
    assert (en.source, en.language) == ("en.kremlin.ru", "en")
    assert ru.source_id == en.source_id == "51307"
    assert [s.attribution for s in ru.speeches][:2] == ["В.Путин", "В.Дмитриев"]
    assert [s.attribution for s in en.speeches][:2] == [
        "President of Russia Vladimir Putin",
        "Vnesheconombank Chairman Vladimir Dmitriev",
    ]


def test_label_forms_of_both_sites_give_one_surname_key() -> None:
    assert turn("В.Путин", "ru", 1).surname == turn("Vladimir Putin", "en", 1).surname
    assert turn("Р.Минниханов", "ru", 1).surname == turn("Rustam Minnikhanov", "en", 1).surname
    assert turn("Р.Ханбиков", "ru", 1).surname == turn("Rinat Khanbikov", "en", 1).surname
    assert turn("В.Путин", "ru", 1).surname != turn("Vladimir Dmitriev", "en", 1).surname


def test_printed_labels_alone_align_the_pair_turn_for_turn(ru: Document, en: Document) -> None:
    found = align(document_turns(ru), document_turns(en))
    assert pairs(found) == NINE
    assert all(p.confidence > 0.8 for p in found)


def test_resolved_person_ids_align_the_pair(ru: Document, en: Document) -> None:
    directory = PeopleDirectory([], [])
    en_people = directory.resolve(en).speeches
    ru_people = directory.resolve(ru).speeches
    # English first, the resolve stage makes "В.Путин" and "Vladimir Putin" one person.
    assert ru_people == en_people
    found = align(document_turns(ru, ru_people), document_turns(en, en_people))
    assert pairs(found) == NINE


def test_resolved_ids_that_disagree_fall_back_to_surnames(ru: Document, en: Document) -> None:
    # Ingested Russian first, "В.Путин" may become a person of its own before "Vladimir Putin"
    # is seen: the ids differ, the surname keys do not.
    en_people = PeopleDirectory([], []).resolve(en).speeches
    ru_people = tuple("v-putin" if p == "vladimir-putin" else p for p in en_people)
    assert ru_people[0] != en_people[0]
    found = align(document_turns(ru, ru_people), document_turns(en, en_people))
    assert pairs(found) == NINE


def test_a_turn_missing_in_english_is_left_unpaired(ru: Document, en: Document) -> None:
    # "Mr Minnikhanov, please." (Putin, 3 words) dropped from the English side.
    short = without(en, 2)
    found = pairs(align(document_turns(ru), document_turns(short)))
    assert found == [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (8, 7)]


def test_a_turn_missing_in_russian_is_left_unpaired(ru: Document, en: Document) -> None:
    # Khanbikov's "Start operations at rated capacity." exists only in English.
    short = without(ru, 6)
    found = pairs(align(document_turns(short), document_turns(en)))
    assert found == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 7), (7, 8)]


def test_a_turn_split_in_two_pairs_with_both_halves(ru: Document, en: Document) -> None:
    # Putin's opening turn (4 paragraphs) printed as two turns on the Russian side.
    halves = split(ru, 0, 2)
    found = pairs(align(document_turns(halves), document_turns(en)))
    assert found[:3] == [(0, 0), (1, 0), (2, 1)]
    assert found[3:] == [(i + 1, i) for i in range(2, 9)]


def test_a_turn_split_on_the_english_side_too(ru: Document, en: Document) -> None:
    # Dmitriev's "Thank you." printed apart from the rest of his turn in English.
    halves = split(en, 1, 1)
    found = pairs(align(document_turns(ru), document_turns(halves)))
    assert found[:3] == [(0, 0), (1, 1), (1, 2)]
    assert found[3:] == [(i, i + 1) for i in range(2, 9)]


def test_two_known_different_speakers_are_never_paired(ru: Document, en: Document) -> None:
    # Swap the speakers of the English side's Dmitriev and Minnikhanov turns: their texts keep
    # their lengths, so only the speaker check can refuse them.
    moved = list(en.speeches)
    moved[1], moved[3] = (
        dataclasses.replace(moved[1], speaker="Rustam Minnikhanov", person_id=None),
        dataclasses.replace(moved[3], speaker="Vladimir Dmitriev", person_id=None),
    )
    found = pairs(
        align(document_turns(ru), document_turns(dataclasses.replace(en, speeches=tuple(moved))))
    )
    assert (1, 1) not in found and (3, 3) not in found
    assert (0, 0) in found and (8, 8) in found


def test_records_without_speeches_align_to_nothing(ru: Document) -> None:
    assert align([], document_turns(ru)) == []
    assert align([], []) == []


def test_an_unnamed_turn_can_still_pair_on_position_and_length(ru: Document, en: Document) -> None:
    anonymous = list(en.speeches)
    anonymous[4] = Speech(None, None, None, anonymous[4].paragraphs)
    found = pairs(
        align(
            document_turns(ru), document_turns(dataclasses.replace(en, speeches=tuple(anonymous)))
        )
    )
    assert found == NINE


# --- pairing at ingest, and what readers see ----------------------------------------------


def archive_of(tmp: Path, database: str | None, *batches: list[str]) -> Settings:
    settings = Settings(archive=tmp / "archive", database=database)
    for number, names in enumerate(batches):
        folder = tmp / f"in{number}"
        folder.mkdir()
        for name in names:
            shutil.copy(FIXTURES / name, folder / name)
        summary = ingest([folder], settings)
        assert summary.failed == 0 and summary.new == len(names)
    return settings


def check_paired(settings: Settings) -> None:
    ru = show_event(settings, "kremlin.ru:51307")
    en = show_event(settings, "en.kremlin.ru:51307")
    assert [t.event_id for t in ru.translations] == [en.event_id]
    assert [t.event_id for t in en.translations] == [ru.event_id]
    assert [c.speech_id if c else None for c in ru.counterparts] == list(en.speech_ids)
    assert [c.speech_id if c else None for c in en.counterparts] == list(ru.speech_ids)
    assert {c.language for c in en.counterparts if c} == {"ru"}


@pytest.mark.parametrize(
    "batches",
    [
        [["en-51307.html"], ["ru-51307.html"]],
        [["ru-51307.html"], ["en-51307.html"]],
        [["en-51307.html", "ru-51307.html"]],
    ],
    ids=["en-first", "ru-first", "same-run"],
)
def test_ingest_pairs_the_two_records_in_either_order(
    tmp_path: Path, batches: list[list[str]], database: str | None
) -> None:
    check_paired(archive_of(tmp_path, database, *batches))


def test_a_lone_record_has_no_translations(tmp_path: Path, database: str | None) -> None:
    settings = archive_of(tmp_path, database, ["en-51307.html"])
    en = show_event(settings, "51307")
    assert en.translations == () and set(en.counterparts) == {None}
    assert en.to_dict()["translations"] == []


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, module_database: str | None) -> Settings:
    return archive_of(
        tmp_path_factory.mktemp("both"), module_database, ["en-51307.html"], ["ru-51307.html"]
    )


def test_show_json_lists_translations_and_counterparts(both: Settings) -> None:
    result = CliRunner().invoke(
        app, ["show", "en.kremlin.ru:51307", "--json", "--archive", str(both.archive)]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    (other,) = record["translations"]
    assert other["language"] == "ru" and other["source"] == "kremlin.ru"
    assert other["url"] == "http://kremlin.ru/events/president/news/51307"
    assert other["permalink"] == "/events/kremlin.ru:51307"
    first = record["speeches"][0]["counterpart"]
    assert first["language"] == "ru" and first["permalink"] == "/events/kremlin.ru:51307#s1"


@pytest.fixture(scope="module")
def client(both: Settings) -> TestClient:
    return TestClient(create_app(both), raise_server_exceptions=False)


def test_api_event_has_translations_and_speech_counterparts(client: TestClient) -> None:
    response = client.get("/api/events/kremlin.ru:51307")
    assert response.status_code == 200
    record: dict[str, Any] = response.json()["event"]
    assert [(t["language"], t["source"]) for t in record["translations"]] == [
        ("en", "en.kremlin.ru")
    ]
    en = client.get("/api/events/en.kremlin.ru:51307").json()["event"]
    counterparts = [s["counterpart"]["speech_id"] for s in record["speeches"]]
    assert counterparts == [s["id"] for s in en["speeches"]]


def test_event_page_links_the_other_language(client: TestClient) -> None:
    en_page = client.get("/events/en.kremlin.ru:51307").text
    assert 'href="/events/kremlin.ru:51307" hreflang="ru" lang="ru">Русский</a>' in en_page
    ru_page = client.get("/events/kremlin.ru:51307").text
    assert 'href="/events/51307" hreflang="en" lang="en">English</a>' in ru_page


def test_speech_page_shows_the_original_russian_of_a_quote(client: TestClient) -> None:
    en = client.get("/api/events/en.kremlin.ru:51307").json()["event"]
    # Minnikhanov: "Mr President, I am sincerely grateful to you; ..."
    speech = en["speeches"][3]
    assert speech["text"].startswith("Mr President, I am sincerely grateful")
    data = client.get(f"/api/speeches/{speech['id']}").json()
    other = data["counterpart"]
    assert other["language"] == "ru" and other["speaker"] == "Р.Минниханов"
    assert other["text"].startswith("Владимир Владимирович, искренне Вам благодарен")
    page = client.get(f"/speeches/{speech['id']}").text
    assert "The original Russian of this quote" in page
    assert "искренне Вам благодарен" in page
    # And back: the Russian speech shows its English rendering.
    back = client.get(f"/speeches/{other['speech_id']}").text
    assert "This quote in English" in back and "sincerely grateful" in back


def test_lang_filter_keeps_one_language(both: Settings) -> None:
    # "1991" is in Putin's opening turn in both languages.
    everything = search_archive(both, "1991")
    assert sorted(h.language for h in everything.hits) == ["en", "ru"]
    for language in ("ru", "en"):
        found = search_archive(both, f"1991 lang:{language}")
        assert [h.language for h in found.hits] == [language]
        assert found.hits[0].source == ("kremlin.ru" if language == "ru" else "en.kremlin.ru")
    assert search_archive(both, "Аммоний lang:en").total == 0
    assert search_archive(both, "Аммоний lang:ru").total > 0
