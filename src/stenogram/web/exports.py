"""Citations in reference-manager formats, and exports, from the same registry as the CLI.

- ``/api/events/{ref}/citation`` and ``/api/speeches/{id}/citation``: the citation of the page
  as ``?format=text|csl|bibtex|json``, or by ``Accept`` (``text/plain``,
  ``application/vnd.citationstyles.csl+json``, ``application/x-bibtex``, ``application/json``).
- ``/api/events/{ref}/export?format=…``: one event in any one-stream format of the registry, or
  its file in a format that writes one file per event (akn, tei, txt).
- ``/api/export?q=…&format=…``: the speeches a search matches (at most
  :data:`~stenogram.export.run.MAX_QUERY_SPEECHES`; beyond it a 400 that says so), as a download.

An export is written to a spooled temporary file on a worker thread and streamed from there in
chunks, so a large download neither holds the event loop nor its bytes in memory.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from ..archive import Archive
from ..errors import QueryError
from ..export.cite import CITATION_FORMATS, Citation, cite, render_citation
from ..export.formats import ExportFormat, formats, get
from ..export.records import ExportedEvent, Selection
from ..export.run import open_corpus
from ..export.txt import file_name
from ..queries import pinned_permalink
from .api import ERRORS
from .params import EventRef, Revision, SpeechId, Text
from .respond import archive_of, public_base

router = APIRouter(prefix="/api", tags=["exports"])

#: Bytes of an export kept in memory before the spooled file moves to disk.
SPOOL_BYTES: Final = 4 * 1024 * 1024
CHUNK: Final = 64 * 1024
_ACCEPTED: Final = {media.split(";")[0]: name for name, media in CITATION_FORMATS.items()}

CitationFormat = Annotated[
    str | None,
    Query(
        pattern="^(" + "|".join(CITATION_FORMATS) + ")$",
        description="text, csl (CSL-JSON), bibtex or json; else chosen by the Accept header.",
    ),
]


def _stream_names() -> list[str]:
    return sorted(name for name, fmt in formats().items() if not fmt.folder)


#: The one-stream formats registered when the app module is imported (the built-ins and any
#: package imported before it); the pattern lets the OpenAPI document list them.
ExportName = Annotated[
    str,
    Query(
        pattern="^(" + "|".join(_stream_names()) + ")$",
        description="A one-stream format of `stenogram export --list`.",
    ),
]
#: An event also comes in the formats that write one file per event (a folder format that does
#: not, such as csv, gets a 400 that says so).
EventExportName = Annotated[
    str,
    Query(
        pattern="^(" + "|".join(sorted(formats())) + ")$",
        description="A format of `stenogram export --list` (of a folder format: the event's file).",
    ),
]
_TEXT: Final = {"schema": {"type": "string"}}
CITATION_ANSWERS: Final[dict[int | str, dict[str, Any]]] = {
    **ERRORS,
    200: {
        "description": "The citation in the format asked for",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Citation"}},
            CITATION_FORMATS["csl"]: {"schema": {"type": "object"}},
            CITATION_FORMATS["bibtex"].split(";")[0]: _TEXT,
            "text/plain": _TEXT,
        },
    },
}
EXPORT_ANSWERS: Final[dict[int | str, dict[str, Any]]] = {
    **ERRORS,
    200: {
        "description": "The export as a download (Content-Disposition: attachment)",
        "content": {
            # Popolo is one JSON object; the other formats are streams of their own type.
            "application/json": {"schema": {"type": "object"}},
            "application/x-ndjson": _TEXT,
            "text/csv": _TEXT,
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            # One event's file of a folder format.
            "application/akn+xml": _TEXT,
            "application/tei+xml": _TEXT,
            "text/plain": _TEXT,
        },
    },
}


def _citation_format(request: Request, asked: str | None) -> str:
    if asked:
        return asked
    for part in request.headers.get("accept", "").split(","):
        found = _ACCEPTED.get(part.split(";")[0].strip())
        if found:
            return found
    return "json"


#: Not kept by the response cache, which keys on the URL: a citation may be chosen by ``Accept``
#: and says the day it was accessed; a download is streamed, not held.
NO_STORE: Final = {"Cache-Control": "no-store", "Vary": "Accept"}


def _citation_response(citation: Citation, name: str) -> Response:
    body = render_citation(citation, name)
    return Response(body, media_type=CITATION_FORMATS[name], headers=NO_STORE)


@router.get("/events/{ref}/citation", responses=CITATION_ANSWERS, response_model=None)
async def event_citation(
    request: Request, ref: EventRef, revision: Revision = None, format: CitationFormat = None
) -> Response:
    """The event's citation as plain text, CSL-JSON, BibTeX or the JSON of the event page."""
    stored = archive_of(request).event(ref, revision)
    found = cite(
        stored.document,
        pinned_permalink(stored),
        base=public_base(request),
        accessed=dt.date.today(),
    )
    return _citation_response(found, _citation_format(request, format))


