"""The quality gate in the normal suite: the whole corpus may not regress, hand values must hold.

The corpus run is shared by the tests below (one pass, a few seconds). The unit tests at the end
keep the gate's own checks honest: an invariant that can never fire guards nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from quality_gate import (
    EXPECTATIONS,
    Run,
    check_invariants,
    check_transcript,
    expectation_key,
    load_expectations,
    load_pinned,
    regressions,
    run_gate,
    speaker_fits,
)
from stenogram.model import Document, Photo, Speech


@pytest.fixture(scope="module")
def gate_run(corpus_dir: Path) -> Run:
    return run_gate(corpus_dir)


@pytest.mark.corpus
def test_no_figure_regresses_against_pinned(gate_run: Run) -> None:
    pinned = load_pinned()
    assert pinned, "tests/quality/pinned.json is missing: run tests/quality_gate.py --repin"
    failed = regressions(gate_run.figures(), pinned)
    assert not failed, "quality gate regressed:\n" + "\n".join(failed)


@pytest.mark.corpus
def test_every_hand_expectation_is_met(gate_run: Run) -> None:
    missing = gate_run.examples.get("expectation_missing", [])
    assert not missing, f"expectations name documents not in the corpus: {missing}"
    lines = [
        f"{where} {fld}: expected {expected!r}, got {got!r}"
        for where, fld, expected, got in gate_run.disagreements
    ]
    assert not lines, f"{len(lines)} hand-read values disagree:\n" + "\n".join(lines)


@pytest.mark.corpus
def test_gate_parses_the_whole_corpus(gate_run: Run) -> None:
    assert gate_run.pages["en"] == 5829
    assert gate_run.pages["ru"] == 100
    assert gate_run.pages["au"] == 4402
    assert gate_run.text_versions["pages"] == 5829  # every en page printed and read back
    assert gate_run.seconds < 60, f"the gate took {gate_run.seconds:.0f} s"


def test_expectations_are_many_diverse_and_well_formed() -> None:
    pages = load_expectations(EXPECTATIONS)
    en = [p for p in pages if "id" in p]
    ru = [p for p in pages if "url" in p]
    assert len(en) >= 40 and len(ru) >= 8
    assert any("seed" in p for p in pages)
    assert sum("text_of" in p for p in pages) >= 3
    assert sum("transcript" in p for p in pages) >= 3
    keys = [expectation_key(p) for p in pages]
    assert len(keys) == len(set(keys)), "a document is expected twice"
    years = {p["date"][:4] for p in en if p.get("date")}
    assert len(years) >= 12, f"expectations cover only the years {sorted(years)}"


def _doc(*speeches: Speech, **fields: object) -> Document:
    base: dict[str, object] = {
        "source": "en.kremlin.ru",
        "title": "Talks",
        "language": "en",
        "format": "test",
        "date": dt.date(2011, 11, 25),
        "sections": ("News",),
    }
    base.update(fields)
    return Document(speeches=speeches, **base)  # type: ignore[arg-type]


def _names(doc: Document, data: bytes = b"") -> set[str]:
    return {name for name, _ in check_invariants(doc, data)}


def test_a_clean_document_breaks_no_invariant() -> None:
    turn = Speech(
        "President of Belarus Alexander Lukashenko", "Alexander Lukashenko", None, ("Hi.",)
    )
    assert _names(_doc(turn)) == set()


def test_tooltip_leaks_are_caught_by_pattern_and_by_the_page_own_tooltips() -> None:
    doubled = Speech(
        "Nursultan Nazarbayev Nazarbayev Nursultan", "Nursultan Nazarbayev", None, ("x",)
    )
    assert "tooltip_in_turn" in _names(_doc(doubled))
    raw = (
        b'<p><a class="person_tag read__tag">Mr Lukashenko<span class="read__tooltip tooltip_person'
        b' hidden"> <span class="tooltip_title tooltip_link" data-href="/p/1">Lukashenko Alexander'
        b"</span></span></a> said</p>"
    )
    leak = Speech(None, None, None, ("Mr Lukashenko Lukashenko Alexander said",))
    assert "tooltip_in_turn" in _names(_doc(leak), raw)
    glossary = Speech(None, None, None, ("Council Background information Council",))
    assert "glossary_in_turn" in _names(_doc(glossary))


def test_captions_empty_paragraphs_and_footer_text_are_caught() -> None:
    photo = Photo(caption="With President of Belarus.")
    turn = Speech("Question", "Question", None, ("With President of Belarus.", " "))
    found = _names(_doc(turn, photos=(photo,)))
    assert {"box_or_caption_in_turn", "empty_paragraph"} <= found
    footer = Speech("Question", "Question", None, ("Published in sections: News",))
    assert "footer_in_turn" in _names(_doc(footer))


def test_dates_offsets_and_sections_are_checked() -> None:
    naive = dt.datetime(2011, 11, 25, 17, 30)
    found = _names(_doc(date=dt.date(1990, 1, 1), published=naive, sections=()))
    assert {"date_out_of_range", "published_without_offset", "dated_without_sections"} <= found


def test_speaker_must_come_from_the_attribution() -> None:
    assert speaker_fits("President of Russia Vladimir Putin", "Vladimir Putin")
    assert speaker_fits("В.Путин", "Владимир Путин")
    assert speaker_fits("Question", "Question")
    assert not speaker_fits("President of Russia Vladimir Putin", "Dmitry Medvedev")


def test_regressions_respect_each_figure_direction() -> None:
    pinned = {"en.turns": 1000.0, "violations.crash": 0.0, "expect.all": 0.9}
    assert (
        regressions({"en.turns": 1000.0, "violations.crash": 0, "expect.all": 0.95}, pinned) == []
    )
    failed = regressions({"en.turns": 990.0, "violations.crash": 1, "expect.all": 0.9}, pinned)
    assert [line.split(":")[0] for line in failed] == ["en.turns", "violations.crash"]


def test_end_marks_and_labels_in_lower_case_are_caught() -> None:
    doc = _doc(
        Speech("[ENDS]", "[ends]", None, ("x",)),
        Speech("women", "Woman", None, ("As chairman of the board ...",)),
        Speech("PRIME MINISTER", "Malcolm Turnbull", "Prime Minister", ("Thank you.",)),
    )
    found = [name for name, _ in check_transcript(doc)]
    assert found == ["end_mark_turn", "label_in_lower_case"]
    assert {"end_mark_turn", "label_in_lower_case"} <= _names(doc)
