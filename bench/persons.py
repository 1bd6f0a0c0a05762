"""Persons named by a common noun or pronoun ("Caller", "Woman", "I") in an archive.

A label that names a role or a crowd is no person (see ``stenogram.resolve.nonpersons``); this
counts what got through anyway, over an archive built from the whole development corpus, and
lists them with their speech counts. The word list below is the bench's own, kept apart from the
resolver's data on purpose, so that the figure checks the rule instead of repeating it. Target: 0.

    .venv/bin/python bench/persons.py [--corpus ../shared/corpus] [--archive DIR]

With ``--archive`` an existing archive is measured; otherwise the corpus (both tar.xz, the CSV
and the seed) is ingested into a temporary one first.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

from stenogram.ingest import ingest
from stenogram.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

#: English and Russian common nouns and pronouns seen as speaker labels, plus their near kin.
_WORDS = """
    i me we you he she it they who someone somebody everyone everybody anyone nobody
    caller callers question questions answer journalist journalists reporter reporters
    interviewer interviewee audience member participant participants voice voices moderator
    host compere presenter announcer commentator viewer viewers listener listeners guest crowd
    woman women man men girl boy child children kid kids student students teacher worker
    employee farmer resident residents patient volunteer volunteers protester battler pressman
    speaker unidentified unknown representative spokesman official interpreter translator
    impersonator prime minister president premier chairman secretary
    я мы вы ты он она они кто вопрос реплика ответ голос журналист корреспондент ведущий
    участник женщина мужчина зритель гость студент учитель рабочий житель
"""
COMMON_WORDS = frozenset(_WORDS.split())


def common_named(db: Path) -> list[tuple[str, int]]:
    """(name, speeches) of each person whose every name word is a common noun or pronoun, or who
    is a lone initial."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT p.name, (SELECT count(*) FROM speeches s WHERE s.person_id = p.id) "
            "FROM people p"
        ).fetchall()
    found = []
    for name, speeches in rows:
        words = [w.strip(".:,").casefold() for w in str(name).split()]
        if all(w in COMMON_WORDS for w in words) or all(len(w) < 2 for w in words):
            found.append((str(name), int(speeches)))
    return sorted(found, key=lambda item: -item[1])


def build(corpus: Path, into: Path) -> Path:
    paths = [
        corpus / "kremlin-en-2000-2020.tar.xz",
        corpus / "pm-transcripts-au.tar.xz",
        corpus / "kremlin-ru-2025.csv",
        corpus.parent / "seed" / "000_46537543d1896dfd.txt",
    ]
    ingest([p for p in paths if p.exists()], Settings(archive=into))
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--archive", type=Path, help="measure this archive instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stenogram-persons-") as tmp:
        archive = args.archive or build(args.corpus, Path(tmp) / "archive")
        with sqlite3.connect(archive / "stenogram.db") as conn:
            total = conn.execute("SELECT count(*) FROM people").fetchone()[0]
        found = common_named(archive / "stenogram.db")
        print(f"persons: {total}; named by a common noun or pronoun: {len(found)}")
        for name, speeches in found:
            print(f"  {name}: {speeches} speeches")


if __name__ == "__main__":
    main()
