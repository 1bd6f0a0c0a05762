"""The Frictionless ``datapackage.json`` and the README of a dataset export.

The package describes the CSV tables column by column (from :data:`.tables.TABLES`), names the
licence and publisher of every source in the export (``data/sources.toml``), and records the
query and the date that made it, so a dataset found years later says what it is.
``frictionless validate datapackage.json`` checks it against the tables (a test runs it).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from .. import __version__
from .records import Corpus
from .tables import TABLES, Table

NAME = "datapackage.json"


@cache
def _sources() -> dict[str, Any]:
    with resources.files("stenogram.export").joinpath("data", "sources.toml").open("rb") as fh:
        return tomllib.load(fh)


def source_info(source: str) -> dict[str, str]:
    """Publisher, title, URL and licence of ``source`` (the "unknown" entry when not listed)."""
    data = _sources()
    found: dict[str, str] = data["sources"].get(source, data["unknown"])
    return found


def _schema(table: Table) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [
            {
                "name": c.name,
                "type": c.type,
                "description": c.description,
                **({"constraints": {"required": True}} if c.required else {}),
            }
            for c in table.columns
        ],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": other, "fields": key}}
            for column, other, key in table.foreign_keys
        ]
    return schema


def _resource(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": table.description,
        "schema": _schema(table),
    }


def package(corpus: Corpus, *, parquet: bool) -> dict[str, Any]:
    about = corpus.describe()
    infos = [source_info(name) for name in sorted(corpus.sources())]
    licences = {info["licence"]: info for info in infos}
    described = {
        "profile": "tabular-data-package",
        "name": "stenogram-export",
        "title": f"stenogram export: {about['selection']}",
        "description": (
            f"Events, speeches and people from a stenogram archive ({about['selection']}), "
            f"exported {about['created']}."
        ),
        "created": about["created"],
        "version": __version__,
        "licenses": [
            {"name": key, "title": info["licence_title"], "path": info["licence_path"]}
            for key, info in licences.items()
            if info["licence_path"]
        ],
        "sources": [
            {"title": f"{info['title']}: {info['publisher']}, {info['licence_title']}"}
            | ({"path": info["path"]} if info["path"] else {})
            for info in infos
        ],
        "resources": [_resource(table) for table in TABLES],
        "stenogram": {
            **about,
            "parquet": [f"{t.name}.parquet" for t in TABLES] if parquet else [],
        },
    }
    return described


def write(corpus: Corpus, out: Path, *, parquet: bool) -> None:
    """The package of the CSV tables in ``out``, naming the Parquet files when ``parquet``."""
    (out / NAME).write_bytes(
        orjson.dumps(package(corpus, parquet=parquet), option=orjson.OPT_INDENT_2)
    )


def write_readme(corpus: Corpus, out: Path, events: int, speeches: int) -> None:
    about = corpus.describe()
    lines = [
        "# stenogram dataset",
        "",
        f"{about['selection'].capitalize()} from a stenogram archive, exported {about['created']}:",
        f"{events} events and {speeches} speeches.",
        "",
        "## Files",
        "",
    ]
    for table in TABLES:
        lines.append(f"- `{table.name}.csv`, `{table.name}.parquet`: {table.description}")
    lines += [
        f"- `{NAME}`: the Frictionless data package: every column's type and meaning, keys,",
        "  sources and licences (`frictionless validate datapackage.json` checks the CSV files).",
        "",
        "Load it with pandas (`pd.read_parquet('speeches.parquet')`), R (`arrow::read_parquet`),",
        "DuckDB (`SELECT * FROM 'speeches.parquet'`) or any CSV reader.",
        "",
        "## Sources and licences",
        "",
    ]
    for name in sorted(corpus.sources()):
        info = source_info(name)
        lines.append(
            f"- {name}: content by {info['publisher']}, {info['licence_title']}"
            + (f" ({info['licence_path']})" if info["licence_path"] else "")
        )
    lines += [
        "",
        "## How to cite",
        "",
        "Cite each speech by its publisher and its permalink (the `permalink` column), e.g.:",
        "Speaker (role), “Event title”, place, date. Publisher, accessed DATE. Source: URL.",
        "Archived at PERMALINK. Name the publishers and licences above when you reuse the text.",
    ]
    if about["query"]:
        lines += ["", f"Made by the query: `{about['query']}`."]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
