"""Shared fixtures: where ../shared is, golden files (page -> expected JSON), and the database
backends every archive test runs on.

``database`` is parametrised: a test that takes it runs once on SQLite in the archive folder
(None) and once on a fresh PostgreSQL database of a cluster the session starts
(:mod:`pgcluster`), whose URL is also ``STENOGRAM_DATABASE`` for the commands the test runs.
``--backend sqlite`` (or ``postgresql``) runs one of them only.

``STENOGRAM_SHARED`` names another folder for ../shared; pointing it at a missing one shows
which tests need the real corpus (only those skip: the seed and its contract ship with the
project, see :func:`shared_dir`).

Golden files live in tests/golden/. Run ``pytest --repin`` to rewrite them from the current
output after a deliberate parser change, then review the diff before committing.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from exportutil import CORPUS_INPUTS
from pgcluster import Cluster, binaries
from pgreplica import Replica
from sites import Site, SiteServer, kremlin_site
from stenogram.demo import SEED, packaged
from stenogram.ingest import ingest
from stenogram.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STENOGRAM_SHARED") or ROOT.parent / "shared")
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTRACT = FIXTURES / "contract" / "seed.expected.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--repin", action="store_true", help="rewrite golden files from the current output"
    )
    parser.addoption(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=os.environ.get("STENOGRAM_TEST_BACKEND", "both"),
        help="which database backend the archive tests run on (default: both)",
    )


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = metafunc.config.getoption("--backend")
    wanted = BACKENDS if chosen == "both" else (chosen,)
    if "module_database" in metafunc.fixturenames:
        metafunc.parametrize("module_database", wanted, indirect=True, scope="module")
    elif "database" in metafunc.fixturenames:
        metafunc.parametrize("database", wanted, indirect=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the whole session, stopped at its end even after failures."""
    found = binaries()
    if found is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    cluster = Cluster(found)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The archive database of this test: None (SQLite in the folder) or a fresh PostgreSQL
    database, which is also ``STENOGRAM_DATABASE`` for the commands the test runs."""
    url = _new_database(request, str(request.param))
    if url is None:
        monkeypatch.delenv("STENOGRAM_DATABASE", raising=False)
    else:
        monkeypatch.setenv("STENOGRAM_DATABASE", url)
    return url


@pytest.fixture
def new_database(request: pytest.FixtureRequest) -> Callable[[], str | None]:
    """Another database of this test's backend, for a second archive (None: SQLite)."""
    name = "database" if "database" in request.fixturenames else "module_database"
    backend = "sqlite" if request.getfixturevalue(name) is None else "postgresql"
    return lambda: _new_database(request, backend)


def _new_database(request: pytest.FixtureRequest, backend: str) -> str | None:
    if backend == "sqlite":
        return None
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.fresh()


@pytest.fixture(scope="module")
def module_database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """:func:`database` for the tests of a module that share one archive."""
    url = _new_database(request, str(request.param))
    with pytest.MonkeyPatch.context() as patch:
        if url is None:
            patch.delenv("STENOGRAM_DATABASE", raising=False)
        else:
            patch.setenv("STENOGRAM_DATABASE", url)
        yield url


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """../shared, or without it a stand-in holding what the project ships copies of: the seed
    (the package's demo data) and its parse contract (tests/fixtures/contract). So only the
    tests of the real corpus (:func:`corpus_dir`) skip on a machine without ../shared."""
    if SHARED.is_dir():
        return SHARED
    stand_in = tmp_path_factory.mktemp("shared")
    for folder, source in (("seed", packaged() / SEED), ("contract", CONTRACT)):
        (stand_in / folder).mkdir()
        shutil.copy(source, stand_in / folder / source.name)
    return stand_in


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    corpus = shared_dir / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present")
    return corpus


@pytest.fixture(scope="session")
def corpus_archive(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the whole development corpus, ingested once per session (about a minute)
    and shared by every test that reads it: they only read it, never change it."""
    archive = tmp_path_factory.mktemp("corpus") / "archive"
    summary = ingest([corpus_dir / name for name in CORPUS_INPUTS], Settings(archive=archive))
    assert summary.failed <= 1  # one AU file is an empty <transcripts>
    return archive


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


@pytest.fixture(scope="session")
def kremlin_pages(corpus_dir: Path) -> dict[str, bytes]:
    """The en.kremlin.ru fixture site of the crawler tests (tests/sites), built once."""
    return kremlin_site(corpus_dir)


@pytest.fixture
def site(kremlin_pages: dict[str, bytes]) -> Iterator[tuple[Site, SiteServer]]:
    """That site served on 127.0.0.1, on a copy of its pages that a test may change."""
    site = Site(dict(kremlin_pages))
    with SiteServer(site) as server:
        yield site, server


@pytest.fixture(scope="session")
def replica(postgres: Cluster) -> Iterator[Replica]:
    """A hot standby of the session's cluster (``pg_basebackup -R``), stopped at the end."""
    standby = Replica(postgres)
    try:
        standby.start()
        yield standby
    finally:
        standby.stop()
