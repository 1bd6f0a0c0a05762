"""The text-version export: a stored record printed back in the publisher's layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stenogram.export import render_text
from stenogram.model import Document, Narrative, Photo, Speech, Tag, Tags
from stenogram.parse import parse_bytes

SEED = "seed/000_46537543d1896dfd.txt"


def _seed_lines(shared_dir: Path) -> list[str]:
    """The seed's lines, with the link-split fragments (",", ".") put back on their line."""
    lines: list[str] = []
    for line in (shared_dir / SEED).read_text(encoding="utf-8").splitlines():
        if line.startswith((",", ".")) and lines:
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def test_seed_renders_line_for_line(shared_dir: Path) -> None:
    doc = parse_bytes((shared_dir / SEED).read_bytes(), origin="seed")
    assert render_text(doc).splitlines() == _seed_lines(shared_dir)


def test_seed_text_version_parses_back_to_the_same_record(shared_dir: Path) -> None:
    doc = parse_bytes((shared_dir / SEED).read_bytes(), origin="seed")
    again = parse_bytes(render_text(doc).encode("utf-8"), origin="rendered")
    assert again.to_dict() | {"origin": None} == doc.to_dict() | {"origin": None}


def test_narrative_sits_between_turns_by_position() -> None:
    doc = Document(
        source="en.kremlin.ru",
        title="Meeting",
        language="en",
        format="test",
        speeches=(
            Speech("Vladimir Putin", "Vladimir Putin", None, ("Good afternoon.", "Let us start.")),
            Speech("Question", "Question", None, ("Thank you.",)),
        ),
        narrative=(
            Narrative("Opening words.", 0),
            Narrative("<…>", 1, "omission"),
            Narrative("", 2, "separator"),
            Narrative("After the meeting.", 2),
        ),
    )
    assert render_text(doc).splitlines() == [
        "Meeting",
        "Opening words.",
        "Vladimir Putin: Good afternoon.",
        "Let us start.",
        "<…>",
        "Question: Thank you.",
        "* * *",
        "After the meeting.",
        "Text version",
    ]


def test_russian_labels_dates_and_link() -> None:
    doc = Document(
        source="kremlin.ru",
        title="Российско-китайские переговоры",
        language="ru",
        format="test",
        url="http://kremlin.ru/events/president/news/76870",
        category="События",
        date=dt.date(2025, 5, 8),
        time=dt.time(10, 10),
        place="Москва, Кремль",
        published=dt.datetime(2025, 5, 8, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        sections=("Новости",),
        tags=Tags(geography=(Tag("Китай"),), persons=(Tag("Си Цзиньпин"),)),
        photos=(Photo(caption="Переговоры.", credit=None),),
    )
    assert render_text(doc).splitlines() == [
        "События",
        "Российско-китайские переговоры",
        "8 мая 2025 года",
        "10:10",
        "Москва, Кремль",
        "Переговоры.",
        "География",
        "Китай",
        "Лица",
        "Си Цзиньпин",
        "Статус материала",
        "Опубликован в разделе: Новости",
        "Дата публикации: 8 мая 2025 года, 10:10",
        "Ссылка на материал: http://kremlin.ru/events/president/news/76870",
        "Текстовая версия",
    ]
