"""JSON Lines: one event per line, the parse contract's record plus the archive's ids.

The keys are those of ``stenogram show --json`` (``queries.event_record``): the record of
``docs/formats.md``, then ``event_id``, ``revision`` and ``permalink``; each speech gains its
``id``, ``position``, ``resolved_person_id`` and ``permalink``, each participant its
``resolved_person_id``. A query export lists only the speeches that matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .formats import Written, register, stream
from .records import Corpus, ExportedEvent


def event_record(event: ExportedEvent, corpus: Corpus) -> dict[str, Any]:
    record = event.document.to_dict()
    said = record["speeches"]
    record["speeches"] = [
        {
            **said[s.position - 1],
            "id": s.speech_id,
            "position": s.position,
            "resolved_person_id": s.person_id,
            "permalink": corpus.url(s.permalink),
        }
        for s in event.speeches
    ]
    for participant, person in zip(record["participants"], event.participant_people, strict=True):
        participant["resolved_person_id"] = person
    return {
        "event_id": event.event_id,
        "revision": event.revision,
        "permalink": corpus.url(event.permalink),
        **record,
    }


@dataclass(frozen=True, slots=True)
class JsonlFormat:
    name: str = "jsonl"
    media_type: str = "application/x-ndjson"
    suffix: str = ".jsonl"
    folder: bool = False
    description: str = "one JSON record per event (the parse contract plus archive ids)"

    def write(self, corpus: Corpus, out: BinaryIO | Path) -> Written:
        fh = stream(out, self.name)
        events = speeches = 0
        for event in corpus.events():
            fh.write(orjson.dumps(event_record(event, corpus), option=orjson.OPT_APPEND_NEWLINE))
            events += 1
            speeches += len(event.speeches)
        return Written(events, speeches)


JSONL = register(JsonlFormat())
