"""The query language: text -> tree, and the one-line errors for what cannot be read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stenogram.archive.rows import IndexRow
from stenogram.errors import QueryError
from stenogram.search import rebuild, search
from stenogram.search.query import (
    MAX_CHARS,
    MAX_CLAUSES,
    And,
    DateRange,
    Filter,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    parse,
)


def test_implicit_and_explicit_and_or_not() -> None:
    assert parse("gas Ukraine") == And((Term("gas"), Term("Ukraine")))
    assert parse("gas AND Ukraine") == parse("gas Ukraine")
    assert parse("gas OR oil Ukraine") == Or((Term("gas"), And((Term("oil"), Term("Ukraine")))))
    assert parse("gas AND NOT Europe") == And((Term("gas"), Not(Term("Europe"))))
    assert parse("gas -Europe") == parse("gas AND NOT Europe")
    assert parse('-"gas price"') == Not(Phrase("gas price"))
    assert parse("(gas OR oil) Ukraine") == And((Or((Term("gas"), Term("oil"))), Term("Ukraine")))


def test_lower_case_operators_are_words() -> None:
    assert parse("war and peace") == And((Term("war"), Term("and"), Term("peace")))


def test_phrases_prefixes_and_filters() -> None:
    assert parse('"national projects"') == Phrase("national projects")
    assert parse("sanction*") == Prefix("sanction")
    assert parse('topic:"Foreign policy"') == Filter("topic", "Foreign policy")
    assert parse("Speaker:Putin") == Filter("speaker", "Putin")
    assert parse("from:2016 to:2018-02") == And(
        (DateRange(start=dt.date(2016, 1, 1)), DateRange(end=dt.date(2018, 2, 28)))
    )
    # Not one of ours: plain text, e.g. a time of day or a URL.
    assert parse("http://kremlin.ru") == Term("http://kremlin.ru")


def test_loose_phrases_dates_and_new_filters() -> None:
    assert parse('~"national projects"') == Phrase("national projects", loose=True)
    assert parse('"national projects"') != parse('~"national projects"')
    assert parse("date:2016..2018") == DateRange(dt.date(2016, 1, 1), dt.date(2018, 12, 31))
    assert parse("date:2019-06") == DateRange(dt.date(2019, 6, 1), dt.date(2019, 6, 30))
    assert parse("date:2019-06..") == DateRange(start=dt.date(2019, 6, 1))
    assert parse("date:..2010") == DateRange(end=dt.date(2010, 12, 31))
    assert parse("title:summit category:Interview participant:Howard") == And(
        (
            Filter("title", "summit"),
            Filter("category", "Interview"),
            Filter("participant", "Howard"),
        )
    )
    # A colon that ends a word before a space is text, not a filter.
    assert parse("Note: gas") == And((Term("Note:"), Term("gas")))


def test_lenient_readings() -> None:
    assert parse('"unclosed phrase') == Phrase("unclosed phrase")
    assert parse("(gas OR oil") == Or((Term("gas"), Term("oil")))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("AND", "AND needs a term on each side (column 1)"),
        ("gas OR", "ends where a term was expected"),
        ("gas )", "unmatched ')' (column 5)"),
        ("()", "empty parentheses"),
        ("speaker:", "speaker: needs a value (column 1)"),
        ('gas topic:""', "topic: needs a value (column 5)"),
        ("from:2020-13-45", "not a real date"),
        ("to:yesterday", "to: expects a date YYYY-MM-DD"),
        ("date:2016...2018", "date: expects a date YYYY[-MM[-DD]] or FROM..TO"),
        ("speekr:Putin", "unknown filter speekr:; did you mean speaker:? (column 1)"),
        ("gas titel:summit", "unknown filter titel:; did you mean title:? (column 5)"),
        ("zzz:top", "unknown filter zzz:; known: category:, date:,"),
        ("NOT", "NOT needs a term"),
        ("x" * (MAX_CHARS + 1), f"longer than {MAX_CHARS}"),
        (" ".join(["w"] * (MAX_CLAUSES + 1)), f"more than {MAX_CLAUSES} terms"),
        ("(" * 40 + "gas", "nested deeper"),
    ],
)
def test_errors_are_one_line_and_say_where(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    text = caught.value.message
    assert message in text
    assert "\n" not in text and text.startswith("query ")
    assert len(text) < 200


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "index"
    row = IndexRow(
        kind="speech",
        seq=1,
        event_id=1,
        speech_id=1,
        position=1,
        source="en.kremlin.ru",
        source_id="17766",
        language="en",
        title="Meeting with Russian Human Rights Ombudsman",
        date=dt.date(2013, 3, 28),
        place="Sochi",
        speaker="Vladimir Putin",
        attribution="Vladimir Putin",
        role=None,
        person_id=None,
        text="As you know, these laws are not restrictive; incidentally, there are no "
        "repressive sanctions.",
        topics=("Human rights",),
        geography=(),
        persons=(),
        sections=("News",),
        url="/events/17766#s1",
    )
    rebuild(path, [row])
    return path


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab "()*-+:ANDORTspeakr0129\\\x00я'), max_size=40))
def test_any_input_gives_a_result_or_a_query_error(tiny_index: Path, query: str) -> None:
    try:
        result = search(tiny_index, query)
    except QueryError as exc:
        assert "\n" not in exc.message
    else:
        assert result.total in (0, 1)


def test_punctuation_only_terms_match_nothing_rather_than_fail(tiny_index: Path) -> None:
    assert search(tiny_index, "—").total == 0
    assert search(tiny_index, "— sanctions").total == 1
