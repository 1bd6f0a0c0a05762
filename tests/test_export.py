"""``stenogram export``: every format from a real archive, read back by the tools researchers use
(csv, DuckDB, pandas, jsonschema, frictionless) and checked against the archive itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import pandas as pd
import pytest
from frictionless import validate
from typer.testing import CliRunner

from exportutil import POPOLO_KINDS, popolo_errors, popolo_validators
from stenogram.archive import Archive
from stenogram.cli import app
from stenogram.errors import QueryError
from stenogram.export.formats import Written, formats, register
from stenogram.export.records import Corpus, Selection
from stenogram.export.run import open_corpus, query_matches
from stenogram.export.tables import TABLES
from stenogram.ingest import ingest
from stenogram.model import Document
from stenogram.parse import parse_bytes
from stenogram.settings import Settings
from webutil import SEED_NAME, fixture_pages

GOLDEN = Path(__file__).resolve().parent / "golden" / "export"
SEED_REF = "c7b7elv43ti47"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Path:
    tmp = tmp_path_factory.mktemp("export")
    pages = tmp / "pages"
    pages.mkdir()
    for page in [*fixture_pages(), shared_dir / "seed" / SEED_NAME]:
        shutil.copy(page, pages / page.name)
    summary = ingest([pages], Settings(archive=tmp / "archive"))
    assert summary.failed == 0
    return tmp / "archive"


@pytest.fixture(scope="module")
def archive(archive_dir: Path) -> Iterator[Archive]:
    with Archive.open(archive_dir, create=False) as opened:
        yield opened


def run(archive_dir: Path, *args: str | Path) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(app, ["--archive", str(archive_dir), "export", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def write(archive: Archive, name: str, out: BinaryIO | Path, **selection: str) -> Written:
    corpus = open_corpus(
        archive, Selection(**selection), now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    return formats()[name].write(corpus, out)


def stream(archive: Archive, name: str, **selection: str) -> bytes:
    out = io.BytesIO()
    write(archive, name, out, **selection)
    return out.getvalue()


# --- the registry -----------------------------------------------------------------------------


def test_builtins_are_in_the_registry_an_outsider_uses(archive_dir: Path) -> None:
    @dataclass(frozen=True)
    class Titles:
        name: str = "titles-test"
        media_type: str = "text/plain"
        suffix: str = ".txt"
        folder: bool = False
        description: str = "one title per line"

        def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
            assert not isinstance(out, Path)
            n = 0
            for event in corpus.events():
                out.write(event.document.title.encode() + b"\n")
                n += 1
            return Written(n, 0)

    register(Titles())
    code, out, _ = run(archive_dir, "--format", "titles-test")
    assert code == 0 and b"CSTO summit\n" in out
    code, listed, _ = run(archive_dir, "--list")
    names = {line.split()[0] for line in listed.decode().splitlines()}
    assert {"jsonl", "csv", "parquet", "dataset", "popolo", "txt", "titles-test"} <= names


def test_bad_requests_get_one_line(archive_dir: Path, tmp_path: Path) -> None:
    code, _, err = run(archive_dir, "--format", "nope")
    assert code == QueryError.exit_code and err.startswith("error: unknown export format 'nope'")
    code, _, err = run(archive_dir, "--format", "csv")
    assert code != 0 and "--out DIR" in err and "Traceback" not in err
    code, _, err = run(archive_dir, "--format", "jsonl", "--event", "no-such-event")
    assert code != 0 and err.count("\n") == 1 and "no-such-event" in err


# --- jsonl ------------------------------------------------------------------------------------


def test_jsonl_is_the_stored_record_with_archive_ids(archive: Archive) -> None:
    lines = [json.loads(line) for line in stream(archive, "jsonl").splitlines()]
    assert len(lines) == archive.counts()["events"]
    assert [r["event_id"] for r in lines] == sorted(r["event_id"] for r in lines)
    for record in lines:
        stored = archive.event(record["event_id"])
        assert Document.from_dict(record) == stored.document
        assert [s["id"] for s in record["speeches"]] == list(stored.speech_ids)
        assert [s["resolved_person_id"] for s in record["speeches"]] == list(stored.speech_people)
        assert record["permalink"] == stored.permalink
        assert [s["permalink"] for s in record["speeches"]] == [
            stored.speech_permalink(n) for n in range(1, len(stored.speech_ids) + 1)
        ]


def test_query_export_holds_only_the_matching_speeches(archive: Archive) -> None:
    lines = [json.loads(line) for line in stream(archive, "jsonl", query="Lukashenko").splitlines()]
    assert lines
    for record in lines:
        assert record["speeches"]
        for speech in record["speeches"]:
            assert "lukashenko" in (speech["text"] + (speech["attribution"] or "")).lower()
    with pytest.raises(QueryError, match="export takes at most 1 "):
        query_matches(archive, "Putin", cap=1)


# --- csv, parquet, dataset --------------------------------------------------------------------


def test_csv_tables_are_rfc4180_and_match_the_archive(archive: Archive, tmp_path: Path) -> None:
    written = write(archive, "csv", tmp_path)
    counts = archive.counts()
    raw = (tmp_path / "speeches.csv").read_bytes()
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "speeches.csv").open(encoding="utf-8", newline="") as fh:
        speeches = list(csv.DictReader(fh))
    assert len(speeches) == written.speeches == counts["speeches"]
    with (tmp_path / "events.csv").open(encoding="utf-8", newline="") as fh:
        events = {int(row["event_id"]): row for row in csv.DictReader(fh)}
    assert len(events) == counts["events"]
    sample = speeches[len(speeches) // 2]
    stored = archive.event(int(sample["event_id"]))
    said = stored.document.speeches[int(sample["position"]) - 1]
    assert sample["text"] == said.text and int(sample["speech_id"]) in stored.speech_ids
    assert events[stored.event_id]["title"] == stored.document.title


def test_parquet_reads_back_typed_in_duckdb_and_pandas(archive: Archive, tmp_path: Path) -> None:
    write(archive, "parquet", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t.name}.parquet" for t in TABLES)
    counts = archive.counts()
    speeches = str(tmp_path / "speeches.parquet")
    events = str(tmp_path / "events.parquet")
    db = duckdb.connect()

    def sql(query: str) -> list[tuple[Any, ...]]:
        return db.execute(query).fetchall()

    assert sql(f"SELECT count(*) FROM '{speeches}'") == [(counts["speeches"],)]
    assert sql(f"SELECT count(*) FROM '{events}'") == [(counts["events"],)]
    frame = pd.read_parquet(events)
    seed = frame[frame["source_id"] == SEED_REF].iloc[0]
    stored = archive.event(SEED_REF)
    assert seed["date"] == stored.document.date and seed["title"] == stored.document.title
    first = stored.document.speeches[0]
    assert sql(
        f"SELECT speech_id, text, words FROM '{speeches}' WHERE event_id = {stored.event_id} "
        "ORDER BY position LIMIT 1"
    ) == [(stored.speech_ids[0], first.text, len(first.text.split()))]
    types = {row[0]: row[1] for row in sql(f"DESCRIBE SELECT * FROM '{events}'")}
    assert (types["event_id"], types["date"], types["time"]) == ("BIGINT", "DATE", "TIME")


def test_dataset_passes_frictionless_validate(archive: Archive, tmp_path: Path) -> None:
    write(archive, "dataset", tmp_path, query="Lukashenko")
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])[:5]
    package = json.loads((tmp_path / "datapackage.json").read_text())
    assert package["stenogram"]["query"] == "Lukashenko"
    assert any(
        "CC BY" in s["title"] or "Creative Commons" in s["title"] for s in package["sources"]
    )
    readme = (tmp_path / "README.md").read_text()
    assert "How to cite" in readme and "Lukashenko" in readme
    assert (tmp_path / "speeches.parquet").is_file()


# --- popolo -----------------------------------------------------------------------------------


def validators_of(shared_dir: Path) -> dict[str, Any]:
    root = shared_dir / "schemas" / "popolo"
    if not root.is_dir():
        pytest.skip("../shared/schemas is not present")
    return popolo_validators(root)


def test_popolo_is_valid_against_the_published_schemas(archive: Archive, shared_dir: Path) -> None:
    validators = validators_of(shared_dir)
    data = json.loads(stream(archive, "popolo"))
    assert set(data) == set(POPOLO_KINDS) and all(data[key] for key in POPOLO_KINDS)
    assert popolo_errors(data, validators) == []
    assert len(data["speeches"]) == archive.counts()["speeches"]
    assert len(data["persons"]) == len(archive.persons())
    people = {p["id"] for p in data["persons"]}
    assert {s["creator_id"] for s in data["speeches"]} - {None} <= people
    # The $refs are followed: a bad nested name is caught through person.json -> other_name.json.
    broken = {**data["persons"][0], "other_names": [{"name": 5}]}
    assert list(validators["persons"].iter_errors(broken))


# --- txt --------------------------------------------------------------------------------------


def test_txt_of_the_seed_parses_and_stores_back_the_same(archive: Archive, tmp_path: Path) -> None:
    write(archive, "txt", tmp_path / "out", event=SEED_REF)
    (exported,) = (tmp_path / "out").iterdir()
    assert exported.name == f"{SEED_REF}.txt"
    stored = archive.event(SEED_REF)
    again = parse_bytes(exported.read_bytes(), origin="again")
    assert again.to_dict() | {"origin": None, "source_id": None} == stored.document.to_dict() | {
        "origin": None,
        "source_id": None,
    }
    summary = ingest([exported], Settings(archive=tmp_path / "again"))
    assert summary.new == 1
    with Archive.open(tmp_path / "again", create=False) as other:
        assert other.event(SEED_REF).document.to_dict() | {"origin": None} == (
            stored.document.to_dict() | {"origin": None}
        )


# --- golden files of the seed's event ---------------------------------------------------------


def _seed_outputs(archive: Archive, tmp: Path) -> dict[str, str]:
    """Each output of the seed's event, its ingest folder (in the record's origin) as PAGES."""
    pages = str(archive.path.parent / "pages")
    outputs = {
        "seed.jsonl": stream(archive, "jsonl", event=SEED_REF).decode(),
        "seed.popolo.json": stream(archive, "popolo", event=SEED_REF).decode(),
    }
    write(archive, "txt", tmp / "txt", event=SEED_REF)
    outputs["seed.txt"] = (tmp / "txt" / f"{SEED_REF}.txt").read_text(encoding="utf-8")
    write(archive, "csv", tmp / "csv", event=SEED_REF)
    for table in TABLES:
        outputs[f"seed.{table.name}.csv"] = (tmp / "csv" / f"{table.name}.csv").read_text(
            encoding="utf-8"
        )
    return {name: text.replace(pages, "PAGES") for name, text in outputs.items()}


def test_seed_event_matches_the_golden_files(
    archive: Archive, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Archive ids are those of an archive built from the sorted fixture pages and the seed."""
    repin = bool(request.config.getoption("--repin"))
    for name, text in _seed_outputs(archive, tmp_path).items():
        path = GOLDEN / name
        if repin:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            continue
        assert path.is_file(), f"golden file {name} is missing: run pytest --repin"
        with path.open(encoding="utf-8", newline="") as fh:
            assert text == fh.read(), f"{name} differs (pytest --repin)"
