"""Documents from local files, folders and archives, read in place.

Everything here streams: folders are walked lazily, tar archives are read member by member from
the compressed stream and zip members one at a time, and the scraper CSV row by row, so a
corpus of any size is read with memory bounded by the largest single document. Nothing is ever
extracted to disk.

A failure is yielded as a :class:`SourceError` naming the file or member and the iteration goes
on, because one unreadable page must not cost the rest of a batch.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from ..errors import SourceError

#: Suffixes read when walking a folder or an archive; anything else (images, scripts, styles...)
#: is skipped silently. A path named explicitly is always read, whatever its suffix.
DOCUMENT_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".txt", ".xml", ".csv"})
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz")
ZIP_SUFFIXES = (".zip",)

#: The scraper CSV is recognised by these header columns; its page text is split across them.
CSV_TEXT_COLUMNS = tuple(f"article_full_text_{n}" for n in range(1, 11))
#: Format of the text the scraper saved: kremlin.ru's "text version" of a page.
CSV_TEXT_FORMAT = "kremlin-text"

_HEAD_BYTES = 8192
# What a broken compressed stream or archive raises, depending on the codec.
_ARCHIVE_ERRORS = (tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError, zlib.error, EOFError)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """The bytes of one document and where they came from.

    ``name`` is what a user can find again: ``path``, ``archive.tar.xz!member.html`` or
    ``file.csv#row=12``. ``format`` is a hint when the container knows the format, and ``url``
    the document's address when the container recorded it (the parser may not find it inside).
    """

    name: str
    data: bytes
    format: str | None = None
    url: str | None = None


Item = RawDocument | SourceError


def iter_documents(paths: Iterable[str | Path], *, max_bytes: int) -> Iterator[Item]:
    """Every document under ``paths``, in order: files, folders (sorted), archives, CSV rows.

    ``-`` reads standard input. A document larger than ``max_bytes`` is reported, not read.
    """
    for path in paths:
        if str(path) == "-":
            yield from _iter_stream(sys.stdin.buffer, "<stdin>", max_bytes)
        else:
            yield from _iter_path(Path(path), str(path), max_bytes, explicit=True)


def _iter_path(path: Path, name: str, max_bytes: int, *, explicit: bool) -> Iterator[Item]:
    try:
        if path.is_dir():
            yield from _iter_folder(path, name, max_bytes)
            return
        if not path.exists():
            yield SourceError("no such file or directory", document=name)
            return
        if not explicit and not _is_document(path.name, archives=True):
            return
        lower = path.name.lower()
        if lower.endswith(TAR_SUFFIXES):
            yield from _iter_tar(path, name, max_bytes)
        elif lower.endswith(ZIP_SUFFIXES):
            yield from _iter_zip(path, name, max_bytes)
        else:
            with path.open("rb") as fh:
                yield from _iter_stream(fh, name, max_bytes, size=os.fstat(fh.fileno()).st_size)
    except OSError as exc:
        yield SourceError(_os_reason(exc), document=name)


def _iter_folder(folder: Path, name: str, max_bytes: int) -> Iterator[Item]:
    """Walk a folder depth-first in name order; symlinked folders are not followed (no loops)."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield SourceError(_os_reason(exc), document=name)
        return
    for entry in entries:
        if _is_hidden(entry.name):
            continue
        child = os.path.join(name, entry.name)
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
            is_linked_folder = not is_folder and entry.is_dir()
        except OSError as exc:
            yield SourceError(_os_reason(exc), document=child)
            continue
        if is_folder:
            yield from _iter_folder(Path(entry.path), child, max_bytes)
        elif not is_linked_folder:
            yield from _iter_path(Path(entry.path), child, max_bytes, explicit=False)


def _iter_tar(path: Path, name: str, max_bytes: int) -> Iterator[Item]:
    """Stream a (compressed) tar; a broken stream ends the archive with one error."""
    current = None
    try:
        with (
            path.open("rb") as raw,
            _decompressed(raw) as stream,
            tarfile.open(fileobj=stream, mode="r|") as tar,
        ):
            while (member := tar.next()) is not None:
                # tarfile remembers every member it has seen; forget them to keep memory flat.
                tar.members.clear()  # type: ignore[attr-defined]
                current = member.name
                if not member.isfile() or not _is_document(member.name, archives=False):
                    continue
                fh = tar.extractfile(member)
                if fh is not None:
                    member_name = f"{name}!{member.name}"
                    yield from _iter_stream(fh, member_name, max_bytes, size=member.size)
                current = None
    except (*_ARCHIVE_ERRORS, OSError) as exc:
        where = f" (while reading {current!r})" if current else ""
        yield SourceError(f"truncated or corrupt archive{where}: {_reason(exc)}", document=name)


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    """The decompressed stream, chosen by magic number, not by name.

    These readers decompress a few kilobytes at a time, where tarfile's own ``r|*`` mode can
    inflate a chunk of a well-compressed archive into tens of megabytes at once.
    """
    magic = raw.read(6)
    raw.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if magic.startswith(b"BZh"):
        return bz2.BZ2File(raw, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw, "rb")
    return raw


