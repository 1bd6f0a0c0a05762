"""The export formats: one registry that the CLI, the web pages and the API all read.

A format is any object with the attributes of :class:`ExportFormat`; the built-in ones register
themselves here exactly as another package's would (:func:`register`), so nothing in the CLI or
the web names a format. A format writes either one stream (``folder`` False: a file, stdout or an
HTTP response) or a folder of files (``folder`` True: a path that it creates).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import QueryError
from .records import Corpus


@dataclass(frozen=True, slots=True)
class Written:
    """What a format wrote: counts for the CLI's last line, and the files of a folder."""

    events: int
    speeches: int
    files: tuple[str, ...] = ()


class ExportFormat(Protocol):
    @property
    def name(self) -> str:
        """The ``--format`` value and the ``?format=`` of the web."""

    @property
    def media_type(self) -> str:
        """The HTTP Content-Type of the stream (of a folder: of its zip, unused for now)."""

    @property
    def suffix(self) -> str:
        """The file name ending of the stream, or of each file in the folder (``.xml``)."""

    @property
    def folder(self) -> bool:
        """True: writes a folder (``write`` gets a Path); False: one stream (a BinaryIO)."""

    @property
    def description(self) -> str:
        """One line for ``--help`` and the docs."""

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written: ...


_FORMATS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    """Add ``fmt`` to the registry (a later one with the same name replaces it)."""
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> dict[str, ExportFormat]:
    """Every registered format by name, the built-ins loaded first."""
    from . import builtin  # noqa: F401  # registers the built-in formats on import

    return dict(_FORMATS)


def get(name: str) -> ExportFormat:
    found = formats().get(name)
    if found is None:
        known = ", ".join(sorted(formats()))
        raise QueryError(f"unknown export format {name!r}; known: {known}")
    return found


def stream(out: BinaryIO | Path, name: str) -> BinaryIO:
    """The stream a one-stream format writes to (the registry's contract, checked once)."""
    if isinstance(out, Path):
        raise QueryError(f"format {name} writes one stream, not a folder")
    return out


def folder(out: BinaryIO | Path, name: str) -> Path:
    """The folder a folder format writes into, created when missing."""
    if not isinstance(out, Path):
        raise QueryError(f"format {name} writes a folder: give --out DIR")
    out.mkdir(parents=True, exist_ok=True)
    return out
