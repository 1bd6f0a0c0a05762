"""The ``stenogram`` command: a thin layer over the library.

Each command parses its arguments, calls one library function and formats what comes back.
Records go to standard output (JSON Lines, so that they pipe into ``jq`` or a file); everything
meant for a person goes to standard error, one line per problem, so that a batch of thousands of
pages stays readable and greppable. A :class:`StenogramError` ends a command with that error's
exit code and a one-line message, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import orjson
import typer
from rich.console import Console
from rich.text import Text

from . import __version__
from .errors import SourceError, StenogramError
from .model import Document
from .parse import FORMATS
from .settings import load_settings
from .sources import parse_paths

app = typer.Typer(
    name="stenogram",
    help="Turn press-office event archives into a searchable, citable record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _stderr() -> Console:
    # Created per call so that it writes to whatever sys.stderr is now (tests swap it); soft wrap
    # keeps each message on one line whatever the terminal width.
    return Console(stderr=True, soft_wrap=True, highlight=False, markup=False, emoji=False)


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
) -> None:
    """Turn press-office event archives into a searchable, citable record."""


def _check_source(value: str) -> str:
    if value != "auto" and value not in FORMATS:
        known = ", ".join(["auto", *sorted(FORMATS)])
        raise typer.BadParameter(f"unknown source {value!r} (choose from: {known})")
    return value


@app.command()
def parse(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files, folders, archives (.tar[.gz|.xz|.bz2], .zip) or scraper CSV; - is stdin.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source",
            callback=_check_source,
            help="Format of the documents: auto (detect) or " + ", ".join(sorted(FORMATS)) + ".",
        ),
    ] = "auto",
    pretty: Annotated[bool, typer.Option("--pretty", help="Indent each JSON record.")] = False,
) -> None:
    """Print one JSON record per document (JSON Lines); report failures on stderr."""
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if pretty else 0)
    out: BinaryIO = sys.stdout.buffer
    parsed = failed = 0
    with _user_errors():
        for item in parse_paths(paths, source=source, settings=load_settings()):
            if isinstance(item, Document):
                out.write(orjson.dumps(item.to_dict(), option=option))
                parsed += 1
            else:
                out.flush()  # keep stdout and stderr in document order on a terminal
                _report(item)
                failed += 1
        out.flush()
        if parsed + failed == 0:
            raise SourceError("no documents found in the given paths")
    _stderr().print(f"parsed {parsed}, failed {failed}")
    if failed:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point (click already ends quietly when ``| head`` closes the pipe)."""
    app()


__all__ = ["app", "main"]
