"""The kremlin text-version parser on the seed (exact contract) and on kremlin.ru Russian rows."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stenogram.errors import ParseError
from stenogram.parse import detect, kremlin_text, parse_bytes
from stenogram.parse.kremlin_words import cues_for, split_tags

SEED = "seed/000_46537543d1896dfd.txt"
FIXTURES = ("76862", "76866", "76857", "76854", "76775", "76474", "76606")


def _fixture(fixtures_dir: Path, item: str) -> bytes:
    return (fixtures_dir / "kremlin-text" / f"ru-{item}.txt").read_bytes()


def _rows(corpus_dir: Path) -> Iterator[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with (corpus_dir / "kremlin-ru-2025.csv").open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _page(row: dict[str, str]) -> bytes:
    return "".join(row[f"article_full_text_{i}"] for i in range(1, 11)).encode()


# --- the seed ---------------------------------------------------------------------------------


def test_seed_matches_the_contract(shared_dir: Path) -> None:
    data = (shared_dir / SEED).read_bytes()
    record = parse_bytes(data, origin=SEED).to_dict()
    expected: dict[str, Any] = json.loads(
        (shared_dir / "contract" / "seed.expected.json").read_text(encoding="utf-8")
    )
    only = {
        "speeches": ("attribution", "speaker", "role", "paragraphs"),
        "photos": ("position", "of", "caption", "credit"),
        "participants": ("name", "role"),
    }
    for key, want in expected.items():
        got = record[key]
        if key in only:
            got = [{k: item[k] for k in only[key]} for item in got]
            want = [{k: item[k] for k in only[key]} for item in want]
        assert got == want, key
    assert record["format"] == "kremlin-text"
    assert record["warnings"] == []


def test_seed_is_detected_as_text_version(shared_dir: Path) -> None:
    data = (shared_dir / SEED).read_bytes()
    assert kremlin_text.sniff(data, SEED) >= 0.5
    assert detect(data, SEED) == "kremlin-text"


def test_seed_rejoins_lines_broken_after_links(shared_dir: Path) -> None:
    record = parse_bytes((shared_dir / SEED).read_bytes()).to_dict()
    narrative = [n["text"] for n in record["narrative"] if n["kind"] == "narrative"]
    assert not any(text.startswith((",", ".")) for text in narrative)
    assert "Boris Gryzlov." in narrative[1]


# --- detection and refusal --------------------------------------------------------------------


def test_html_scores_low_and_is_refused() -> None:
    html = b"<!DOCTYPE html><html><body><p>Events</p><p>Publication status</p></body></html>"
    assert kremlin_text.sniff(html, "x.html") < 0.5
    with pytest.raises(ParseError):
        kremlin_text.parse(html, origin="x.html")


def test_plain_prose_is_not_a_text_version() -> None:
    assert kremlin_text.sniff(b"Just a letter to a friend.\nBest wishes.", None) < 0.5


def test_text_without_a_title_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        kremlin_text.parse(b"Events\nPublication status\nText version\n", origin="t")


def test_run_on_russian_text_is_detected(fixtures_dir: Path) -> None:
    data = _fixture(fixtures_dir, "76862")
    assert kremlin_text.sniff(data, None) >= 0.5
    assert detect(data) == "kremlin-text"


# --- Russian rows: fields checked against the page ---------------------------------------------


def test_leaked_tooltip_is_cut_from_the_attribution(fixtures_dir: Path) -> None:
    record = kremlin_text.parse(_fixture(fixtures_dir, "76862")).to_dict()
    speeches = record["speeches"]
    assert [s["attribution"] for s in speeches[:2]] == ["В.Путин", "Р.Кадыров"]
    # Printed: "Р.Кадыров Кадыров Рамзан Ахматович глава Чеченской Республики : Уважаемый ..."
    assert speeches[1]["role"] == "глава Чеченской Республики"
    assert speeches[1]["paragraphs"][0].startswith("Уважаемый Владимир Владимирович")
    # Later turns without the tooltip keep the role learnt from it.
    later = [s for s in speeches[2:] if s["attribution"] == "Р.Кадыров"]
    assert later and all(s["role"] == "глава Чеченской Республики" for s in later)
    assert record["omissions"] == 1
    assert record["sections"] == ["Новости", "Выступления и стенограммы"]
    assert record["published"] == "2025-05-07T18:00:00+03:00"
    assert record["tags"]["persons"] == ["Кадыров Рамзан Ахматович"]


def test_see_also_box_is_not_in_the_transcript(fixtures_dir: Path) -> None:
    record = kremlin_text.parse(_fixture(fixtures_dir, "76866")).to_dict()
    texts = [p for s in record["speeches"] for p in s["paragraphs"]]
    texts += [n["text"] for n in record["narrative"]]
    assert not any("Смотрите также" in t or "Участники беседы с" in t for t in texts)
    # The box sat inside Putin's first turn, which goes on after it.
    first = record["speeches"][0]["paragraphs"][0]
    assert "Приветствую всех вас в Москве" in first
    assert "В России ценят наше взаимодействие с Монголией" in first


def test_announcement_has_no_event_date(fixtures_dir: Path) -> None:
    record = kremlin_text.parse(_fixture(fixtures_dir, "76854")).to_dict()
    assert record["title"] == "7 мая состоятся российско-венесуэльские переговоры"
    assert record["date"] is None and record["place"] is None
    assert record["published"] == "2025-05-06T16:05:00+03:00"
    assert record["sections"] == ["Новости", "Анонсы"]


def test_labels_by_title_and_name_are_turns(fixtures_dir: Path) -> None:
    record = kremlin_text.parse(_fixture(fixtures_dir, "76775")).to_dict()
    attributions = {s["attribution"] for s in record["speeches"]}
    assert {"В.Путин", "Патриарх Кирилл", "Патриарх Порфирий"} <= attributions
    assert record["tags"]["persons"] == ["Кирилл Патриарх Московский и всея Руси"]


@pytest.mark.parametrize(
    ("row", "kind", "tags"),
    [
        ("76866", "topics", ["Великая Отечественная война", "Внешняя политика"]),
        ("76775", "topics", ["Внешняя политика", "Религия"]),
        ("76474", "topics", ["Поддержка предпринимательства", "Промышленность"]),
        ("76474", "persons", ["Шохин Александр Николаевич"]),
        ("76862", "geography", ["Чеченская Республика"]),
    ],
)
def test_tags_in_a_row_are_split(fixtures_dir: Path, row: str, kind: str, tags: list[str]) -> None:
    assert kremlin_text.parse(_fixture(fixtures_dir, row)).to_dict()["tags"][kind] == tags


@pytest.mark.parametrize(
    ("words", "kind", "tags"),
    [
        ("Волгоградская область Республика Беларусь", "geography",
         ["Волгоградская область", "Республика Беларусь"]),
        ("Соединённые Штаты Америки Украина", "geography",
         ["Соединённые Штаты Америки", "Украина"]),
        ("Донецкая Народная Республика Оренбургская область", "geography",
         ["Донецкая Народная Республика", "Оренбургская область"]),
        ("Объединённые Арабские Эмираты", "geography", ["Объединённые Арабские Эмираты"]),
        ("Государственные финансы ЖКХ Промышленность Регионы Экономика и финансы Ещё 1", "topics",
         ["Государственные финансы", "ЖКХ", "Промышленность", "Регионы", "Экономика и финансы"]),
        ("Аль Тани Тамим Бен Хамад", "persons", ["Аль Тани Тамим Бен Хамад"]),
        ("Паслер Денис Владимирович Солнцев Евгений Александрович", "persons",
         ["Паслер Денис Владимирович", "Солнцев Евгений Александрович"]),
        ("Си Цзиньпин", "persons", ["Си Цзиньпин"]),
    ],
)  # fmt: skip
def test_footer_rows_from_the_corpus(words: str, kind: str, tags: list[str]) -> None:
    warnings: list[str] = []
    assert split_tags(words.split(), kind, cues_for("ru"), warnings) == tags
    assert bool(warnings) == ("Ещё" in words)


@pytest.mark.parametrize("item", FIXTURES)
def test_golden(fixtures_dir: Path, golden: Callable[[str, Any], None], item: str) -> None:
    record = kremlin_text.parse(_fixture(fixtures_dir, item), origin=f"ru-{item}.txt").to_dict()
    golden(f"kremlin-text-ru-{item}", record)


# --- the whole CSV ----------------------------------------------------------------------------


def test_every_csv_row_matches_its_columns(corpus_dir: Path) -> None:
    rows = list(_rows(corpus_dir))
    assert len(rows) == 100
    with_turns = 0
    problems: list[str] = []
    for row in rows:
        record = kremlin_text.parse(_page(row), origin=row["url"]).to_dict()
        item = row["url"].rsplit("/", 1)[1]
        for key in ("title", "date", "place"):
            if record[key] != (row[key] or None):
                problems.append(f"{item} {key}: {record[key]!r} != {row[key]!r}")
        if record["url"] != row["url"] or record["source_id"] != item:
            problems.append(f"{item} url: {record['url']!r}")
        if not record["sections"] or record["published"] is None:
            problems.append(f"{item}: no sections or publication date")
        for speech in record["speeches"]:
            surname = re.split(r"[.\s]", speech["attribution"])[-1]
            if speech["attribution"].count(surname) > 1:
                problems.append(f"{item}: tooltip left in {speech['attribution']!r}")
        with_turns += bool(record["speeches"])
    assert problems == []
    print(f"\nrows with at least one turn: {with_turns}/{len(rows)}")
    assert with_turns >= 50


def test_person_tooltips_are_cut_from_run_on_text(corpus_dir: Path) -> None:
    """kremlin.ru 76834 prints "... Владимир Колокольцев Колокольцев Владимир Александрович
    Министр внутренних дел Российской Федерации ." (the link's tooltip copied into the text)."""
    rows = {row["url"].rsplit("/", 1)[-1]: row for row in _rows(corpus_dir)}
    record = parse_bytes(_page(rows["76834"])).to_dict()
    text = " ".join(n["text"] for n in record["narrative"])
    assert "Колокольцев Владимир" not in text
    assert "принял участие Министр внутренних дел России Владимир Колокольцев." in text
    assert record["participants"] == [
        {"name": "Владимир Колокольцев", "role": "Министр внутренних дел России", "person_id": None}
    ]
    # 76857: the tooltip ends where the sentence's verb begins.
    record = parse_bytes(_page(rows["76857"])).to_dict()
    assert record["narrative"][0]["text"].startswith(
        "Владимир Путин и Биньямин Нетаньяху обменялись тёплыми"
    )
    # 76612: "Текст Указа:" introduces the decree; it is no speaker's turn.
    assert parse_bytes(_page(rows["76612"])).to_dict()["speeches"] == []


