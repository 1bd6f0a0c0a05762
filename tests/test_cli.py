"""The ``stenogram`` command as a user meets it: records on stdout, problems on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stenogram import __version__
from stenogram.cli import app
from stenogram.parse import FORMATS

SEED = "seed/000_46537543d1896dfd.txt"


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


def records(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_version() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, f"stenogram {__version__}\n")


def test_parse_is_listed_in_help() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "parse" in out


def test_seed_gives_the_contract_record(shared_dir: Path) -> None:
    expected = json.loads((shared_dir / "contract/seed.expected.json").read_text(encoding="utf-8"))
    code, out, err = run("parse", shared_dir / SEED)
    assert code == 0, err
    (record,) = records(out)
    assert record["title"] == expected["title"]
    assert record["date"] == expected["date"]
    assert [s["attribution"] for s in record["speeches"]] == [
        s["attribution"] for s in expected["speeches"]
    ]
    assert err.splitlines()[-1] == "parsed 1, failed 0"


def test_russian_rows_are_printed_as_utf8_not_escaped(corpus_dir: Path) -> None:
    code, out, err = run("parse", corpus_dir / "kremlin-ru-2025.csv")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 100
    assert "\\u04" not in out  # Cyrillic is printed as is
    first = json.loads(lines[0])
    assert first["title"] == "Российско-китайские переговоры"  # the CSV's own title column
    assert first["url"] == "http://kremlin.ru/events/president/news/76870"
    assert err.splitlines()[-1] == "parsed 100, failed 0"


def test_pretty_prints_indented_records(shared_dir: Path) -> None:
    code, out, _ = run("parse", "--pretty", shared_dir / SEED)
    assert code == 0
    assert out.startswith('{\n  "source": ')
    assert json.loads(out)["language"] == "en"


def test_source_option_forces_a_format(shared_dir: Path) -> None:
    code, out, _ = run("parse", "--source", "kremlin-text", shared_dir / SEED)
    assert code == 0
    assert records(out)[0]["format"] == "kremlin-text"


def test_unknown_source_is_a_usage_error_naming_the_choices(shared_dir: Path) -> None:
    code, out, err = run("parse", "--source", "bbc", shared_dir / SEED)
    assert code == 2 and out == ""
    assert "bbc" in err
    assert all(name in err for name in FORMATS)
    assert "Traceback" not in err


def test_bad_setting_is_a_one_line_config_error(shared_dir: Path) -> None:
    code, out, err = run("parse", shared_dir / SEED, env={"STENOGRAM_MAX_DOCUMENT_BYTES": "lots"})
    assert code == 78 and out == ""
    assert err.startswith("error: STENOGRAM_MAX_DOCUMENT_BYTES='lots' is not valid")
    assert len(err.splitlines()) == 1


def test_size_limit_comes_from_settings(shared_dir: Path) -> None:
    code, out, err = run("parse", shared_dir / SEED, env={"STENOGRAM_MAX_DOCUMENT_BYTES": "1000"})
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"error: {shared_dir / SEED}: document is too large "
        f"({(shared_dir / SEED).stat().st_size:,} bytes; the limit is 1,000)",
        "parsed 0, failed 1",
    ]


def test_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("parse", tmp_path)
    assert code == 66
    assert err == "error: no documents found in the given paths\n"


def test_stdin_is_read_with_a_dash(shared_dir: Path) -> None:
    seed = (shared_dir / SEED).read_bytes()
    result = CliRunner().invoke(app, ["parse", "-"], input=seed)
    assert result.exit_code == 0, result.stderr
    assert records(result.stdout)[0]["origin"] == "<stdin>"


def test_console_script_runs_without_a_traceback(shared_dir: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "stenogram"
    if not script.exists():
        pytest.skip("the stenogram console script is not installed in this environment")
    (tmp_path / "blank.html").write_bytes(b"   \n")
    done = subprocess.run(
        [script, "parse", shared_dir / SEED, tmp_path / "blank.html"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr.decode().splitlines() == [
        f"error: {tmp_path / 'blank.html'}: document is empty",
        "parsed 1, failed 1",
    ]
