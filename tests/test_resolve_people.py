"""PeopleDirectory: one Person per real person, roles over time, doubts, and hand fixes.

The first tests use small literal Documents shaped like the parser's output for kremlin pages;
the corpus tests at the end read real pages (kremlin.ru content, CC BY 4.0).
"""

from __future__ import annotations

import csv
import datetime as dt
import tarfile
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from stenogram.errors import NotFound
from stenogram.model import Document, Participant, Person, Speech, Tag, Tags
from stenogram.parse import parse_bytes
from stenogram.resolve import PeopleDirectory


def doc(
    day: str,
    speakers: Sequence[tuple[str | None, str | None, str | None]] = (),
    participants: Sequence[tuple[str, str | None, str | None]] = (),
    tags: Sequence[tuple[str, str | None]] = (),
    *,
    source: str = "en.kremlin.ru",
    language: str = "en",
    source_id: str | None = None,
) -> Document:
    """A record with (speaker, role, publisher id) turns, participants and person tags."""
    return Document(
        source=source,
        title=f"Event of {day}",
        language=language,
        format="test",
        source_id=source_id or day,
        date=dt.date.fromisoformat(day),
        speeches=tuple(Speech(name, name, role, ("…",), pid) for name, role, pid in speakers),
        participants=tuple(Participant(n, r, pid) for n, r, pid in participants),
        tags=Tags(persons=tuple(Tag(name, pid) for name, pid in tags)),
    )


def person(directory: PeopleDirectory, person_id: str | None) -> Person:
    assert person_id is not None
    return next(p for p in directory.persons() if p.id == person_id)


def test_every_name_form_of_lukashenko_is_one_person() -> None:
    d = PeopleDirectory()
    first = d.resolve(
        doc(
            "2011-11-25",
            [
                ("Alexander Lukashenko", "President of Belarus", "119"),
                ("Dmitry Medvedev", "President of Russia", None),
                ("Mr Lukashenko", None, "119"),
            ],
            tags=[("Lukashenko Alexander", "119")],
        )
    )
    second = d.resolve(
        doc(
            "2017-06-09",
            [("Alexander Lukashenko", "President of the Republic of Belarus", None)],
        )
    )
    russian = d.resolve(
        doc(
            "2025-04-29",
            [("Лукашенко Александр Григорьевич", "Президент Республики Беларусь", None)],
            source="kremlin.ru",
            language="ru",
        )
    )
    initials = d.resolve(
        doc("2025-03-13", [("А.Лукашенко", None, None)], source="kremlin.ru", language="ru")
    )
    ids = {first.speeches[0], first.speeches[2], second.speeches[0]}
    ids |= {russian.speeches[0], initials.speeches[0]}
    assert ids == {"alexander-lukashenko"}
    luka = person(d, "alexander-lukashenko")
    assert luka.name == "Alexander Lukashenko"
    assert luka.publisher_ids == ("en.kremlin.ru:119",)
    assert {f.text for f in luka.names} == {
        "Alexander Lukashenko",
        "Mr Lukashenko",
        "Lukashenko Alexander",
        "Лукашенко Александр Григорьевич",
        "А.Лукашенко",
    }
    roles = [(m.role, m.first_seen, m.count) for m in luka.memberships]
    assert roles == [
        ("President of Belarus", dt.date(2011, 11, 25), 1),
        ("President of the Republic of Belarus", dt.date(2017, 6, 9), 1),
        ("Президент Республики Беларусь", dt.date(2025, 4, 29), 1),
    ]
    assert first.speeches[1] == "dmitry-medvedev"