def _iter_zip(path: Path, name: str, max_bytes: int) -> Iterator[Item]:
    """Zip members one at a time: a bad member is reported and the next one is still read."""
    try:
        archive = zipfile.ZipFile(path)
    except (*_ARCHIVE_ERRORS, OSError) as exc:
        yield SourceError(f"corrupt zip archive: {_reason(exc)}", document=name)
        return
    with archive:
        for info in archive.infolist():
            member_name = f"{name}!{info.filename}"
            if info.is_dir() or not _is_document(info.filename, archives=False):
                continue
            try:
                with archive.open(info) as fh:
                    yield from _iter_stream(fh, member_name, max_bytes, size=info.file_size)
            except (*_ARCHIVE_ERRORS, OSError, NotImplementedError, RuntimeError) as exc:
                # A CRC or decompression error surfaces while reading, before the member is yielded.
                yield SourceError(f"unreadable zip member: {_reason(exc)}", document=member_name)


def _iter_stream(
    fh: IO[bytes], name: str, max_bytes: int, *, size: int | None = None
) -> Iterator[Item]:
    """One document, or one per row when the bytes are the scraper CSV.

    ``size`` is what the container says the document holds: a document known to be too large is
    refused before it is read (a scraper CSV is not, as the limit applies to each of its rows).
    """
    head = fh.read(_HEAD_BYTES)
    if _is_scraper_csv(head):
        yield from _iter_csv(_Prefixed(head, fh), name, max_bytes)
        return
    if size is not None and size > max_bytes:
        yield _too_big(name, size, max_bytes)
        return
    rest = fh.read(max_bytes + 1 - len(head)) if len(head) == _HEAD_BYTES else b""
    data = head + rest
    if len(data) > max_bytes:
        yield _too_big(name, size, max_bytes)
    elif size is not None and len(data) < size:
        yield SourceError(f"truncated: read {len(data):,} of {size:,} bytes", document=name)
    else:
        yield RawDocument(name, data)


def _is_scraper_csv(head: bytes) -> bool:
    header = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return CSV_TEXT_COLUMNS[0].encode() in header


def _iter_csv(stream: io.RawIOBase, name: str, max_bytes: int) -> Iterator[Item]:
    """One document per row: the split text columns joined back ("" between, as saved)."""
    # The scraper stores up to 30,000 characters per cell; allow any cell a document could hold.
    if csv.field_size_limit() < max_bytes:
        csv.field_size_limit(max_bytes)
    text = io.TextIOWrapper(io.BufferedReader(stream), encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    row_number = 0
    try:
        for row_number, row in enumerate(reader, start=1):
            row_name = f"{name}#row={row_number}"
            data = "".join(row.get(column) or "" for column in CSV_TEXT_COLUMNS).encode()
            if len(data) > max_bytes:
                yield _too_big(row_name, len(data), max_bytes)
                continue
            url = (row.get("url") or "").strip() or None
            yield RawDocument(row_name, data, CSV_TEXT_FORMAT, url)
    except (csv.Error, UnicodeDecodeError) as exc:
        # A CSV cannot be resynchronised after a broken row: report it and stop this file.
        yield SourceError(
            f"unreadable CSV: {_reason(exc)}", document=f"{name}#row={row_number + 1}"
        )


class _Prefixed(io.RawIOBase):
    """A stream that replays the bytes already read for sniffing, then reads on."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def _is_document(member: str, *, archives: bool) -> bool:
    """Whether a file found inside a folder or archive is worth reading."""
    parts = member.replace("\\", "/").split("/")
    if any(_is_hidden(part) for part in parts if part):
        return False
    lower = parts[-1].lower()
    if archives and lower.endswith(TAR_SUFFIXES + ZIP_SUFFIXES):
        return True
    return Path(lower).suffix in DOCUMENT_SUFFIXES


def _too_big(name: str, size: int | None, max_bytes: int) -> SourceError:
    shown = f"{size:,} bytes" if size is not None else "more than that"
    return SourceError(
        f"document is too large ({shown}; the limit is {max_bytes:,})", document=name
    )


def _os_reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else _reason(exc)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


__all__ = ["RawDocument", "iter_documents"]
