"""The export gate: every format of a whole archive, validated against its published schema.

The fast suite (tests/test_export.py) validates a sample archive; this runs the same checks on
an archive of the whole development corpus: the Popolo object against the Popolo JSON Schemas,
the dataset with ``frictionless validate``, the Parquet tables read back by DuckDB against the
archive's counts, and every JSONL record against the stored record.

    python tests/export_gate.py --archive /tmp/dev-archive [--schemas ../shared/schemas]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb
import orjson
from frictionless import validate

from exportutil import popolo_errors, popolo_validators
from stenogram.archive import Archive
from stenogram.export.formats import get
from stenogram.export.records import Selection
from stenogram.export.run import open_corpus
from stenogram.model import Document

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--schemas", type=Path, default=ROOT.parent / "shared" / "schemas")
    args = parser.parse_args()
    with Archive.open(args.archive, create=False) as archive, tempfile.TemporaryDirectory() as tmp:
        failures = check(archive, args.schemas, Path(tmp))
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


def check(archive: Archive, schemas: Path, out: Path) -> list[str]:
    """Every format of ``archive`` written into ``out`` and checked; the failures (the first
    ten of each kind)."""
    failures: list[str] = []
    counts = archive.counts()

    def write(name: str, target: Path) -> None:
        fmt = get(name)
        corpus = open_corpus(archive, Selection())
        if fmt.folder:
            fmt.write(corpus, target)
        else:
            with target.open("wb") as fh:
                fmt.write(corpus, fh)

    write("popolo", out / "popolo.json")
    data = orjson.loads((out / "popolo.json").read_bytes())
    errors = popolo_errors(data, popolo_validators(schemas / "popolo"))
    print(f"popolo: {sum(len(data[k]) for k in data):,} objects, {len(errors)} schema errors")
    failures += errors[:10]

    write("dataset", out / "dataset")
    report = validate(out / "dataset" / "datapackage.json")
    print(f"dataset: frictionless {'valid' if report.valid else 'INVALID'}")
    if not report.valid:
        found = report.flatten(["type", "fieldName", "rowNumber", "note"])
        failures += [str(error) for error in found[:10]]
    db = duckdb.connect()
    for table, key in (("events", "events"), ("speeches", "speeches")):
        path = out / "dataset" / f"{table}.parquet"
        got = db.execute(f"SELECT count(*) FROM '{path}'").fetchall()[0][0]
        print(f"parquet {table}: {got:,} rows (archive: {counts[key]:,})")
        if got != counts[key]:
            failures.append(f"parquet {table}: {got} rows, archive {counts[key]}")

    write("jsonl", out / "all.jsonl")
    checked = 0
    with (out / "all.jsonl").open("rb") as fh:
        for line in fh:
            record = json.loads(line)
            if checked % 10 == 0:  # every 10th against a fresh read of the event
                stored = archive.event(record["event_id"])
                if Document.from_dict(record) != stored.document:
                    failures.append(f"jsonl: event {record['event_id']} differs")
            checked += 1
    print(f"jsonl: {checked:,} records")
    if checked != counts["events"]:
        failures.append(f"jsonl: {checked} records, archive {counts['events']} events")
    return failures


if __name__ == "__main__":
    sys.exit(main())
