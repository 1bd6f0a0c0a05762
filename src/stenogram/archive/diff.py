"""What changed between two revisions of an event, speech by speech and word by word.

Speeches are aligned on a key of (speaker, normalised text) so that an inserted or deleted turn
does not make every later turn look changed; turns that differ are then paired by speaker, and
only a pair is word-diffed. The same key decides which speech ids survive a new revision, so
"unchanged" here and "kept its permalink" in the store mean the same thing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

import orjson

from ..model import Document, Speech
from ..parse.common import normalize_space

SpeechStatus = Literal["unchanged", "changed", "added", "removed"]


def speech_key(speech: Speech) -> str:
    """Identity of a turn across revisions: who spoke and what, whitespace and case aside."""
    text = normalize_space(" ".join(speech.paragraphs)).casefold()
    raw = f"{normalize_space(speech.speaker or '').casefold()}\x1f{text}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def align(
    old: Sequence[str], new: Sequence[str]
) -> list[tuple[Literal["equal", "replace", "delete", "insert"], int, int, int, int]]:
    """Opcodes aligning two key sequences (difflib, no junk heuristic: every turn counts)."""
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    return matcher.get_opcodes()


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A record field (title, tags, photos...) whose JSON value differs between revisions."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class SpeechChange:
    """One turn's fate; positions are 1-based (``#s3`` is the third turn), None when absent."""

    status: SpeechStatus
    old_position: int | None
    new_position: int | None
    speaker: str | None
    words_added: int = 0
    words_removed: int = 0
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventDiff:
    event_id: int
    old_revision: int
    new_revision: int
    fields: tuple[FieldChange, ...]
    speeches: tuple[SpeechChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.fields) or any(s.status != "unchanged" for s in self.speeches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "old_revision": self.old_revision,
            "new_revision": self.new_revision,
            "fields": [{"name": f.name, "old": f.old, "new": f.new} for f in self.fields],
            "speeches": [
                {
                    "status": s.status,
                    "old_position": s.old_position,
                    "new_position": s.new_position,
                    "speaker": s.speaker,
                    "words_added": s.words_added,
                    "words_removed": s.words_removed,
                    "added": list(s.added),
                    "removed": list(s.removed),
                }
                for s in self.speeches
            ],
        }


def diff_documents(
    old: Document, new: Document, *, event_id: int = 0, old_revision: int = 0, new_revision: int = 0
) -> EventDiff:
    old_record, new_record = old.to_dict(), new.to_dict()
    fields = tuple(
        FieldChange(name, old_record.get(name), new_record.get(name))
        for name in new_record
        if name not in ("speeches", "origin") and old_record.get(name) != new_record.get(name)
    )
    return EventDiff(event_id, old_revision, new_revision, fields, tuple(_diff_speeches(old, new)))


def _diff_speeches(old: Document, new: Document) -> list[SpeechChange]:
    changes: list[SpeechChange] = []
    old_keys = [speech_key(s) for s in old.speeches]
    new_keys = [speech_key(s) for s in new.speeches]
    for tag, i1, i2, j1, j2 in align(old_keys, new_keys):
        if tag == "equal":
            changes.extend(
                SpeechChange("unchanged", i + 1, j + 1, new.speeches[j].speaker)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        else:
            changes.extend(_pair_by_speaker(old.speeches, new.speeches, i1, i2, j1, j2))
    return changes


def _pair_by_speaker(
    old: Sequence[Speech], new: Sequence[Speech], i1: int, i2: int, j1: int, j2: int
) -> list[SpeechChange]:
    """Within a differing stretch, same-speaker turns in order are edits; the rest come or go."""
    changes: list[SpeechChange] = []
    old_who = [normalize_space(s.speaker or "").casefold() for s in old[i1:i2]]
    new_who = [normalize_space(s.speaker or "").casefold() for s in new[j1:j2]]
    for tag, a1, a2, b1, b2 in align(old_who, new_who):
        if tag == "equal":
            for a, b in zip(range(i1 + a1, i1 + a2), range(j1 + b1, j1 + b2), strict=True):
                changes.append(_word_change(old[a], new[b], a + 1, b + 1))
            continue
        changes.extend(
            SpeechChange("removed", a + 1, None, old[a].speaker) for a in range(i1 + a1, i1 + a2)
        )
        changes.extend(
            SpeechChange("added", None, b + 1, new[b].speaker) for b in range(j1 + b1, j1 + b2)
        )
    return changes


def _word_change(old: Speech, new: Speech, old_position: int, new_position: int) -> SpeechChange:
    old_words, new_words = old.text.split(), new.text.split()
    added: list[str] = []
    removed: list[str] = []
    for tag, i1, i2, j1, j2 in align(old_words, new_words):
        if tag in ("replace", "delete"):
            removed.extend(old_words[i1:i2])
        if tag in ("replace", "insert"):
            added.extend(new_words[j1:j2])
    status: SpeechStatus = "changed" if added or removed or old != new else "unchanged"
    return SpeechChange(
        status,
        old_position,
        new_position,
        new.speaker,
        len(added),
        len(removed),
        tuple(added),
        tuple(removed),
    )


def render_diff(diff: EventDiff, *, max_words: int = 12) -> str:
    """A terminal-sized summary for ``stenogram show ID --diff``."""
    lines = [f"event {diff.event_id}: revision {diff.old_revision} -> {diff.new_revision}"]
    for change in diff.fields:
        old = orjson.dumps(change.old).decode()
        new = orjson.dumps(change.new).decode()
        lines.append(f"  field {change.name}: {_clip(old)} -> {_clip(new)}")
    counts = {status: 0 for status in ("unchanged", "changed", "added", "removed")}
    for speech in diff.speeches:
        counts[speech.status] += 1
        where = f"#s{speech.new_position or speech.old_position}"
        who = speech.speaker or "(no speaker)"
        if speech.status == "changed":
            lines.append(
                f"  ~ {where} {who}: +{speech.words_added} -{speech.words_removed} words"
                + _words("+", speech.added, max_words)
                + _words("-", speech.removed, max_words)
            )
        elif speech.status in ("added", "removed"):
            sign = "+" if speech.status == "added" else "-"
            lines.append(f"  {sign} {where} {who}: {speech.status}")
    lines.append("  speeches: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return "\n".join(lines)


def _words(sign: str, words: Sequence[str], limit: int) -> str:
    if not words:
        return ""
    shown = " ".join(words[:limit]) + (" …" if len(words) > limit else "")
    return f"\n      {sign} {shown}"


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
