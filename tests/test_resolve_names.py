"""Name parts and matching keys: the spellings one person is printed with must meet."""

from __future__ import annotations

import pytest

from stenogram.resolve.names import (
    given_key,
    parse_name,
    publisher_id,
    publisher_key,
    slug,
    word_key,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Alexander", "Александр"),
        ("Aleksandr", "Alexander"),
        ("Sergei", "Sergey"),
        ("Сергей", "Sergei"),
        ("Yury", "Юрий"),
        ("Yuri", "Iurii"),
        ("Dmitry", "Дмитрий"),
        ("Zelensky", "Зеленский"),
        ("Zelenskiy", "Zelensky"),
        ("Matviyenko", "Матвиенко"),
        ("Tokayev", "Токаев"),
        ("Горбачёв", "Горбачев"),
        ("Gorbachev", "Горбачёв"),
        ("Yevgeny", "Евгений"),
        ("Tatyana", "Татьяна"),
        ("Vyacheslav", "Вячеслав"),
        ("Pyotr", "Пётр"),
        ("Victor", "Viktor"),
        ("Kassym-Jomart", "Касым-Жомарт"),
        ("Shoigu", "Шойгу"),
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert given_key(a) == given_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Vladimir", "Valentina"),
        ("Alexander", "Alexei"),
        ("Igor", "Sergei"),
        ("Lyudmila", "Vladimir"),
    ],
)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert word_key(a) != word_key(b)


def test_every_form_of_one_person_gives_one_full_key() -> None:
    forms = [
        parse_name("Alexander Lukashenko", "en"),
        parse_name("Lukashenko Alexander", "en", surname_first=True),
        parse_name("Лукашенко Александр Григорьевич", "ru"),
        parse_name("Александр Григорьевич Лукашенко", "ru"),
    ]
    assert {p.key for p in forms if p} == {("alexander", "lukashenko")}
    patronymic = forms[2]
    assert patronymic is not None
    assert (patronymic.given, patronymic.patronymic, patronymic.surname) == (
        "Александр",
        "Григорьевич",
        "Лукашенко",
    )


@pytest.mark.parametrize(
    ("text", "language", "surname", "initial"),
    [
        ("А.Лукашенко", "ru", "lukashenko", "a"),
        ("В.Путин", "ru", "putin", "v"),
        ("V.V.Putin", "en", "putin", "v"),
        ("Путин В.В.", "ru", "putin", "v"),
        ("V. Putin", "en", "putin", "v"),
        ("Ю.Ушаков", "ru", "ushakov", "y"),
        ("Mr Putin", "en", "putin", None),
        ("господин Путин", "ru", "putin", None),
        ("Putin", "en", "putin", None),
    ],
)
def test_short_forms_have_a_surname_and_maybe_an_initial(
    text: str, language: str, surname: str, initial: str | None
) -> None:
    parts = parse_name(text, language)
    assert parts is not None
    assert not parts.full
    assert parts.key is None
    assert (parts.surname_key, parts.initial) == (surname, initial)


def test_initial_matches_the_given_name_across_scripts() -> None:
    short = parse_name("Ю.Ушаков", "ru")
    full = parse_name("Yury Ushakov", "en")
    assert short and full and short.initial == full.initial


def test_particles_stay_with_the_surname() -> None:
    parts = parse_name("Ursula von der Leyen", "en")
    assert parts is not None and (parts.given, parts.surname) == ("Ursula", "von der Leyen")
    tag = parse_name("von der Leyen Ursula", "en", surname_first=True)
    assert tag is not None and tag.key == parts.key


@pytest.mark.parametrize("text", ["", "   ", "2020", "the audience", "Mr"])
def test_not_a_name(text: str) -> None:
    assert parse_name(text, "en") is None


def test_publisher_ids_of_one_numbering_fold_together() -> None:
    assert publisher_id("en.kremlin.ru", "119") == "en.kremlin.ru:119"
    assert publisher_id("kremlin.ru", "/catalog/persons/119/events") == "kremlin.ru:119"
    assert publisher_key("kremlin.ru:119") == publisher_key("en.kremlin.ru:119")
    assert publisher_key("en.kremlin.ru:119") != publisher_key("en.kremlin.ru:120")
    assert publisher_key("pmtranscripts.pmc.gov.au:119") != publisher_key("kremlin.ru:119")


def test_slugs_are_latin() -> None:
    assert slug("Alexander Lukashenko") == "alexander-lukashenko"
    assert slug("Александр Лукашенко") == "aleksandr-lukashenko"
    assert slug("!!!") == "person"
