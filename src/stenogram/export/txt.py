"""Text versions: one ``.txt`` per event in the publisher's own layout (the seed's).

``stenogram parse`` reads these back into the same record (a test round-trips them), so a text
export is also the plainest backup of what was said. A document format: each file keeps every
speech of its event, also in a query export.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .formats import Written, folder, register
from .records import Corpus, ExportedEvent
from .textversion import render_text


def file_name(event: ExportedEvent, suffix: str) -> str:
    """``53016.txt``, ``kremlin.ru_53016.txt``: the permalink's ref, safe as a file name."""
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in event.ref)
    return f"{safe}{suffix}"


@dataclass(frozen=True, slots=True)
class TextFormat:
    name: str = "txt"
    media_type: str = "text/plain; charset=utf-8"
    suffix: str = ".txt"
    folder: bool = True
    description: str = "one text version per event, in the layout `stenogram parse` reads"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        path = folder(out, self.name)
        events = speeches = 0
        for event in corpus.events():
            text = render_text(event.document) + "\n"
            (path / file_name(event, self.suffix)).write_text(text, encoding="utf-8")
            events += 1
            speeches += len(event.document.speeches)
        return Written(events, speeches)


TEXT = register(TextFormat())
