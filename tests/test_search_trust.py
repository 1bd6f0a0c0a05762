"""What a fact-checker must be able to trust (issue 17): exact phrases, the passage marked,
nearest passages labelled, ``speaker:`` as the person, facets that say when they are cut."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from stenogram.archive.rows import IndexRow
from stenogram.errors import AmbiguousName
from stenogram.model import NameForm, Person
from stenogram.search import Hit, rebuild, search
from stenogram.search.people import People

LUKASHENKO = Person(
    "alexander-lukashenko",
    "Alexander Lukashenko",
    (
        NameForm("Alexander Lukashenko", "label", "en"),
        NameForm("А.Лукашенко", "initials", "ru"),
        NameForm("Александр Григорьевич Лукашенко", "label", "ru"),
    ),
)
PUTIN = Person("vladimir-putin", "Vladimir Putin", (NameForm("В.Путин", "initials", "ru"),))
S_IVANOV = Person("sergei-ivanov", "Sergei Ivanov")
V_IVANOV = Person("viktor-ivanov", "Viktor Ivanov")
O_IVANOV = Person("oleg-ivanov", "Oleg Ivanov")  # in the archive, never speaks
PEOPLE = People([LUKASHENKO, PUTIN, S_IVANOV, V_IVANOV, O_IVANOV])

# (event, language, title, category, listed participants, speeches: (label, person, role, text))
#: The narrative of event 3: what a speaker said, told by the press office.
TOLD = "Alexander Lukashenko said that the housing projects of the Union State went well."
EVENTS: list[tuple[Any, ...]] = [
    (
        1,
        "en",
        "Meeting on national projects",
        "Events",
        ("oleg-ivanov",),
        [
            (
                "Vladimir Putin",
                "vladimir-putin",
                "President of Russia",
                "We are working on the national projects; the national projects are for people.",
            ),
            (
                "Sergei Ivanov",
                "sergei-ivanov",
                None,
                "This national project is Russia’s — and it is a counter—terrorism project too.",
            ),
            ("Question", None, None, "What about projects of national importance?"),
        ],
    ),
    (
        2,
        "ru",
        "Заседание Высшего государственного совета",
        "События",
        (),
        [
            (
                "А.Лукашенко",
                "alexander-lukashenko",
                "Президент Белоруссии",
                "Национальные проекты – это «наше» общее дело.",
            ),
            ("В.Путин", "vladimir-putin", None, "Национальный проект идёт по плану."),
        ],
    ),
    (
        3,
        "en",
        "Summit of the Union State",
        "Events",
        (),
        [
            (
                "Alexander Lukashenko",
                "alexander-lukashenko",
                "President of Belarus",
                "Housing projects are national, and road projects too.",
            ),
            ("Viktor Ivanov", "viktor-ivanov", None, "Drugs are a threat."),
        ],
    ),
]


def rows(events: list[tuple[Any, ...]] = EVENTS) -> list[IndexRow]:
    out = []
    for event_id, lang, title, category, listed, said in events:
        common: dict[str, Any] = {
            "seq": event_id,
            "event_id": event_id,
            "source": "en.kremlin.ru",
            "source_id": str(event_id),
            "language": lang,
            "title": title,
            "date": dt.date(2019, event_id, 1),
            "place": None,
            "topics": (),
            "geography": (),
            "persons": (),
            "sections": (),
            "category": category,
            "present": tuple(dict.fromkeys((*listed, *(p for _, p, _, _ in said if p)))),
        }
        for n, (label, person, role, text) in enumerate(said, 1):
            out.append(
                IndexRow(
                    kind="speech",
                    speech_id=event_id * 10 + n,
                    position=n,
                    speaker=label,
                    attribution=label,
                    role=role,
                    person_id=person,
                    text=text,
                    url=f"/events/{event_id}#s{n}",
                    **common,
                )
            )
        out.append(
            IndexRow(
                kind="event",
                speech_id=None,
                position=None,
                speaker=None,
                attribution=None,
                role=None,
                person_id=None,
                text=TOLD if event_id == 3 else "",
                url=f"/events/{event_id}",
                **common,
            )
        )
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "index"
    rebuild(path, rows())
    return path


def urls(index: Path, query: str, **options: Any) -> set[str]:
    return {h.url for h in search(index, query, limit=50, people=PEOPLE, **options).hits}


def marks(hit: Hit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


def test_a_quoted_phrase_is_exact_and_a_loose_one_is_not(index: Path) -> None:
    assert urls(index, '"national projects"') == {"/events/1#s1"}
    assert urls(index, '"national project"') == {"/events/1#s2"}
    assert urls(index, '~"national projects"') == {"/events/1#s1", "/events/1#s2"}
    # Unquoted words stay stemmed and in any order.
    assert urls(index, "national projects") >= {"/events/1#s1", "/events/1#s2", "/events/3#s1"}
    assert urls(index, '"Национальные проекты"') == {"/events/2#s1"}
    assert urls(index, '"национальный проект"') == {"/events/2#s2"}


def test_case_punctuation_and_typographic_variants_do_not_matter(index: Path) -> None:
    assert urls(index, '"RUSSIA\'S"') == {"/events/1#s2"}  # printed Russia’s
    assert urls(index, '"counter-terrorism"') == {"/events/1#s2"}  # printed with an em dash
    assert urls(index, '"это наше общее"') == {"/events/2#s1"}  # printed – «наше»


def test_the_snippet_marks_the_phrase_as_one_passage(index: Path) -> None:
    (hit,) = search(index, '"national projects"', people=PEOPLE).hits
    assert marks(hit) == ["national projects", "national projects"]
    (hit,) = search(index, '"Russia\'s" counter', people=PEOPLE).hits
    assert marks(hit) == ["Russia’s"]


def test_a_phrase_that_finds_nothing_offers_the_nearest_passages_labelled(index: Path) -> None:
    result = search(index, '"national projecting" speaker:"Sergei Ivanov"', people=PEOPLE)
    assert result.nearest == "the phrase in another inflection"
    assert [(h.url, h.exact) for h in result.hits] == [("/events/1#s2", False)]
    result = search(index, '"projects national"', people=PEOPLE)
    assert result.nearest == "the words in another order"
    assert result.hits and not any(h.exact for h in result.hits)
    assert "/events/1#s1" in {h.url for h in result.hits}
    nothing = search(index, '"national zebras"', people=PEOPLE)
    assert (nothing.total, nothing.nearest, nothing.hits) == (0, None, [])
    assert search(index, '"national projects"', people=PEOPLE).nearest is None


def test_speaker_means_the_person_in_every_name_form_and_script(index: Path) -> None:
    everything = {"/events/2#s1", "/events/3#s1"}
    for value in (
        "Lukashenko",
        "Лукашенко",
        '"А.Лукашенко"',
        "alexander-lukashenko",
        '"A. Lukashenko"',
    ):
        assert urls(index, f"speaker:{value}") == everything, value
    # Without the archive's persons, only the printed words match: how one form was missed.
    assert {h.url for h in search(index, "speaker:Lukashenko").hits} == {"/events/3#s1"}
    assert urls(index, "speaker:Путин") == {"/events/1#s1", "/events/2#s2"}


def test_an_ambiguous_name_lists_the_candidates_who_spoke(index: Path) -> None:
    with pytest.raises(AmbiguousName) as caught:
        search(index, "speaker:Ivanov", people=PEOPLE)
    assert caught.value.candidates == [
        ("sergei-ivanov", "Sergei Ivanov"),
        ("viktor-ivanov", "Viktor Ivanov"),
    ]
    assert "Sergei Ivanov (sergei-ivanov); Viktor Ivanov (viktor-ivanov)" in caught.value.message
    assert urls(index, 'speaker:"Sergei Ivanov"') == {"/events/1#s2"}
    assert urls(index, "speaker:S.Ivanov") == {"/events/1#s2"}


def test_a_label_that_names_nobody_matches_its_words_and_is_no_facet_value(index: Path) -> None:
    assert urls(index, "speaker:Question") == {"/events/1#s3"}
    result = search(index, "projects OR national OR Drugs", people=PEOPLE)
    facet = dict(result.facets["speaker"])
    assert "Question" not in facet and None not in facet
    assert facet["Alexander Lukashenko"] == 1 and facet["Sergei Ivanov"] == 1
    assert result.total == sum(facet.values()) + 1  # the Question's speech


def test_participant_title_and_category_filters(index: Path) -> None:
    # Oleg Ivanov was listed at event 1 and never spoke there.
    assert urls(index, 'participant:"Oleg Ivanov"') == {f"/events/1#s{n}" for n in (1, 2, 3)}
    assert urls(index, 'participant:"Oleg Ivanov"', events=True) == {"/events/1"}
    assert urls(index, "participant:Lukashenko title:summit") == {"/events/3#s1", "/events/3#s2"}
    assert urls(index, "category:События") == {"/events/2#s1", "/events/2#s2"}
    assert urls(index, "title:summits speaker:Lukashenko") == {"/events/3#s1"}


def test_facets_say_when_they_are_cut(index: Path) -> None:
    result = search(index, "date:2019", people=PEOPLE, facet_limit=2)
    assert len(result.facets["speaker"]) == 2 and result.facet_sizes["speaker"] == 4
    assert result.facets["speaker"][0] == ("Alexander Lukashenko", 2)


def test_a_hit_names_the_role_at_the_time(index: Path) -> None:
    (hit,) = search(index, '"housing projects"', people=PEOPLE).hits
    row = hit.to_dict()
    assert (row["speaker"], row["role"]) == ("Alexander Lukashenko", "President of Belarus")
    assert {"source_id", "speech_id", "url", "highlights", "exact"} <= set(row)


def test_reported_speech_is_counted_when_left_out_and_marked_when_included(index: Path) -> None:
    said = search(index, "speaker:Lukashenko housing", people=PEOPLE)
    assert [h.url for h in said.hits] == ["/events/3#s1"] and said.reported == 1
    both = search(index, "speaker:Lukashenko housing", people=PEOPLE, reported=True)
    assert {(h.url, h.reported) for h in both.hits} == {
        ("/events/3#s1", False),
        ("/events/3", True),
    }
    assert both.total == 2 and both.reported == 0
    # Nothing to report without a speaker, or without words to look for.
    assert search(index, "housing", people=PEOPLE).reported == 0
    assert search(index, "speaker:Lukashenko", people=PEOPLE).reported == 0
    assert search(index, "speaker:Putin housing", people=PEOPLE).reported == 0  # not present


def test_a_rare_misprint_of_a_name_is_searched_with_it_a_namesake_is_not(tmp_path: Path) -> None:
    putin, misprint = ("vladimir-putin", "Vladimir Putin"), ("vladmir-putin", "Vladmir Putin")
    smith, namesake = ("alexander-smith", "Alexander Smith"), ("alexandra-smith", "Alexandra Smith")
    said = [(name, pid, None, "Growth.") for pid, name in
            [putin] * 30 + [misprint] + [smith] * 5 + [namesake] * 5]  # fmt: skip
    rebuild(tmp_path / "index", rows([(1, "en", "Meeting", "Events", (), said)]))
    people = People([Person(i, n) for i, n in (putin, misprint, smith, namesake)])
    found = search(tmp_path / "index", "speaker:Putin", limit=50, people=people)
    assert found.total == 31 and {h.person_id for h in found.hits} == {putin[0], misprint[0]}
    with pytest.raises(AmbiguousName) as caught:
        search(tmp_path / "index", "speaker:Smith", people=people)
    assert caught.value.candidates == [smith, namesake]
