"""The reference the statistics tests compare with: the stored records read with SQL, texts
split into words as the index's exact analyzer does (letters and digits, lower case, words of
40 bytes or more dropped), and each figure counted here, never through the index."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dbutil import sql_rows
from stenogram import stats
from stenogram.archive import Archive
from stenogram.settings import Settings
from stenogram.stats.distinctive import ALPHA0

STOPWORDS = Path(__file__).resolve().parents[1] / "src/stenogram/stats/data/stopwords.toml"
WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if len(w.encode()) < 40]


def terms_of(words: list[str], stop: frozenset[str]) -> set[str]:
    def kept(word: str) -> bool:
        return len(word) >= 2 and not word.isdigit() and word not in stop

    found = {w for w in words if kept(w)}
    return found | {f"{a} {b}" for a, b in itertools.pairwise(words) if kept(a) and kept(b)}


def has_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@dataclass
class Speech:
    event_id: int
    person_id: str | None
    role: str | None
    date: dt.date | None
    words: list[str]


@dataclass
class Reference:
    """The stored records, read with SQL."""

    speeches: list[Speech]
    dates: dict[int, dt.date | None]
    places: dict[int, str | None]
    present: dict[int, set[str]]
    tags: dict[int, dict[str, set[str]]]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def reference(settings: Settings) -> Reference:
    speeches = [
        Speech(int(e), p, r, _date(d), words_of(t))
        for e, p, r, d, t in sql_rows(
            settings,
            "SELECT s.event_id, s.person_id, s.role, e.date, s.text FROM speeches s "
            "JOIN events e ON e.id = s.event_id",
        )
    ]
    events = sql_rows(settings, "SELECT id, date, place FROM events")
    present: dict[int, set[str]] = defaultdict(set)
    for event_id, person in sql_rows(
        settings,
        "SELECT event_id, person_id FROM participants WHERE person_id IS NOT NULL "
        "UNION SELECT event_id, person_id FROM speeches WHERE person_id IS NOT NULL",
    ):
        present[int(event_id)].add(str(person))
    tags: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for event_id, kind, name in sql_rows(
        settings,
        "SELECT et.event_id, t.kind, t.name FROM event_tags et JOIN tags t ON t.id = et.tag_id",
    ):
        tags[int(event_id)][str(kind)].add(str(name))
    return Reference(
        speeches,
        {int(i): _date(d) for i, d, _ in events},
        {int(i): p for i, _, p in events},
        present,
        tags,
    )


def period(day: dt.date | None, by: str) -> str | None:
    if day is None:
        return None
    return str(day.year) if by == "year" else f"{day.year:04d}-{day.month:02d}"


def top_speaker(ref: Reference) -> str:
    counted = Counter(s.person_id for s in ref.speeches if s.person_id)
    return counted.most_common(1)[0][0]


def expected_trend(
    ref: Reference, term: str, by: str, only: str | None = None
) -> list[dict[str, Any]]:
    phrase = words_of(term)
    words: Counter[str] = Counter()
    used: Counter[str] = Counter()
    for s in ref.speeches:
        label = period(s.date, by)
        if label is None or (only is not None and s.person_id != only):
            continue
        words[label] += len(s.words)
        used[label] += has_phrase(s.words, phrase)
    return [
        {
            "period": label,
            "speeches": used[label],
            "words": words[label],
            "per_million": round(used[label] * 1e6 / words[label], 3) if words[label] else 0.0,
        }
        for label in sorted(words)
    ]


def check_distinctive(archive: Archive, ref: Reference, person: str) -> None:
    stop = frozenset(
        w for text in tomllib.loads(STOPWORDS.read_text())["words"].values() for w in text.split()
    )
    found = stats.distinctive(archive, query=f"speaker:{person}", limit=15)
    assert len(found.terms) == 15
    mine = [terms_of(s.words, stop) for s in ref.speeches if s.person_id == person]
    rest = [terms_of(s.words, stop) for s in ref.speeches if s.person_id != person]
    assert (found.speeches, found.background) == (len(mine), len(rest))
    n_a, n_b = sum(map(len, mine)), sum(map(len, rest))
    for t in found.terms:
        y_a = sum(t.term in s for s in mine)
        y_b = sum(t.term in s for s in rest)
        assert (t.speeches, t.background) == (y_a, y_b), t.term
        alpha = ALPHA0 * (y_a + y_b) / (n_a + n_b)
        delta = math.log((y_a + alpha) / (n_a + ALPHA0 - y_a - alpha)) - math.log(
            (y_b + alpha) / (n_b + ALPHA0 - y_b - alpha)
        )
        assert t.log_odds == pytest.approx(delta, abs=1e-3)
        z = delta / math.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
        assert t.z == pytest.approx(z, abs=1e-3)
        assert not set(t.term.split()) & stop
    assert [t.z for t in found.terms] == sorted((t.z for t in found.terms), reverse=True)
    assert not any(set(t.term.split()) & set(person.split("-")) for t in found.terms)


def attendees(settings: Settings, ref: Reference) -> dict[int, set[str]]:
    """Each event's speakers and participants, and its Persons tags: as the one person whose
    name form it is, else "tag:NAME"."""
    forms: dict[frozenset[str], set[str]] = defaultdict(set)
    for person_id, text in sql_rows(
        settings, "SELECT person_id, text FROM person_names UNION SELECT id, name FROM people"
    ):
        forms[frozenset(WORD.findall(str(text).casefold().replace("ё", "е")))].add(str(person_id))
    found = {e: set(who) for e, who in ref.present.items()}
    for event_id, kinds in ref.tags.items():
        for name in kinds["persons"]:
            ids = forms.get(frozenset(WORD.findall(name.casefold().replace("ё", "е"))), set())
            found.setdefault(event_id, set()).add(min(ids) if len(ids) == 1 else f"tag:{name}")
    return found
