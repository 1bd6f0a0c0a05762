"""The README's tour, pasted as written, works against the archive ``make demo`` builds.

Each command of the tour's ``sh`` blocks runs in a shell at the project's root, with the
environment ``make shell`` gives (the venv's ``bin`` on PATH, ``STENOGRAM_ARCHIVE`` the demo
archive), and must exit 0 and print something. Every id the tour names must therefore exist in
the demo archive, whichever corpus built it (the packaged sample, or ../shared/corpus).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from stenogram.demo.__main__ import main as build_demo

ROOT = Path(__file__).resolve().parent.parent
#: Tour commands not run here, and why (each is tested elsewhere).
NOT_RUN = {
    "make": "sets up the venv the tests run in",
    "serve": "serves until stopped (tests/test_serving.py)",
    "crawl": "fetches from the publisher's site (tests/test_crawl.py, on a local server)",
}


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end > 0 else None]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def tour_commands() -> list[str]:
    tour = _section(ROOT.joinpath("README.md").read_text(encoding="utf-8"), "## A short tour")
    commands: list[str] = []
    for block in _blocks(tour, "sh"):
        for line in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def _skip_reason(command: str) -> str | None:
    words = shlex.split(command)
    if words[0] in NOT_RUN:
        return NOT_RUN[words[0]]
    verb = next(w for w in words[1:] if not w.startswith("-") and w != "archive")
    if verb in NOT_RUN:
        return NOT_RUN[verb]
    if any(w.startswith("../shared") for w in words):
        return "reads the whole development corpus"
    return None


@pytest.fixture(scope="module", params=["sample", "corpus"])
def demo_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_dir: Path
) -> dict[str, str]:
    """The demo archive as ``make demo`` builds it: from the packaged sample, and from
    ../shared/corpus when it is there (a few hundred other pages: the tour's ids must be in
    both)."""
    archive = tmp_path_factory.mktemp("tour") / "demo-archive"
    shared = archive.parent / "none"
    if request.param == "corpus":
        request.getfixturevalue("corpus_dir")  # skips without the corpus
        shared = shared_dir
    assert build_demo(["--shared", str(shared), "--archive", str(archive)]) == 0
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "STENOGRAM_ARCHIVE": str(archive),
    }


def test_the_tour_has_the_commands_it_promises() -> None:
    verbs = {shlex.split(c)[1] for c in tour_commands() if c.startswith("stenogram ")}
    assert {"parse", "info", "search", "show", "persons", "ingest", "serve"} <= verbs
    assert "make shell" in tour_commands()
    makefile = ROOT.joinpath("Makefile").read_text(encoding="utf-8")
    assert re.search(r"^shell:", makefile, re.M) and "STENOGRAM_ARCHIVE=" in makefile


@pytest.mark.parametrize("command", tour_commands())
def test_tour_command_works_as_pasted(command: str, demo_env: dict[str, str]) -> None:
    if reason := _skip_reason(command):
        pytest.skip(reason)
    done = subprocess.run(
        command, shell=True, cwd=ROOT, env=demo_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (command, done.stderr[-500:])
    assert (done.stdout or done.stderr).strip(), command
    assert "Traceback" not in done.stderr


def test_library_example_runs() -> None:
    (example,) = _blocks(
        _section(ROOT.joinpath("README.md").read_text("utf-8"), "## A short tour"), "python"
    )
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip()