@pytest.mark.corpus
def test_note_heading_is_not_a_turn(corpus_dir: Path) -> None:
    # kremlin.ru/events/president/news/76526: the US-Russia summary ends with "Примечание: ...",
    # a note of the document that nobody speaks.
    row = next(r for r in _rows(corpus_dir) if r["url"].endswith("/76526"))
    doc = parse_bytes(_page(row), origin="76526")
    assert doc.speeches == ()
    assert any("Примечание" in n.text for n in doc.narrative)


# --- the place line of the layout with line breaks -------------------------------------------

_LINED = (
    "Events\n{title}\n{lede}\n{date}\n15:40\n{place}\n{body}\nPublication status\n"
    "Published in sections: News\nPublication date: November 23, 2023, 18:00\n"
)


def _lined(place: str, body: str = "The talks went on for two hours.", **kw: str) -> Any:
    fields = {
        "title": "CSTO summit",
        "lede": "Vladimir Putin took part.",
        "date": "November 23, 2023",
    }
    text = _LINED.format(place=place, body=body, **(fields | kw))
    return kremlin_text.parse(text.encode(), origin="lined")


@pytest.mark.parametrize(
    "place",
    [
        "The Kremlin, Moscow",
        "The Government House, Moscow",
        "The Peace Palace, The Hague",
        "Vladimir",
        "Vladimir Region",
        "President Hotel, Moscow",
        "Rostov-on-Don",
        "Novo-Ogaryovo, Moscow Region",
    ],
)
def test_a_place_line_of_names_is_the_place(place: str) -> None:
    """A place whose first word could open a sentence ("The", "Vladimir") is still a place."""
    doc = _lined(place)
    assert doc.place == place
    assert [n.text for n in doc.narrative] == ["The talks went on for two hours."]