@router.get("/speeches/{speech_id}/citation", responses=CITATION_ANSWERS, response_model=None)
async def speech_citation(
    request: Request, speech_id: SpeechId, format: CitationFormat = None
) -> Response:
    """A speech's citation (speaker and role at the time) in the formats of the event's."""
    archive = archive_of(request)
    ref = archive.speech(int(speech_id))
    stored = archive.event(ref.event_id, ref.revision)
    found = cite(
        stored.document,
        ref.permalink,
        speech=stored.document.speeches[ref.position - 1],
        base=public_base(request),
        accessed=dt.date.today(),
    )
    return _citation_response(found, _citation_format(request, format))


def _stream_format(name: str) -> ExportFormat:
    fmt = get(name)
    if fmt.folder:
        offered = ", ".join(_stream_names())
        raise QueryError(f"format {name} writes a folder; over HTTP: {offered}")
    return fmt


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()


def _written(archive: Archive, fmt: ExportFormat, selection: Selection, base: str) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (_chunks closes it)
    try:
        fmt.write(open_corpus(archive, selection, base_url=base), spool)  # type: ignore[arg-type]
    except BaseException:
        spool.close()
        raise
    return spool


def _event_file(archive: Archive, fmt: ExportFormat, ref: str, base: str) -> IO[bytes]:
    """The file a folder format writes for event ``ref`` (AKN, TEI, text), spooled."""
    name = file_name(ExportedEvent.of(archive.event(ref)), fmt.suffix)
    with tempfile.TemporaryDirectory(prefix="stenogram-export-") as tmp:
        fmt.write(open_corpus(archive, Selection(event=ref), base_url=base), Path(tmp))
        if not (Path(tmp) / name).is_file():
            raise QueryError(f"format {fmt.name} writes no file per event", document=ref)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (_chunks)
        with (Path(tmp) / name).open("rb") as fh:
            shutil.copyfileobj(fh, spool)
    return spool


async def _download(
    request: Request, name: str, selection: Selection, stem: str, *, files: bool = False
) -> Response:
    """``files``: a folder format is welcome, its file of the one event is the download."""
    fmt = get(name) if files else _stream_format(name)
    archive, base = archive_of(request), public_base(request)
    if fmt.folder and selection.event is not None:
        spool = await run_in_threadpool(_event_file, archive, fmt, selection.event, base)
    else:
        spool = await run_in_threadpool(_written, archive, fmt, selection, base)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{stem}{fmt.suffix}"'}
    return StreamingResponse(_chunks(spool), media_type=fmt.media_type, headers=headers)


@router.get("/events/{ref}/export", responses=EXPORT_ANSWERS, response_model=None)
async def event_export(
    request: Request, ref: EventRef, format: EventExportName = "jsonl"
) -> Response:
    """One event as a download: a one-stream format (jsonl, popolo, …) or the event's file of a
    format that writes one per event (akn, tei, txt)."""
    stored = archive_of(request).event(ref)
    stem = f"event-{stored.event_id}"
    return await _download(request, format, Selection(event=ref), stem, files=True)


@router.get("/export", responses=EXPORT_ANSWERS, response_model=None)
async def search_export(request: Request, q: Text, format: ExportName = "jsonl") -> Response:
    """The speeches matching the search ``q`` as a download: at most 10,000 speeches
    (``MAX_QUERY_SPEECHES``); a broader query gets a 400 that says so."""
    return await _download(request, format, Selection(query=q), "search")
