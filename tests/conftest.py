"""Shared fixtures: where ../shared is, and golden files (page -> expected JSON).

Golden files live in tests/golden/. Run ``pytest --repin`` to rewrite them from the current
output after a deliberate parser change, then review the diff before committing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--repin", action="store_true", help="rewrite golden files from the current output"
    )


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    corpus = shared_dir / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present")
    return corpus


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, Any], None]:
    """Compare ``value`` with tests/golden/NAME.json (or rewrite it under ``--repin``)."""
    repin = bool(request.config.getoption("--repin"))

    def check(name: str, value: Any) -> None:
        path = GOLDEN / f"{name}.json"
        rendered = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
        if repin or not path.exists():
            if not repin:
                pytest.fail(f"golden file {path.name} is missing: run pytest --repin to create it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered, encoding="utf-8")
            return
        expected = json.loads(path.read_text(encoding="utf-8"))
        assert value == expected, f"output differs from golden file {path.name} (pytest --repin)"

    return check
