"""kremlin.ru / en.kremlin.ru event pages (HTML) read into records.

Golden files pin whole records of the fixture pages (each checked against the page by reading it);
the targeted tests below say what the golden files must never lose.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stenogram.errors import ParseError
from stenogram.model import Document
from stenogram.parse import detect, kremlin_html, parse_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "kremlin-html"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html"))
# A person link and the surname-first name its hidden tooltip repeats.
_LINK_AND_TOOLTIP = re.compile(
    r'class="person_tag[^"]*">([^<]*)<span class="read__tooltip.*?tooltip_link"[^>]*>([^<]+)<', re.S
)


def leaks(raw: str) -> set[str]:
    """What text would say if tooltips were kept ("Mr Lukashenko Lukashenko Alexander")."""
    return {
        " ".join(f"{shown} {hidden}".split()) for shown, hidden in _LINK_AND_TOOLTIP.findall(raw)
    }


def page(stem: str) -> bytes:
    return (FIXTURES / f"{stem}.html").read_bytes()


def read(stem: str) -> Document:
    return kremlin_html.parse(page(stem))


def all_text(doc: Document) -> str:
    """Everything a reader of the record sees as text (tags aside)."""
    parts = [doc.title, doc.summary or "", doc.place or ""]
    parts += [p for s in doc.speeches for p in (s.attribution or "", *s.paragraphs)]
    parts += [s.speaker or "" for s in doc.speeches]
    parts += [n.text for n in doc.narrative]
    parts += [f"{p.name} {p.role}" for p in doc.participants]
    parts += [p.caption or "" for p in doc.photos]
    return "\n".join(parts)


@pytest.mark.parametrize("stem", PAGES)
def test_golden(stem: str, golden: Callable[[str, Any], None]) -> None:
    golden(f"kremlin-html-{stem}", read(stem).to_dict())


@pytest.mark.parametrize("stem", PAGES)
def test_detected_as_kremlin_html(stem: str) -> None:
    data = page(stem)
    assert kremlin_html.sniff(data, f"{stem}.html") >= 0.9
    assert detect(data, f"{stem}.html") == kremlin_html.NAME
    assert parse_bytes(data, origin=stem).origin == stem


@pytest.mark.parametrize("stem", PAGES)
def test_no_tooltip_text_anywhere(stem: str) -> None:
    text = all_text(read(stem))
    assert "Background information" not in text
    for leak in leaks(page(stem).decode("utf-8")):
        assert leak not in text


def test_tooltip_page_reads_names_once() -> None:
    doc = read("en-13679")
    first = doc.speeches[0]
    assert first.attribution == "President of Belarus Alexander Lukashenko"
    assert (first.speaker, first.role, first.person_id) == (
        "Alexander Lukashenko",
        "President of Belarus",
        "119",
    )
    assert (
        doc.narrative[3].text
        == "Mr Medvedev and Mr Lukashenko held talks in narrow format before the meeting."
    )


def test_tags_keep_publisher_ids() -> None:
    doc = read("en-13679")
    assert [(t.name, t.id) for t in doc.tags.geography] == [("Belarus", "BY")]
    assert [(t.name, t.id) for t in doc.tags.topics] == [
        ("Economy and finance", "79"),
        ("Energy", "83"),
        ("Foreign policy", "82"),
    ]
    assert [(t.name, t.id) for t in doc.tags.persons] == [("Lukashenko Alexander", "119")]
    assert doc.tags.persons[0].url == "http://en.kremlin.ru/catalog/persons/119/events"


def test_published_carries_moscow_offset_of_its_date() -> None:
    assert read("en-13679").to_dict()["published"] == "2011-11-25T17:30:00+04:00"
    assert read("en-60412").to_dict()["published"] == "2019-04-29T14:20:00+03:00"
    assert read("en-22115").to_dict()["published"] == "2003-09-16T21:20:00+04:00"


def test_identity_and_meta() -> None:
    doc = read("en-13679")
    assert (doc.source, doc.source_id, doc.language) == ("en.kremlin.ru", "13679", "en")
    assert doc.url == "http://en.kremlin.ru/events/president/news/13679"
    assert (doc.category, doc.place) == ("Events", "Gorki, Moscow Region")
    assert doc.sections == ("News", "Transcripts")
    assert str(doc.date) == "2011-11-25" and str(doc.time) == "17:30:00"


def test_pull_quotes_are_not_read_twice() -> None:
    doc = read("en-13679")
    text = "\n".join(p for s in doc.speeches for p in s.paragraphs)
    assert text.count("the value of integration lies in the simplest things") == 1
    assert "”" not in text and "“" not in text


def test_gallery_order_caption_and_credit() -> None:
    photos = read("en-60847").photos
    assert [(p.position, p.of) for p in photos] == [(1, 3), (2, 3), (3, 3)]
    assert photos[0].caption == "With British Prime Minister Theresa May."
    assert photos[0].credit == "Mikhail Metzel, TASS"
    assert photos[2].credit is None
    assert photos[0].url and photos[0].url.startswith(
        "http://static.kremlin.ru/media/events/photos/"
    )


def test_see_also_box_is_not_text() -> None:
    doc = read("en-22115")
    assert "Opening Remarks at a Conference" not in all_text(doc)
    assert "See also" not in all_text(doc)
    assert len(doc.narrative) == 6 and not doc.speeches


def test_announcement_without_date_is_a_record() -> None:
    doc = read("en-17109")
    assert (doc.date, doc.time, doc.place) == (None, None, None)
    assert doc.sections == ("News", "Announcements")
    assert doc.published is not None and doc.warnings == ()


def test_participants_from_linked_prose() -> None:
    people = read("en-55813").participants
    assert [(p.name, p.role, p.person_id) for p in people[:3]] == [
        ("Andrei Belousov", "Presidential Aide", "330"),
        ("Anton Siluanov", "Finance Minister", "282"),
        ("Elvira Nabiullina", "Central Bank Governor", "67"),
    ]


def test_question_labels_are_nonperson_speakers() -> None:
    doc = read("en-60412")
    assert [(s.attribution, s.speaker, s.role) for s in doc.speeches] == [
        ("Question", "Question", None),
        ("Vladimir Putin", "Vladimir Putin", None),
        ("Question", "Question", None),
        ("Vladimir Putin", "Vladimir Putin", None),
    ]


def test_retranslated_note_stays_in_attribution_only() -> None:
    macri = read("en-56691").speeches[1]
    assert macri.attribution == "President of the Argentine Republic Mauricio Macri (retranslated)"
    assert (macri.speaker, macri.role, macri.person_id) == (
        "Mauricio Macri",
        "President of the Argentine Republic",
        "457",
    )


def test_italic_stage_direction_is_narrative_inside_a_speech() -> None:
    doc = read("en-57018")
    (speech,) = doc.speeches
    (direction,) = [n for n in doc.narrative if n.text.startswith("(Vladimir Putin recites")]
    assert direction.position == 1 and direction.kind == "narrative"
    assert not any(p.startswith("(Vladimir Putin recites") for p in speech.paragraphs)


def test_omissions_counted_on_their_own_and_inline() -> None:
    doc = read("en-53973")
    assert [n.kind for n in doc.narrative].count("omission") == 1
    assert doc.speeches[0].paragraphs[0].startswith("<…> ")
    assert doc.omissions == 2


def test_separator_and_omission_kinds() -> None:
    kinds = [(n.kind, n.text) for n in read("en-13679").narrative]
    assert ("separator", "* * *") in kinds and kinds[-1] == ("omission", "<…>")


def test_russian_page_is_read_with_russian_labels() -> None:
    doc = read("ru-76564")
    assert (doc.source, doc.language, doc.source_id) == ("kremlin.ru", "ru", "76564")
    assert doc.category == "События" and doc.place == "Москва, Кремль"
    assert doc.sections == ("Новости", "Совет Безопасности")
    assert doc.to_dict()["published"] == "2025-03-28T14:50:00+03:00"
    assert [(t.name, t.id) for t in doc.tags.topics] == [("Внешняя политика", "82")]
    (speech,) = doc.speeches
    assert (speech.attribution, speech.speaker) == ("В.Путин", "В.Путин")
    assert len(speech.paragraphs) == 3 and doc.omissions == 1
    assert len(doc.participants) == 12
    assert (doc.participants[0].name, doc.participants[0].person_id) == (
        "Валентина Матвиенко",
        "215",
    )
    assert "Матвиенко Валентина Ивановна" not in all_text(doc)


def test_minimal_page_without_head() -> None:
    html = (
        b'<html lang="en"><body><article id="event-5"><h1 class="entry-title">T</h1>'
        b'<div class="entry-content"><p><b>Vladimir Putin:</b> Hello.</p><p>Bye.</p></div>'
        b"</article></body></html>"
    )
    doc = kremlin_html.parse(html)
    assert (doc.title, doc.source_id) == ("T", "5")
    assert doc.speeches[0].paragraphs == ("Hello.", "Bye.")
    assert "no event date on the page" in doc.warnings


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><p>no article, no title</p></body></html>",
        b'<html lang="en"><article><div class="entry-content"></div></article></html>',
    ],
)
def test_not_an_event_page_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        kremlin_html.parse(data, origin="x.html")


def test_stray_byte_in_utf8_page_does_not_garble_the_rest() -> None:
    data = page("en-13679").replace(b"Mr President, friends,", b"Mr President, fr\xe3ends,")
    doc = kremlin_html.parse(data)
    assert doc.speeches[0].paragraphs[0] == "Mr President, fr\ufffdends,"
    assert "’" in doc.speeches[1].paragraphs[4]
    assert any("invalid UTF-8" in w for w in doc.warnings)


def test_sniff_refuses_other_formats() -> None:
    assert kremlin_html.sniff(b"Events\nCSTO summit\nNovember 23, 2023\n", "x.txt") == 0.0
    assert kremlin_html.sniff(b"<?xml version='1.0'?><transcript/>", "x.xml") == 0.0


@pytest.mark.corpus
def test_whole_corpus_parses(corpus_dir: Path) -> None:
    archive = corpus_dir / "kremlin-en-2000-2020.tar.xz"
    if not archive.exists():
        pytest.skip("kremlin-en-2000-2020.tar.xz is not in the corpus")
    pages = speeches = undated = 0
    with tarfile.open(archive, "r:xz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".html"):
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            data = handle.read()
            doc = parse_bytes(data, origin=member.name)
            pages += 1
            speeches += len(doc.speeches)
            undated += doc.date is None
            assert doc.title and doc.source == "en.kremlin.ru" and doc.language == "en"
            assert doc.source_id == Path(member.name).stem
            assert doc.published is not None
            text = all_text(doc)
            leaked = [t for t in leaks(data.decode("utf-8", "replace")) if t in text]
            assert not leaked, (member.name, leaked)
    assert pages == 5829
    assert speeches > 10_000
    assert 100 < undated < 200


def test_back_to_back_bold_runs_are_separate_words() -> None:
    # "<b>Sergei</b><b>Donskoy</b>:" shows as "SergeiDonskoy"; the editor meant two words.
    doc = read("en-54071")
    assert len(doc.speeches) == 21
    glued = doc.speeches[7]
    assert (glued.attribution, glued.speaker, glued.role) == (
        "Sergei Donskoy",
        "Sergei Donskoy",
        None,
    )
    assert glued.paragraphs[0].startswith("We need to focus on economic incentives")
    assert {s.speaker for s in doc.speeches} == {
        "Vladimir Putin",
        "Sergei Donskoy",
        "Sergey Donskoy",
    }


def test_full_stop_after_a_known_speaker_opens_a_turn() -> None:
    # "<b>Vladimir Putin.</b> But control is a must." between two of Boris Titov's turns.
    speeches = read("en-60583").speeches
    assert len(speeches) == 33
    assert [s.speaker for s in speeches[15:18]] == ["Boris Titov", "Vladimir Putin", "Boris Titov"]
    assert speeches[16].paragraphs == ("But control is a must.",)
    assert not any("control is a must" in p for p in speeches[15].paragraphs)


def test_translation_note_keeps_a_nameless_label() -> None:
    # "<b>Executive Chairmanof the World Economic Forum</b> <i>(retranslated)</i><b>:</b>": no
    # name (and a typo), but a reply that must not be added to the President's greeting.
    first, second = read("en-62145").speeches
    assert first.speaker == "Vladimir Putin"
    assert not any("thank you for the warm reception" in p for p in first.paragraphs)
    assert second.attribution.endswith("(retranslated)")
    assert second.paragraphs[0].startswith("Mr President, thank you for the warm reception.")


def test_capitals_keep_the_printed_role() -> None:
    # en.kremlin.ru/events/president/news/7957 and 17767: names in capitals after the role.
    from stenogram.parse.kremlin_html_body import _read_label

    assert _read_label("President and CEO of Nokia Corporation OLLI-PEKKA KALLASVUO", "en") == (
        True,
        "President and CEO of Nokia Corporation",
        "Olli-Pekka Kallasvuo",
    )
    # A trailing acronym is not a name to recase: the name stays the one printed first.
    assert _read_label("Nailya Asker-zade, VGTRK", "en") == (True, "VGTRK", "Nailya Asker-zade")


def test_first_turn_printed_with_a_full_stop() -> None:
    # en.kremlin.ru 56712: "<b>Kseniya Slutskaya. </b>Good afternoon, Mr President." is her
    # first turn: no earlier label names her, the bold full name followed by a sentence does.
    speeches = read("en-56712").speeches
    turn = next(s for s in speeches if s.attribution == "Kseniya Slutskaya")
    assert turn.speaker == "Kseniya Slutskaya"
    assert turn.paragraphs[0].startswith("Good afternoon, Mr President.")
    before = speeches[speeches.index(turn) - 1]
    assert before.paragraphs == ("Simferopol, please.",)


def test_label_without_a_colon() -> None:
    # en.kremlin.ru 55920: "<b>Federal President ... Frank-Walter Steinmeier</b> (retranslated)
    # Thank you." has no colon; his words were Putin's until now.
    putin, steinmeier = read("en-55920").speeches[:2]
    assert not any(p.startswith("Thank you.") for p in putin.paragraphs)
    assert steinmeier.attribution.endswith("Frank-Walter Steinmeier (retranslated)")
    assert (steinmeier.speaker, steinmeier.role) == (
        "Frank-Walter Steinmeier",
        "Federal President of the Federal Republic of Germany",
    )
    assert steinmeier.paragraphs[0] == "Thank you."


def _body(paragraphs: str) -> Document:
    html = (
        '<html lang="en"><body><article id="event-5"><h1 class="entry-title">T</h1>'
        f'<div class="entry-content">{paragraphs}</div></article></body></html>'
    )
    return kremlin_html.parse(html.encode())


@pytest.mark.parametrize(
    "paragraph",
    [
        "<p><b>Russia.</b> It is a big country.</p>",  # a bold word, not a speaker
        "<p><b>Adnan Z.</b> Amin spoke.</p>",  # an initial
        "<p><b>Vladimir Putin</b> said it would work.</p>",  # a sentence about him
    ],
)
def test_bold_words_without_a_colon_are_not_labels(paragraph: str) -> None:
    assert _body(f"<p>Opening words.</p>{paragraph}").speeches == ()


def test_the_page_says_where_a_long_label_s_name_begins() -> None:
    # No word list knows "Total" is the company nor "Xandor" a given name: the same
    # speaker's later label does.
    doc = _body(
        "<p><b>CEO of French Energy Company Total Xandor Pouyanne:</b> Thank you.</p>"
        "<p><b>Vladimir Putin:</b> Please.</p><p><b>Xandor Pouyanne:</b> Yes.</p>"
    )
    first = doc.speeches[0]
    assert (first.speaker, first.role) == ("Xandor Pouyanne", "CEO of French Energy Company Total")
