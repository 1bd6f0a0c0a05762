"""Speaker labels: role/name split, non-person labels, label-or-prose, surname-first names.

Examples are labels printed on en.kremlin.ru / kremlin.ru pages of the corpus (checked by eye).
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from stenogram.parse.labels import first_last, is_nonperson, is_turn_label, split_label

SPLITS_EN = [
    (
        "Deputy Chief of Staff of the Presidential Executive Office, Presidential Press Secretary"
        " Dmitry Peskov",
        "Deputy Chief of Staff of the Presidential Executive Office, Presidential Press Secretary",
        "Dmitry Peskov",
    ),
    (
        "President of the Republic of Belarus Alexander Lukashenko",
        "President of the Republic of Belarus",
        "Alexander Lukashenko",
    ),
    ("President of Russia Vladimir Putin", "President of Russia", "Vladimir Putin"),
    ("Kassym-Jomart Tokayev", None, "Kassym-Jomart Tokayev"),
    ("Recep Tayyip Erdogan", None, "Recep Tayyip Erdogan"),
    (
        "President of the European Commission Ursula von der Leyen",
        "President of the European Commission",
        "Ursula von der Leyen",
    ),
    (
        "Deputy Crown Prince and Defence Minister of Saudi Arabia Mohammad bin Salman Al Saud"
        " (retranslated)",
        "Deputy Crown Prince and Defence Minister of Saudi Arabia",
        "Mohammad bin Salman Al Saud",
    ),
    ("President of Syria Bashar al-Assad (re-translated)", "President of Syria", "Bashar al-Assad"),
    (
        "President of the Arab Republic of Egypt Abdel Fattah el-Sisi (retranslated)",
        "President of the Arab Republic of Egypt",
        "Abdel Fattah el-Sisi",
    ),
    ("Federal President Alexander Van der Bellen", "Federal President", "Alexander Van der Bellen"),
    ("V. Putin", None, "V. Putin"),
    ("Vladimir Putin (retranslated)", None, "Vladimir Putin"),
    ("Question", None, "Question"),
    ("Question (retranslated)", None, "Question"),
    ("Question from Perm Territory", None, "Question from Perm Territory"),
    ("Head of Tatarstan Rustam Minnikhanov", "Head of Tatarstan", "Rustam Minnikhanov"),
    ("Gazprom Chairman Viktor Zubkov", "Gazprom Chairman", "Viktor Zubkov"),
    (
        "Chairman of the State Development Corporation VEB.RF Igor Shuvalov",
        "Chairman of the State Development Corporation VEB.RF",
        "Igor Shuvalov",
    ),
    (
        "Minister of Civil Defence, Emergencies and Disaster Relief Vladimir Puchkov",
        "Minister of Civil Defence, Emergencies and Disaster Relief",
        "Vladimir Puchkov",
    ),
    (
        "Director of the State Museum-Preserve Tauric Chersonese Yelena Morozova",
        "Director of the State Museum-Preserve Tauric Chersonese",
        "Yelena Morozova",
    ),
    ("Alisa Shmelyova, metrology engineer", "metrology engineer", "Alisa Shmelyova"),
    (
        "Sergei Mironov, Leader of A Just Russia Faction in the State Duma",
        "Leader of A Just Russia Faction in the State Duma",
        "Sergei Mironov",
    ),
    ("King Abdullah II of Jordan", "King of Jordan", "Abdullah II"),
    (
        "GOVERNOR OF CALIFORNIA ARNOLD SCHWARZENEGGER",
        "GOVERNOR OF CALIFORNIA",
        "ARNOLD SCHWARZENEGGER",
    ),
]

SPLITS_RU = [
    ("В.Путин", None, "В.Путин"),
    ("Р.Кадыров", None, "Р.Кадыров"),
    ("Министр обороны Андрей Белоусов", "Министр обороны", "Андрей Белоусов"),
    (
        "Президент Республики Беларусь Александр Лукашенко",
        "Президент Республики Беларусь",
        "Александр Лукашенко",
    ),
    (
        "Р.Кадыров Кадыров Рамзан Ахматович глава Чеченской Республики",
        "глава Чеченской Республики",
        "Р.Кадыров",
    ),
    ("Голос из зала", None, "Голос из зала"),
]


@pytest.mark.parametrize(("label", "role", "name"), SPLITS_EN)
def test_split_label_en(label: str, role: str | None, name: str) -> None:
    assert split_label(label, "en") == (role, name)


@pytest.mark.parametrize(("label", "role", "name"), SPLITS_RU)
def test_split_label_ru(label: str, role: str | None, name: str) -> None:
    assert split_label(label, "ru") == (role, name)


@pytest.mark.parametrize(("label", "_role", "_name"), SPLITS_EN)
def test_real_labels_are_turns(label: str, _role: str | None, _name: str) -> None:
    assert is_turn_label(label, "en")


@pytest.mark.parametrize(("label", "_role", "_name"), SPLITS_RU)
def test_real_russian_labels_are_turns(label: str, _role: str | None, _name: str) -> None:
    assert is_turn_label(label, "ru")


@pytest.mark.parametrize(
    "prose",
    [
        "The following Russian officials attended the meeting",
        "A plenary meeting took place following talks. The following officials attended",
        "Reporters who have accreditation badges are entitled to attend the following events",
        "Badges for accredited media representatives will be issued at the following sites",
        "Prizes for young culture professionals have been awarded to",
        "The message reads",
        "The document reads, in full",
        "Statements following the meeting",
        "He said",
        "In this regard, I would like to say the following",
        "Taking part in the meeting were Prime Minister Dmitry Medvedev and others as follows",
        "",
    ],
)
def test_prose_is_not_a_turn(prose: str) -> None:
    assert not is_turn_label(prose, "en")


@pytest.mark.parametrize(
    "prose", ["В заседании приняли участие", "Президент сказал следующее", "Это важно"]
)
def test_russian_prose_is_not_a_turn(prose: str) -> None:
    assert not is_turn_label(prose, "ru")


def test_nonperson() -> None:
    for label in ("Question", "Remark", "Reply", "Journalist", "Question (retranslated)"):
        assert is_nonperson(label, "en"), label
    for label in ("Вопрос", "Реплика", "Голос из зала"):
        assert is_nonperson(label, "ru"), label
    assert not is_nonperson("Vladimir Putin", "en")
    assert not is_nonperson("В.Путин", "ru")


def test_first_last() -> None:
    assert first_last("Lukashenko Alexander", "en") == "Alexander Lukashenko"
    assert first_last("Лукашенко Александр Григорьевич", "ru") == "Александр Григорьевич Лукашенко"
    assert first_last("Erdogan Recep Tayyip", "en") == "Recep Tayyip Erdogan"
    assert first_last("Putin", "en") == "Putin"


_TOOLTIP = re.compile(r'<span class="read__tooltip.*?</span>\s*</span>\s*</span>', re.S)
_BOLD = re.compile(r"<p[^>]*>\s*<(b|strong)>(.*?)</\1>\s*(\([^)<]{0,40}\))?\s*(:?)", re.S)


def _bold_labels(corpus_dir: Path) -> list[str]:
    labels: list[str] = []
    with tarfile.open(corpus_dir / "kremlin-en-2000-2020.tar.xz") as tar:
        for member in tar:
            fh = tar.extractfile(member) if member.name.endswith(".html") else None
            if fh is None:
                continue
            page = _TOOLTIP.sub("", fh.read().decode("utf-8", "replace"))
            for m in _BOLD.finditer(page):
                text = " ".join(re.sub(r"<[^>]+>", "", m.group(2)).split())
                if text.endswith(":") or m.group(4):
                    labels.append(text.rstrip(":").strip())
    return labels


@pytest.mark.corpus
def test_corpus_bold_labels(corpus_dir: Path) -> None:
    """Every bold "Label:" of the en pages is a turn whose name is printed in the label."""
    labels = [label for label in _bold_labels(corpus_dir) if label]
    assert len(labels) > 10_000
    rejected = [label for label in labels if not is_turn_label(label, "en")]
    # The few rejected ones are bold prose before a list ("The message reads:").
    assert len(rejected) / len(labels) < 0.003, sorted(set(rejected))[:40]
    for label in set(labels) - set(rejected):
        role, name = split_label(label, "en")
        assert name, label
        assert name in label, label
        if role:
            assert role.split()[0] in label, label


@pytest.mark.parametrize(
    ("label", "language"),
    [
        ("Текст Указа", "ru"),  # kremlin.ru/events/president/news/76612: a decree's text
        ("Справка", "ru"),
        ("Повестка дня", "ru"),
        ("Note for the CIS media", "en"),  # en.kremlin.ru 55799: a press notice
    ],
)
def test_headings_are_not_turns(label: str, language: str) -> None:
    assert not is_turn_label(label, language)


@pytest.mark.parametrize(
    ("label", "role", "name"),
    [
        # After a country the whole run is the name, however many words it has.
        ("President of Pakistan Asif Ali Zardari", "President of Pakistan", "Asif Ali Zardari"),
        (
            "President of Yemen Abd Rabbuh Mansour Hadi",
            "President of Yemen",
            "Abd Rabbuh Mansour Hadi",
        ),
        # A capitalised particle ("Al") stays inside the name after a preposition.
        (
            "Crown Prince of Abu Dhabi Mohammed Al Nahyan",
            "Crown Prince of Abu Dhabi",
            "Mohammed Al Nahyan",
        ),
        # Role words the vocabulary lacks, after a conjunction ("and Disaster Relief"): they end
        # the role, whatever the given name (an unlisted one here).
        (
            "Minister of Civil Defence, Emergencies and Disaster Relief Zakhar Puchkov",
            "Minister of Civil Defence, Emergencies and Disaster Relief",
            "Zakhar Puchkov",
        ),
        # A given name that is also a place word ("German") stays with the surname.
        (
            "Sberbank CEO and Chairman of the Board German Gref",
            "Sberbank CEO and Chairman of the Board",
            "German Gref",
        ),
        # "Title Name of See": the see is part of the title, not the name.
        ("Patriarch Theophilos III of Jerusalem", "Patriarch of Jerusalem", "Theophilos III"),
        # Church ranks are titles, not given names.
        ("Archpriest Alexander Tkachenko", "Archpriest", "Alexander Tkachenko"),
        # A gloss in parentheses belongs to the role.
        (
            "Head of the Federal Agency for River Transport (Rosmorrechflot) Yury Tsvetkov",
            "Head of the Federal Agency for River Transport (Rosmorrechflot)",
            "Yury Tsvetkov",
        ),
    ],
)
def test_where_the_name_starts(label: str, role: str, name: str) -> None:
    assert split_label(label, "en") == (role, name)


def test_place_before_name_in_russian() -> None:
    # kremlin.ru/events/president/news/76606: "... Посол КНР в РФ Чжан Ханьхуэй"
    role, name = split_label("Чрезвычайный и Полномочный Посол КНР в РФ Чжан Ханьхуэй", "ru")
    assert (role, name) == ("Чрезвычайный и Полномочный Посол КНР в РФ", "Чжан Ханьхуэй")


@pytest.mark.parametrize(
    ("label", "language", "expected"),
    [
        # kremlin.ru/events/president/news/76606: the Chinese minister's reply, no role printed.
        ("Ван И (как переведено)", "ru", True),
        ("Executive Chairman of the World Economic Forum (retranslated)", "en", True),
        # A note that is not about translation makes no label of a nameless phrase.
        ("Statements following the meeting (excerpts)", "en", False),
        ("Prizes for young culture professionals (retranslated)", "en", False),
    ],
)
def test_translation_note_marks_a_label(label: str, language: str, expected: bool) -> None:
    assert is_turn_label(label, language) is expected


@pytest.mark.parametrize(
    ("label", "role", "name"),
    [
        # 47105.html: an organisation's name before the person; a known given name starts it.
        (
            "CEO of French Energy Company Total Patrick Pouyanne",
            "CEO of French Energy Company Total",
            "Patrick Pouyanne",
        ),
        # 56378.html: a capitalised particle inside the name is not a role word.
        ("Kate De Pury", None, "Kate De Pury"),
    ],
)
def test_round4_label_splits(label: str, role: str | None, name: str) -> None:
    assert split_label(label, "en") == (role, name)


def test_a_place_word_alone_is_no_role() -> None:
    # "German Gref" reads the same with or without "German" in the list of given names:
    # a nationality alone is nobody's office. A preposition is no name.
    from stenogram.parse.labels import split_by_names

    assert split_label("German Gref", "en") == (None, "German Gref")
    assert split_label("Jordan Xandorov", "en") == (None, "Jordan Xandorov")
    assert split_label("Minister Lavrov", "en")[1] == "Lavrov"
    assert split_by_names("CEO of Total Xandor Pouyanne", ["Xandor Pouyanne"]) == (
        "CEO of Total",
        "Xandor Pouyanne",
    )
    assert split_by_names("Xandor Pouyanne", ["Xandor Pouyanne"]) == (None, "Xandor Pouyanne")
    assert split_by_names("Ben Pouyanne", ["Xandor Pouyanne"]) is None
