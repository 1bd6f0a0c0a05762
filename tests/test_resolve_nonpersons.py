"""Labels that name a role or a crowd stay the speech's attribution but are no Person."""

from __future__ import annotations

import datetime as dt

import pytest

from stenogram.model import Document, Speech
from stenogram.resolve import PeopleDirectory
from stenogram.resolve.nonpersons import names_nobody


@pytest.mark.parametrize(
    ("label", "language"),
    [
        ("Caller", "en"),
        ("CALLER", "en"),
        ("Audience member", "en"),
        ("Member of the audience", "en"),
        ("Woman", "en"),
        ("Man:", "en"),
        ("I", "en"),
        ("C", "en"),
        ("T.", "en"),
        ("Prime Minister", "en"),
        ("Unidentified speaker", "en"),
        ("Журналист", "ru"),
        ("Голос из зала", "ru"),
        ("Женщина", "ru"),
        ("Я", "ru"),
    ],
)
def test_role_crowd_pronoun_and_initial_name_nobody(label: str, language: str) -> None:
    assert names_nobody(label, language)


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("Brown", "en"),  # a surname that is also a common word: kept on purpose
        ("Court", "en"),
        ("Mr Keating", "en"),
        ("Prime Minister Paul Keating", "en"),
        ("J. Howard", "en"),
        ("Vladimir Putin", "en"),
        ("В.Путин", "ru"),
        ("Caller Smith", "en"),  # a role word before a name leaves a name
    ],
)
def test_names_with_a_name_part_are_kept(name: str, language: str) -> None:
    assert not names_nobody(name, language)


def _transcript(*speakers: str) -> Document:
    return Document(
        source="pmtranscripts.pmc.gov.au",
        title="Interview with a radio station",
        language="en",
        format="test",
        source_id="1",
        date=dt.date(1995, 3, 1),
        speeches=tuple(Speech(s, s, None, ("…",)) for s in speakers),
    )


def test_a_caller_keeps_the_turn_but_is_no_person() -> None:
    directory = PeopleDirectory()
    found = directory.resolve(_transcript("Paul Keating", "Caller", "Keating", "Woman", "I"))
    keating, caller, again, woman, pronoun = found.speeches
    assert keating is not None and again == keating
    assert caller is woman is pronoun is None
    assert [p.name for p in directory.persons()] == ["Paul Keating"]


def test_a_near_name_is_suggested_across_transliterations() -> None:
    directory = PeopleDirectory()
    directory.resolve(_transcript("Alexander Lukashenko", "Paul Keating", "Caller"))
    assert directory.find("Lukashenka") == []
    assert [p.name for p in directory.near("Lukashenka")] == ["Alexander Lukashenko"]
    assert [p.name for p in directory.near("Лукашенка")] == ["Alexander Lukashenko"]
    assert directory.near("Xyzzy") == []
