"""What every command shares: the one ``app``, the ``--archive``/``--json`` options, and the output
and error conventions of the package docstring.

These live apart from the commands so that each command module can register itself on ``app``
and format the same way without importing another command module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import orjson
import typer
from rich.console import Console
from rich.text import Text

from .. import __version__
from ..errors import StenogramError
from ..settings import Settings, load_settings

app = typer.Typer(
    name="stenogram",
    help="Turn press-office event archives into a searchable, citable record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JSON_LINE = orjson.OPT_APPEND_NEWLINE

ArchiveOption = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        metavar="DIR",
        show_default=False,
        help="Archive folder (default: $STENOGRAM_ARCHIVE, else ./archive).",
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        show_default=False,
        help="The archive's database: postgresql://… or a SQLite archive folder "
        "(default: $STENOGRAM_DATABASE, else the archive folder's own).",
    ),
]
IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        metavar="DIR",
        show_default=False,
        help="Where this node keeps its search index (default: $STENOGRAM_INDEX, else "
        "index/ in the archive folder).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _stderr() -> Console:
    # Created per call so that it writes to whatever sys.stderr is now (tests swap it); soft wrap
    # keeps each message on one line whatever the terminal width.
    return Console(stderr=True, soft_wrap=True, highlight=False, markup=False, emoji=False)


def _stdout() -> Console:
    return Console(soft_wrap=True, highlight=False, markup=False, emoji=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _report(exc: StenogramError) -> None:
    _stderr().print(Text("error: ", style="bold red") + Text(_one_line(exc.message)))


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a :class:`StenogramError` into its one-line message and exit code."""
    try:
        yield
    except StenogramError as exc:
        _report(exc)
        raise typer.Exit(exc.exit_code) from None


def _settings(ctx: typer.Context, archive: Path | None) -> Settings:
    """The innermost ``--archive``, ``--database`` and ``--index`` given (``stenogram --archive
    A persons --archive B`` means B); each may come before the command or after it."""
    given: dict[str, Any] = {"archive": archive}
    for name in ("archive", "database", "index"):
        node: Any = ctx
        while given.get(name) is None and node is not None:
            given[name] = node.params.get(name)
            node = node.parent
    return load_settings(given)


def _write_json(value: Any, out: BinaryIO | None = None) -> None:
    (out or sys.stdout.buffer).write(orjson.dumps(value, option=JSON_LINE))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stenogram {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Turn press-office event archives into a searchable, citable record."""


def _columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned plain columns, one row per line whatever the width: ``grep``, ``sort`` and
    ``cut`` work on it, which a wrapped table would defeat. The last column is not padded."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()
        for row in table
    )