def test_publisher_ids_are_shared_between_kremlin_sites_and_beat_names() -> None:
    d = PeopleDirectory()
    en = d.resolve(doc("2013-04-04", [("Sergei Morozov", "Governor of Ulyanovsk Region", "418")]))
    other = d.resolve(doc("2019-02-19", [("Sergei Morozov", "Acting Governor", "575")]))
    ru = d.resolve(
        doc("2019-03-01", [("Сергей Морозов", None, "575")], source="kremlin.ru", language="ru")
    )
    assert en.speeches[0] != other.speeches[0]
    assert ru.speeches == other.speeches
    assert person(d, other.speeches[0]).publisher_ids == ("en.kremlin.ru:575", "kremlin.ru:575")
    doubts = d.doubtful()
    assert [(x.a, x.b) for x in doubts] == [("sergei-morozov", "sergei-morozov-2")]


def test_short_label_resolves_to_the_full_name_earlier_in_the_event() -> None:
    d = PeopleDirectory()
    d.resolve(doc("2010-01-01", [("Lyudmila Putina", "Spouse", None)]))
    out = d.resolve(
        doc(
            "2010-02-02",
            [
                ("Vladimir Putin", "President of Russia", None),
                ("Putin", None, None),
                ("Mr Putin", None, None),
                ("V.Putin", None, None),
                ("Xi Jinping", "President of China", None),
                ("Xi", None, None),
            ],
        )
    )
    assert out.speeches[:4] == ("vladimir-putin",) * 4
    assert out.speeches[4] == out.speeches[5] == "xi-jinping"


def test_initial_that_does_not_fit_is_not_the_person_in_the_document() -> None:
    d = PeopleDirectory()
    out = d.resolve(doc("2010-02-02", [("Vladimir Putin", None, None), ("L.Putin", None, None)]))
    assert out.speeches[0] != out.speeches[1]


def test_non_persons_get_no_id() -> None:
    d = PeopleDirectory()
    out = d.resolve(
        doc(
            "2010-02-02",
            [("Question", None, None), ("Journalist", None, None), (None, "Moderator", None)],
        )
    )
    ru = d.resolve(doc("2010-02-02", [("Вопрос", None, None)], language="ru"))
    assert out.speeches == (None, None, None)
    assert ru.speeches == (None,)
    assert d.persons() == []


def test_two_people_with_one_surname_stay_apart_and_a_bare_surname_is_a_doubt() -> None:
    d = PeopleDirectory()
    out = d.resolve(
        doc(
            "2000-10-05",
            participants=[
                ("Igor Ivanov", "Foreign Minister", None),
                ("Sergei Ivanov", "Secretary of the Security Council", None),
            ],
        )
    )
    assert out.participants == ("igor-ivanov", "sergei-ivanov")
    later = d.resolve(doc("2001-01-01", [("Mr Ivanov", None, None), ("S.Ivanov", None, None)]))
    assert later.speeches[0] not in ("igor-ivanov", "sergei-ivanov")
    assert later.speeches[1] == "sergei-ivanov"
    doubts = {(x.a, x.b) for x in d.doubtful()}
    assert doubts == {("igor-ivanov", "ivanov"), ("ivanov", "sergei-ivanov")}


def test_a_bare_surname_attaches_across_documents_to_a_single_candidate() -> None:
    d = PeopleDirectory()
    d.resolve(doc("2012-12-14", participants=[("Sergei Shoigu", "Defence Minister", "90")]))
    out = d.resolve(doc("2013-01-01", [("Shoigu", None, None), ("С.Шойгу", None, None)]))
    assert out.speeches == ("sergei-shoigu", "sergei-shoigu")
    assert d.doubtful() == []


def test_misprinted_given_name_is_listed_as_a_doubt() -> None:
    d = PeopleDirectory()
    d.resolve(doc("2012-12-14", [("Vladimir Putin", None, None), ("Vladmir Putin", None, None)]))
    assert [(x.a, x.b) for x in d.doubtful()] == [("vladimir-putin", "vladmir-putin")]


