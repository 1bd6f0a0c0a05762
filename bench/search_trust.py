"""Can a fact-checker trust a search? Two figures over an archive (issue 17).

1. ``speaker:`` against the person pages: for the ten persons with the most speeches, the
   speeches ``speaker:"NAME"`` finds beside the count on the person's page.
2. Phrase hits that do not hold the phrase: ``--phrases`` phrases of 2-4 words drawn (seeded)
   from the archive's own speeches, each searched as ``"phrase"``; every hit (up to ``--hits``
   per phrase) is checked against its stored text after folding case, punctuation, typographic
   quotes and dashes.

    cd ../shared/corpus && stenogram ingest --archive /tmp/st-corpus \
        kremlin-en-2000-2020.tar.xz kremlin-ru-2025.csv pm-transcripts-au.tar.xz
    .venv/bin/python bench/search_trust.py /tmp/st-corpus [--phrases 100] [--seed 17]

The script prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
from pathlib import Path

from stenogram.errors import QueryError
from stenogram.queries import search_archive
from stenogram.settings import Settings

_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, every run of punctuation, quotes or dashes one space, padded for a word match."""
    return f" {_NOT_WORD.sub(' ', text.casefold()).strip()} "


def speaker_figures(settings: Settings, db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT s.person_id, p.name, count(*) FROM speeches s JOIN people p ON p.id = s.person_id"
        " GROUP BY s.person_id ORDER BY count(*) DESC LIMIT 10"
    ).fetchall()
    print("speaker: for the ten persons with the most speeches")
    print(f"  {'person':40} {'page':>6} {'found':>6}")
    found_all = page_all = 0
    for _pid, name, count in rows:
        try:
            total = search_archive(settings, f'speaker:"{name}"', limit=0).total
            shown = str(total)
        except QueryError as exc:
            total, shown = 0, f"error: {exc}"
        found_all += total
        page_all += count
        print(f"  {name:40} {count:>6} {shown:>6}")
    print(f"  {'all ten':40} {page_all:>6} {found_all:>6}")


def _phrases(db: sqlite3.Connection, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    ids = [row[0] for row in db.execute("SELECT id FROM speeches WHERE words >= 20 ORDER BY id")]
    phrases: list[str] = []
    while len(phrases) < count:
        (text,) = db.execute(
            "SELECT text FROM speeches WHERE id = ?", (rng.choice(ids),)
        ).fetchone()
        words = [w for w in _NOT_WORD.split(text) if w]
        size = rng.randint(2, 4)
        if len(words) > size:
            start = rng.randrange(len(words) - size)
            phrases.append(" ".join(words[start : start + size]))
    return phrases


def _stored_text(db: sqlite3.Connection, speech_id: int | None, event_id: int) -> str:
    if speech_id is not None:
        row = db.execute("SELECT text FROM speeches WHERE id = ?", (speech_id,)).fetchone()
        return str(row[0]) if row else ""
    told = db.execute(
        "SELECT group_concat(text, ' ') FROM narrative WHERE event_id = ?", (event_id,)
    ).fetchone()[0]
    summary = db.execute("SELECT summary FROM events WHERE id = ?", (event_id,)).fetchone()[0]
    return f"{summary or ''} {told or ''}"


def phrase_figures(
    settings: Settings, db: sqlite3.Connection, count: int, seed: int, per_phrase: int
) -> None:
    checked = wrong = phrases_wrong = 0
    examples: list[str] = []
    for phrase in _phrases(db, count, seed):
        result = search_archive(settings, f'"{phrase}"', limit=per_phrase)
        bad = 0
        for hit in result.hits:
            if getattr(hit, "exact", True) is False:
                continue  # a labelled nearest passage, not a phrase hit
            event_id = db.execute(
                "SELECT event_id FROM speeches WHERE id = ?", (hit.speech_id,)
            ).fetchone()
            text = _stored_text(db, hit.speech_id, event_id[0] if event_id else hit.event_id)
            checked += 1
            if fold(phrase) not in fold(text):
                bad += 1
        wrong += bad
        phrases_wrong += bool(bad)
        if bad and len(examples) < 5:
            examples.append(f'"{phrase}": {bad} of {len(result.hits)} hits')
    print(
        f"phrase hits without the phrase, {count} phrases (seed {seed}, <= {per_phrase} hits each)"
    )
    print(f"  hits checked {checked}, without the phrase {wrong}, phrases affected {phrases_wrong}")
    for line in examples:
        print(f"  e.g. {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--phrases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--hits", type=int, default=100, help="hits checked per phrase")
    args = parser.parse_args()
    settings = Settings(archive=args.archive)
    db = sqlite3.connect(args.archive / "stenogram.db")
    speaker_figures(settings, db)
    phrase_figures(settings, db, args.phrases, args.seed, args.hits)


if __name__ == "__main__":
    main()
