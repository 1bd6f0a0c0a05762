"""Every query example of ``stenogram search --help``, the README and docs/ finds something on
the demo archive (issue 17: an example that quietly finds nothing teaches a wrong syntax)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from stenogram.cli.archive import SEARCH_EXAMPLES
from stenogram.demo.__main__ import main
from stenogram.queries import search_archive
from stenogram.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
#: ``stenogram search '...'`` in a shell block.
_COMMAND = re.compile(r"stenogram search '([^']+)'")
#: The first column of a table row in docs/query-language.md: `query`, `query`, ...
_ROW = re.compile(r"^\| (`.+?`) \|", re.MULTILINE)
_CODE = re.compile(r"`([^`]+)`")


def readme_examples() -> list[str]:
    return _COMMAND.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def docs_examples() -> list[str]:
    found = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        found += _COMMAND.findall(text)
        if doc.name == "query-language.md":
            found += [q for row in _ROW.findall(text) for q in _CODE.findall(row)]
    return found


def test_the_examples_are_where_the_test_reads_them() -> None:
    assert len(readme_examples()) >= 3 and len(docs_examples()) >= 20
    assert {"speaker:Putin", "date:2016..2018"}.isdisjoint(readme_examples())
    shown = subprocess.run(
        [sys.executable, "-m", "stenogram", "search", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "400", "PATH": ""},
    ).stdout
    assert all(q in shown for q in SEARCH_EXAMPLES)


@pytest.fixture(scope="module")
def demo(shared_dir: Path, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo as ``make demo`` builds it beside the corpus (both languages)."""
    archive = tmp_path_factory.mktemp("demo") / "archive"
    assert main(["--shared", str(shared_dir), "--archive", str(archive)]) == 0
    return Settings(archive=archive)


@pytest.mark.parametrize("query", sorted({*SEARCH_EXAMPLES, *readme_examples(), *docs_examples()}))
def test_every_example_finds_something_on_the_demo(demo: Settings, query: str) -> None:
    result = search_archive(demo, query, limit=1)
    assert result.total > 0 and result.nearest is None, query