def test_roles_over_time() -> None:
    d = PeopleDirectory()
    d.resolve(doc("2000-01-17", participants=[("Sergei Shoigu", "Emergencies Minister", None)]))
    d.resolve(doc("2012-12-14", participants=[("Sergei Shoigu", "Defence  Minister", "90")]))
    d.resolve(doc("2013-02-01", [("Sergei Shoigu", "Defence Minister", None)]))
    d.resolve(doc("2013-02-01", [("Sergei Shoigu", "Defence Minister", None)]))  # re-read
    shoigu = person(d, "sergei-shoigu")
    assert [(m.role, m.first_seen, m.last_seen, m.count) for m in shoigu.memberships] == [
        ("Emergencies Minister", dt.date(2000, 1, 17), dt.date(2000, 1, 17), 1),
        ("Defence Minister", dt.date(2012, 12, 14), dt.date(2013, 2, 1), 2),
    ]


CORPUS = [
    doc("2011-11-25", [("Alexander Lukashenko", "President of Belarus", "119")]),
    doc("2011-11-26", [("Vladimir Putin", None, None), ("Putin", None, None)]),
    doc("2011-11-27", [("Mr Ivanov", None, None)]),
    doc(
        "2011-11-28",
        participants=[("Igor Ivanov", "Foreign Minister", None), ("Sergei Ivanov", None, "81")],
    ),
    doc("2011-11-29", [("Ivanov", None, None), ("Mr Ivanov", None, None)]),
    doc("2011-11-30", [("Vladmir Putin", "President", None), ("Lukashenko", None, None)]),
    doc("2011-12-01", [("Sergei Ivanov", "Chief of Staff", None), ("Vladimir Putin", None, None)]),
]


def resolve_all(d: PeopleDirectory) -> list[tuple[tuple[str | None, ...], ...]]:
    return [(r.speeches, r.participants) for r in map(d.resolve, CORPUS)]


def test_ids_are_stable_when_the_same_documents_are_read_again() -> None:
    first, second = PeopleDirectory(), PeopleDirectory()
    assert resolve_all(first) == resolve_all(second)
    assert first.persons() == second.persons()


def test_overrides_survive_a_rebuild_from_scratch() -> None:
    d = PeopleDirectory()
    resolve_all(d)
    merged = d.merge("vladimir-putin", "vladmir-putin")
    split = d.split("ivanov", ["Ivanov"])
    live = d.persons()
    putin = person(d, "vladimir-putin")
    assert {f.text for f in putin.names} == {"Vladimir Putin", "Putin", "Vladmir Putin"}
    assert [m.role for m in putin.memberships] == ["President"]
    moved = person(d, split.other_id)
    assert {f.text for f in moved.names} == {"Ivanov"}
    assert {f.text for f in person(d, "ivanov").names} == {"Mr Ivanov"}
    assert "vladmir-putin" not in {p.id for p in live}
    assert d.find("vladmir-putin")[0].id == "vladimir-putin"

    rebuilt = PeopleDirectory(overrides=[merged, split])
    results = resolve_all(rebuilt)
    assert rebuilt.persons() == live
    assert results[5][0][0] == "vladimir-putin"
    assert results[4][0] == (split.other_id, "ivanov")

    # The archive's own copy: persons and overrides loaded back, then more documents.
    reloaded = PeopleDirectory(live, [merged, split])
    assert reloaded.persons() == live
    assert reloaded.resolve(CORPUS[5]).speeches[0] == "vladimir-putin"


def test_overrides_name_existing_people() -> None:
    d = PeopleDirectory()
    resolve_all(d)
    with pytest.raises(NotFound):
        d.merge("vladimir-putin", "nobody")
    with pytest.raises(NotFound):
        d.split("vladimir-putin", ["Not A Form"])
    with pytest.raises(NotFound):
        d.split("alexander-lukashenko", ["Alexander Lukashenko", "Lukashenko"])


def test_changed_lists_what_to_save_once() -> None:
    d = PeopleDirectory()
    d.resolve(CORPUS[0])
    assert [p.id for p in d.changed()] == ["alexander-lukashenko"]
    assert d.changed() == []
    d.resolve(CORPUS[1])
    assert [p.id for p in d.changed()] == ["vladimir-putin"]