@pytest.mark.parametrize(
    "line",
    [
        "The President’s address to the nation",  # a heading: lower-case words
        "At the World Economic Forum",  # says where, but opens with a preposition
        "Mr Prime Minister,",  # a salutation
        "Vladimir Putin: Good afternoon.",
    ],
)
def test_a_first_body_line_is_not_a_place(line: str) -> None:
    doc = _lined(line)
    assert doc.place is None


def test_an_announcement_line_keeps_the_lede_and_has_no_event_date() -> None:
    doc = _lined("Moscow", date="Announcement, December 14, 2012")
    assert doc.summary == "Vladimir Putin took part."
    assert doc.date is None


# --- Russian text with collapsed line breaks: title, lede and place from the page's words ------

_FLAT_FOOT = (
    " Опубликован в разделах: Новости Дата публикации: 15 мая 2025 года, 14:00"
    " Ссылка на материал: kremlin.ru/d/76900"
)


def _flat(text: str) -> Any:
    return kremlin_text.parse(f"События {text}{_FLAT_FOOT}".encode(), origin="flat")


@pytest.mark.parametrize(
    ("title", "lede"),
    [
        # The name that ends the title is printed whole again in the lede.
        (
            "Переговоры с Президентом Республики Конго Дени Сассу-Нгессо",
            "Глава государства провёл переговоры с Президентом Республики Конго Дени "
            "Сассу-Нгессо, находящимся в России с официальным визитом.",
        ),
        # A capitalised adjective the title has in another case opens the lede.
        (
            "Встреча с генеральным директором компании «ДОМ.РФ» Виталием Мутко",
            "Генеральный директор АО «ДОМ.РФ» Виталий Мутко доложил Президенту о работе.",
        ),
        # A title does not end with a preposition.
        (
            "Поздравление российским женщинам с Международным женским днём",
            "Видеообращение Президента России. Поздравляю с международным праздником.",
        ),
    ],
)
def test_title_and_lede_told_apart(title: str, lede: str) -> None:
    doc = _flat(f"{title} {lede} 15 мая 2025 года 14:00 Москва, Кремль В.Путин : Добрый день!")
    assert (doc.title, doc.summary) == (title, lede)
    assert doc.place == "Москва, Кремль"


@pytest.mark.parametrize(
    ("after_time", "place"),
    [
        ("Добавить к этому можно многое. Стороны обсудили сотрудничество.", None),
        ("Выразив соболезнования, Президент России подчеркнул важность связей.", None),
        ("Санкт-Петербург Владимир Путин открыл заседание Совета.", "Санкт-Петербург"),
        (
            "Московская область, Ново-Огарёво В.Путин : Добрый день!",
            "Московская область, Ново-Огарёво",
        ),
    ],
)
def test_flat_place_line(after_time: str, place: str | None) -> None:
    doc = _flat(
        f"Заседание Совета Состоялось заседание Совета. 15 мая 2025 года 14:00 {after_time}"
    )
    assert doc.place == place
    assert doc.title == "Заседание Совета"
