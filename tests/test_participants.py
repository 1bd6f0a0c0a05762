"""Prose participant lists, from the seed text version and from real en.kremlin.ru paragraphs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stenogram.model import Participant
from stenogram.parse.participants import participants_from_prose

SUMMIT = (
    "Also participated in the summit President of Belarus Alexander Lukashenko, President of"
    " Kazakhstan Kassym-Jomart Tokayev, President of Kyrgyzstan Sadyr Japarov, President of"
    " Tajikistan Emomali Rahmon, and Secretary General of the Collective Security Treaty"
    " Organisation Imangali Tasmagambetov."
)
OFFICIALS = (
    "A plenary meeting of the CSTO’s Collective Security Council took place following talks in a"
    " restricted attendance format. The following Russian officials attended the meeting:"
    " Security Council Secretary Nikolai Patrushev, Presidential Aide Yury Ushakov, Defence"
    " Minister Sergei Shoigu, Deputy Chief of Staff of the Presidential Executive Office,"
    " Presidential Press Secretary Dmitry Peskov, Deputy Foreign Minister Alexander Pankin and"
    " Ambassador Extraordinary and Plenipotentiary of the Russian Federation to Belarus Boris"
    " Gryzlov."
)

# en.kremlin.ru/events/president/news/17566 (a Security Council meeting), text and person links.
SECURITY_COUNCIL = (
    "Taking part in the meeting were Council of Federation Chairperson Valentina Matviyenko, State"
    " Duma Speaker Sergei Naryshkin, Chief of Staff of the Presidential Executive Office Sergei"
    " Ivanov, Security Council Secretary Nikolai Patrushev, Foreign Minister Sergei Lavrov,"
    " Interior Minister Vladimir Kolokoltsev, Defence Minister Sergei Shoigu, Federal Security"
    " Service Director Alexander Bortnikov, Foreign Intelligence Service Director Mikhail Fradkov,"
    " Deputy Secretary of the Security Council Rashid Nurgaliyev, and permanent member of the"
    " Security Council Boris Gryzlov."
)
SECURITY_COUNCIL_LINKS = [
    ("Valentina Matviyenko", "215"),
    ("Sergei Naryshkin", "1"),
    ("Sergei Ivanov", "81"),
    ("Nikolai Patrushev", "148"),
    ("Sergei Lavrov", "132"),
    ("Vladimir Kolokoltsev", "310"),
    ("Sergei Shoigu", "90"),
    ("Alexander Bortnikov", "100"),
    ("Mikhail Fradkov", "265"),
    ("Rashid Nurgaliyev", "89"),
    ("Boris Gryzlov", "74"),
]


def test_seed_lists_match_the_contract(shared_dir: Path) -> None:
    expected = json.loads((shared_dir / "contract" / "seed.expected.json").read_text("utf-8"))
    found = participants_from_prose(SUMMIT, "en") + participants_from_prose(OFFICIALS, "en")
    assert [{"name": p.name, "role": p.role} for p in found] == expected["participants"]


def test_links_mark_names_and_ids() -> None:
    found = participants_from_prose(SECURITY_COUNCIL, "en", SECURITY_COUNCIL_LINKS)
    assert [(p.name, p.person_id) for p in found] == SECURITY_COUNCIL_LINKS
    assert found[0].role == "Council of Federation Chairperson"
    assert found[2].role == "Chief of Staff of the Presidential Executive Office"
    assert found[-1].role == "permanent member of the Security Council"


def test_same_list_without_links() -> None:
    found = participants_from_prose(SECURITY_COUNCIL, "en")
    assert [p.name for p in found] == [name for name, _ in SECURITY_COUNCIL_LINKS]
    assert found[7] == Participant("Alexander Bortnikov", "Federal Security Service Director")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The meeting was also attended by Chief of Staff of the Presidential Executive Office"
            " Anton Vaino and First Deputy Chief of Staff of the Presidential Executive Office"
            " Sergei Kiriyenko.",
            [
                ("Anton Vaino", "Chief of Staff of the Presidential Executive Office"),
                (
                    "Sergei Kiriyenko",
                    "First Deputy Chief of Staff of the Presidential Executive Office",
                ),
            ],
        ),
        (
            "Russian Foreign Minister Sergei Lavrov also took part in the meeting.",
            [("Sergei Lavrov", "Russian Foreign Minister")],
        ),
        (
            "Also present at the ceremonies were President of Armenia Serzh Sargsyan and Prime"
            " Minister of Moldova Pavel Filip.",
            [
                ("Serzh Sargsyan", "President of Armenia"),
                ("Pavel Filip", "Prime Minister of Moldova"),
            ],
        ),
        (
            "The meeting participants included Prime Minister Dmitry Medvedev, Finance Minister"
            " Anton Siluanov, and Central Bank Governor Elvira Nabiullina.",
            [
                ("Dmitry Medvedev", "Prime Minister"),
                ("Anton Siluanov", "Finance Minister"),
                ("Elvira Nabiullina", "Central Bank Governor"),
            ],
        ),
        (
            "On the Russian side, Presidential Aide Yury Ushakov, Minister of Industry and Trade"
            " Denis Manturov, and Minister of Energy Alexander Novak took part in the narrow-format"
            " meeting.",
            [
                ("Yury Ushakov", "Presidential Aide"),
                ("Denis Manturov", "Minister of Industry and Trade"),
                ("Alexander Novak", "Minister of Energy"),
            ],
        ),
    ],
)
def test_real_list_forms(text: str, expected: list[tuple[str, str]]) -> None:
    found = participants_from_prose(text, "en")
    assert [(p.name, p.role) for p in found] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Vladimir Putin took part in a session of the Collective Security Council in Minsk.",
        "Taking part in the Bishops’ Council are currently active bishops, including parish heads,"
        " honorary church superiors, members of the Higher Church Council.",
        "Meeting participants discussed fulfilling the agreements on Idlib.",
        "A package of documents was signed following the summit.",
    ],
)
def test_not_a_list(text: str) -> None:
    assert participants_from_prose(text, "en") == ()


def test_russian_list() -> None:
    found = participants_from_prose(
        "В заседании приняли участие Министр обороны Андрей Белоусов, помощник Президента"
        " Юрий Ушаков и пресс-секретарь Президента Дмитрий Песков.",
        "ru",
    )
    assert [(p.name, p.role) for p in found] == [
        ("Андрей Белоусов", "Министр обороны"),
        ("Юрий Ушаков", "помощник Президента"),
        ("Дмитрий Песков", "пресс-секретарь Президента"),
    ]


# en.kremlin.ru 39038 and 63173: "NAME, role; NAME, role; ..." without person links.
KASYANOV = (
    "The meeting was attended by Mikhail Kasyanov, first deputy prime minister and finance "
    "minister; Alexander Voloshin, chief of staff of the presidential executive office; Alexei "
    "Kudrin, first deputy finance minister; German Gref, head of the Centre for Strategic "
    "Projects, and representatives of some ministries and agencies."
)
GINTSBURG = (
    "The videoconference meeting was attended by Alexander Gintsburg, Director of the Gamaleya "
    "National Research Centre of Epidemiology and Microbiology; Vadim Govorun, Director of the "
    "Federal Research & Clinical Centre of Physical-Chemical Medicine; Ivan Dedov, President of "
    "the National Medical Research Centre for Endocrinology; and Viktor Fomin, Vice-Rector of the "
    "Sechenov First Moscow State Medical University."
)


def test_name_first_list_gives_each_role_to_its_person() -> None:
    found = [(p.name, p.role) for p in participants_from_prose(KASYANOV, "en")]
    assert found == [
        ("Mikhail Kasyanov", "first deputy prime minister and finance minister"),
        ("Alexander Voloshin", "chief of staff of the presidential executive office"),
        ("Alexei Kudrin", "first deputy finance minister"),
        ("German Gref", "head of the Centre for Strategic Projects"),
    ]


def test_name_first_list_with_unknown_role_words() -> None:
    found = participants_from_prose(GINTSBURG, "en")
    assert [p.name for p in found] == [
        "Alexander Gintsburg",
        "Vadim Govorun",
        "Ivan Dedov",
        "Viktor Fomin",
    ]
    assert (
        found[1].role
        == "Director of the Federal Research & Clinical Centre of Physical-Chemical Medicine"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # en.kremlin.ru 29599
            "The Russian President arrived in Kyrgyzstan to inspect the Russian airbase and take "
            "part in an investment forum. He was accompanied by Foreign Minister Igor Ivanov and "
            "Defence Minister Sergei Ivanov.",
            ["Igor Ivanov", "Sergei Ivanov"],
        ),
        (  # en.kremlin.ru 33255
            "Accompanied by head of the Palestinian National Authority Mahmoud Abbas, "
            "Vladimir Putin entered Yasser Arafat’s mausoleum.",
            ["Mahmoud Abbas"],
        ),
        ("Vladimir Putin laid a wreath, accompanied by veterans.", []),
    ],
)
def test_accompanied_by(text: str, expected: list[str]) -> None:
    assert [p.name for p in participants_from_prose(text, "en")] == expected


def test_paragraph_without_list_words_is_skipped_quickly() -> None:
    assert participants_from_prose("Colleagues, good afternoon. Let us begin.", "en") == ()