def test_find_by_name_form_or_id() -> None:
    d = PeopleDirectory()
    resolve_all(d)
    assert [p.id for p in d.find("Лукашенко Александр")] == ["alexander-lukashenko"]
    assert [p.id for p in d.find("Alexander Lukashenko")] == ["alexander-lukashenko"]
    assert [p.id for p in d.find("А.Лукашенко")] == ["alexander-lukashenko"]
    assert {p.id for p in d.find("Ivanov")} >= {"igor-ivanov", "sergei-ivanov", "ivanov"}
    assert [p.id for p in d.find("sergei-ivanov")] == ["sergei-ivanov"]


# --- real pages -------------------------------------------------------------------------------

PAGES = {
    "13679": "Lukashenko, President of Belarus, with Medvedev (2011)",
    "54736": "Lukashenko, President of the Republic of Belarus (2017)",
    "37771": "Shoigu, head of the Emergencies Ministry; Igor Ivanov (2000)",
    "17133": "Shoigu, Defence Minister (2012)",
    "39411": "Igor Ivanov and Sergei Ivanov at one meeting (2000)",
    "17802": "Sergei Morozov, Governor of Ulyanovsk Region, not linked (2013)",
    "51682": "Sergei Morozov, Governor of Ulyanovsk Region, tagged (2016)",
    "59862": "Sergei Morozov, Acting Governor of the Astrakhan Region (2019)",
}


@pytest.fixture(scope="module")
def real_documents(corpus_dir: Path) -> list[Document]:
    wanted = {f"{page}.html" for page in PAGES}
    docs: dict[str, Document] = {}
    with tarfile.open(corpus_dir / "kremlin-en-2000-2020.tar.xz") as archive:
        for member in archive:
            name = Path(member.name).name
            handle = archive.extractfile(member) if name in wanted else None
            if handle:
                docs[name] = parse_bytes(handle.read(), origin=name)
    csv.field_size_limit(1 << 30)
    with (corpus_dir / "kremlin-ru-2025.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["url"].endswith(("/76825", "/76448"))]
    russian = [
        parse_bytes(
            "".join(r.get(f"article_full_text_{i}") or "" for i in range(1, 11)).encode(),
            origin=r["url"],
        )
        for r in rows
    ]
    ordered = sorted(docs.values(), key=lambda x: x.date or dt.date.min)
    return ordered + russian


@pytest.mark.corpus
def test_real_pages(real_documents: list[Document]) -> None:
    assert len(real_documents) == len(PAGES) + 2
    d = PeopleDirectory()
    started = time.perf_counter()
    for document in real_documents:
        d.resolve(document)
    assert time.perf_counter() - started < 2

    [luka] = [p for p in d.persons() if "en.kremlin.ru:119" in p.publisher_ids]
    assert luka.name == "Alexander Lukashenko"
    texts = {f.text for f in luka.names}
    assert {"Alexander Lukashenko", "Lukashenko Alexander", "А.Лукашенко"} <= texts
    roles = [m.role for m in luka.memberships]
    assert roles.index("President of Belarus") < roles.index("President of the Republic of Belarus")

    [shoigu] = d.find("Sergei Shoigu")
    dated = [(m.first_seen, m.role) for m in shoigu.memberships]
    assert dated == sorted(dated)
    assert "Emergencies" in dated[0][1] and dated[0][0] == dt.date(2000, 1, 17)
    assert (dt.date(2012, 12, 14), "Defence Minister") in dated

    ivanovs = {p.name for p in d.find("Ivanov")}
    assert {"Igor Ivanov", "Sergei Ivanov"} <= ivanovs
    morozovs = d.find("Sergei Morozov")
    assert len(morozovs) == 2
    assert {pid for p in morozovs for pid in p.publisher_ids} == {
        "en.kremlin.ru:418",
        "en.kremlin.ru:575",
    }
    assert [p.name for p in d.find("Dmitry Medvedev")] == ["Dmitry Medvedev"]
