"""CSV and Parquet: the tables of :mod:`.tables`, one file per table, written as events stream.

CSV is RFC 4180 (CRLF line ends, quotes doubled, UTF-8 without a byte-order mark) with a
``datapackage.json`` that describes it. Parquet keeps the types (dates as dates, ids as 64-bit
integers) and buffers each table up to a row group before writing it, so memory stays bounded
by one row group per table whatever the archive's size.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from . import datapackage
from .formats import Written, folder, register, stream
from .records import Corpus
from .tables import SPEECHES, TABLES, Row, Table, rows_by_table, speech_rows, text_value

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

#: Rows per Parquet row group. A speech row is ~1.7 kB of text on average, so a group is ~30 MB
#: of text: big enough for scans to read whole columns at once, small enough that the rows
#: waiting for it (as Python objects, ~3x their text) keep the export under 300 MB of RSS.
ROW_GROUP = 20_000


def write_csv(corpus: Corpus, out: Path) -> Written:
    files: dict[str, IO[str]] = {}
    writers: dict[str, Any] = {}
    try:
        for table in TABLES:
            # newline="" lets the csv module write the CRLFs RFC 4180 asks for.
            fh: IO[str] = (out / f"{table.name}.csv").open("w", encoding="utf-8", newline="")
            files[table.name] = fh
            writers[table.name] = csv.writer(fh, lineterminator="\r\n")
            writers[table.name].writerow([c.name for c in table.columns])

        def sink(name: str, rows: list[Row]) -> None:
            writers[name].writerows([[text_value(v) for v in row] for row in rows])

        events, speeches = rows_by_table(corpus, sink)
    finally:
        for fh in files.values():
            fh.close()
    return Written(events, speeches, tuple(f"{t.name}.csv" for t in TABLES))


def _arrow_type(kind: str) -> pa.DataType:
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "string": pa.string(),
        "date": pa.date32(),
        "time": pa.time32("s"),
        "datetime": pa.timestamp("s", tz="UTC"),
    }[kind]


def arrow_schema(table: Table) -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [pa.field(c.name, _arrow_type(c.type), nullable=not c.required) for c in table.columns]
    )


@dataclass(slots=True)
class _ParquetTable:
    table: Table
    writer: pq.ParquetWriter
    pending: list[Row]

    def add(self, rows: list[Row]) -> None:
        self.pending.extend(rows)
        if len(self.pending) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if not self.pending:
            return
        # pyarrow converts each column in C; a naive publication time is taken as UTC.
        columns = zip(*self.pending, strict=True)
        arrays = [
            pa.array(values, type=_arrow_type(c.type))
            for c, values in zip(self.table.columns, columns, strict=True)
        ]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.writer.schema))
        self.pending = []


def _open_parquet(table: Table, where: Path | BinaryIO) -> _ParquetTable:
    import pyarrow.parquet as pq

    writer = pq.ParquetWriter(where, arrow_schema(table), compression="zstd")
    return _ParquetTable(table, writer, [])


def write_parquet(corpus: Corpus, out: Path) -> Written:
    open_tables: dict[str, _ParquetTable] = {}
    try:
        for table in TABLES:
            open_tables[table.name] = _open_parquet(table, out / f"{table.name}.parquet")
        events, speeches = rows_by_table(corpus, lambda name, rows: open_tables[name].add(rows))
        for parquet in open_tables.values():
            parquet.flush()
    finally:
        for parquet in open_tables.values():
            parquet.writer.close()
    return Written(events, speeches, tuple(f"{t.name}.parquet" for t in TABLES))


@dataclass(frozen=True, slots=True)
class CsvFormat:
    name: str = "csv"
    media_type: str = "text/csv; charset=utf-8"
    suffix: str = ".csv"
    folder: bool = True
    description: str = "CSV tables (events, speeches, persons, …) with a datapackage.json"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        path = folder(out, self.name)
        written = write_csv(corpus, path)
        datapackage.write(corpus, path, parquet=False)
        return Written(written.events, written.speeches, (*written.files, datapackage.NAME))


@dataclass(frozen=True, slots=True)
class ParquetFormat:
    name: str = "parquet"
    media_type: str = "application/vnd.apache.parquet"
    suffix: str = ".parquet"
    folder: bool = True
    description: str = "Parquet tables with typed columns, one file per table"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        return write_parquet(corpus, folder(out, self.name))


@dataclass(frozen=True, slots=True)
class DatasetFormat:
    name: str = "dataset"
    media_type: str = "application/zip"
    suffix: str = ""
    folder: bool = True
    description: str = "CSV and Parquet tables, a Frictionless datapackage.json and a README"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        path = folder(out, self.name)
        # Two passes over the archive (one per table format) keep memory bounded; the
        # Parquet pass reads what the CSV pass read, from the same archive.
        written = write_csv(corpus, path)
        write_parquet(corpus, path)
        datapackage.write(corpus, path, parquet=True)
        datapackage.write_readme(corpus, path, written.events, written.speeches)
        files = (*written.files, *(f"{t.name}.parquet" for t in TABLES))
        return Written(written.events, written.speeches, (*files, datapackage.NAME, "README.md"))


@dataclass(frozen=True, slots=True)
class SpeechesCsvFormat:
    """The speeches table alone as one stream: a search's results as one CSV download."""

    name: str = "speeches-csv"
    media_type: str = "text/csv; charset=utf-8"
    suffix: str = ".csv"
    folder: bool = False
    description: str = "the speeches table alone, as one CSV"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        fh = io.TextIOWrapper(stream(out, self.name), encoding="utf-8", newline="")
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([c.name for c in SPEECHES.columns])
        events = speeches = 0
        for event in corpus.events():
            rows = speech_rows(event, corpus)
            writer.writerows([[text_value(v) for v in row] for row in rows])
            events += 1
            speeches += len(rows)
        fh.flush()
        fh.detach()  # the caller owns the stream and closes it
        return Written(events, speeches)


@dataclass(frozen=True, slots=True)
class SpeechesParquetFormat:
    """The speeches table alone as one Parquet file (a stream the caller opened)."""

    name: str = "speeches-parquet"
    media_type: str = "application/vnd.apache.parquet"
    suffix: str = ".parquet"
    folder: bool = False
    description: str = "the speeches table alone, as one Parquet file"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        parquet = _open_parquet(SPEECHES, stream(out, self.name))
        events = speeches = 0
        try:
            for event in corpus.events():
                rows = speech_rows(event, corpus)
                parquet.add(rows)
                events += 1
                speeches += len(rows)
            parquet.flush()
        finally:
            parquet.writer.close()
        return Written(events, speeches)


CSV = register(CsvFormat())
SPEECHES_CSV = register(SpeechesCsvFormat())
SPEECHES_PARQUET = register(SpeechesParquetFormat())
PARQUET = register(ParquetFormat())
DATASET = register(DatasetFormat())
