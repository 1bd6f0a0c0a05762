"""The text of a kremlin.ru event page: speaker turns, narrative and who took part.

A turn starts with a paragraph whose first words are bold and end in a colon ("**President of
Russia Vladimir Putin:** Colleagues, ..."). The site's editors split and nest the bold runs in
every possible way ("<b>Dmitry Pesko</b><b>V:</b>", "<b>Vladimir Putin</b> (<i>answering
...</i>):"), so the test is on characters, not on tags: every visible character before the colon
that is not inside parentheses must be bold. Later paragraphs without a label continue the turn;
whole-italic paragraphs inside a transcript are stage directions ("(Applause.)"), and a ``* * *``
separator ends the transcript part it closes.

The caller has already removed galleries, pull quotes, "See also" boxes, videos and the name
tooltips, so what is left is the text as a reader sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from selectolax.lexbor import LexborNode

from ..model import Narrative, NarrativeKind, Participant, Speech, Tag
from .common import normalize_space
from .labels import (
    first_last,
    has_speech_note,
    is_full_name,
    is_turn_label,
    split_by_names,
    split_label,
)
from .participants import participants_from_prose

_BLOCKS = "p, h2, h3, h4, h5, h6"
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_BOLD = frozenset({"b", "strong"})
_ITALIC = frozenset({"i", "em"})
_TEXT = "-text"
#: "<…>", "‹…>", "<...>": the site's mark for a passage left out of the transcript (the XML
#: exports mark each one inside a paragraph).
OMISSION = re.compile(r"[<‹〈]\s*(?:…|\.\s?\.\s?\.)\s*[>›〉]")
_SEPARATOR = re.compile(r"\*(?:\s*\*){2,}")
_PERSON_ID = re.compile(r"/catalog/persons/(\d+)")
_NOT_WORDS = re.compile(r"[\s()\[\].,:;!?…–—-]+")
# A label is short: a colon further into the paragraph than this belongs to the prose.
_LABEL_SCAN = 400
# Two words with no space between them where one bold run ends and the next begins.
_GLUED_WORDS = re.compile(r"[a-z][A-Z][a-z]")


@dataclass(frozen=True, slots=True)
class Body:
    speeches: tuple[Speech, ...] = ()
    narrative: tuple[Narrative, ...] = ()
    participants: tuple[Participant, ...] = ()
    omissions: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class _Turn:
    attribution: str
    speaker: str | None
    role: str | None
    person_id: str | None
    paragraphs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Reader:
    language: str
    tag_ids: dict[str, str]
    speeches: list[Speech] = field(default_factory=list)
    narrative: list[Narrative] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    omissions: int = 0
    turn: _Turn | None = None
    # Labels and names already seen: a bold name ending in a full stop instead of a colon
    # ("<b>Vladimir Putin.</b> Yes.") opens a turn only when it names a speaker of the page.
    speakers: set[str] = field(default_factory=set)

    def add_narrative(self, text: str, kind: NarrativeKind = "narrative") -> None:
        position = len(self.speeches) + (self.turn is not None)
        self.narrative.append(Narrative(text, position, kind))

    def close_turn(self) -> None:
        turn, self.turn = self.turn, None
        if turn is None:
            return
        if not turn.paragraphs:
            self.warnings.append(f"turn of {turn.attribution!r} has no text")
            return
        self.speeches.append(
            Speech(
                turn.attribution, turn.speaker, turn.role, tuple(turn.paragraphs), turn.person_id
            )
        )

    def open_turn(self, node: LexborNode, attribution: str, rest: str) -> None:
        self.close_turn()
        _, role, name = _read_label(attribution, self.language)
        person_id = None
        for link in node.css("a.person_tag"):
            link_text = normalize_space(link.text())
            if link_text and link_text in attribution:
                found = _PERSON_ID.search(link.attrs.get("href") or "")
                person_id = found.group(1) if found else None
                # The link says where the name begins, when it leaves a role before it and
                # is more than the name read with other case ("ARNOLD SCHWARZENEGGER").
                linked = split_by_names(attribution, [link_text])
                if linked and linked[0] and linked[1].lower() != (name or "").lower():
                    role, name = linked
                name = name or link_text
                break
        if person_id is None and name:
            person_id = self.tag_ids.get(name)
        self.turn = _Turn(attribution, name, role, person_id)
        self.speakers.update(n for n in (attribution, name) if n)
        if rest:
            self.turn.paragraphs.append(rest)

    def read(self, node: LexborNode) -> None:
        raw = node.text()
        text = normalize_space(raw)
        if not text:
            return
        if _SEPARATOR.fullmatch(text):
            self.close_turn()
            self.add_narrative(text, "separator")
            return
        if OMISSION.fullmatch(text):
            self.omissions += 1
            self.add_narrative(text, "omission")
            return
        if "…" in text or "..." in text:
            self.omissions += len(OMISSION.findall(text))
        if node.tag in _HEADINGS:
            self.close_turn()
            self.add_narrative(text)
            return
        label = _turn_label(node, raw, self.language, self.speakers)
        if label is not None:
            self.open_turn(node, *label)
        elif self.turn is not None and not _is_stage_direction(node, text):
            self.turn.paragraphs.append(text)
        else:
            self.add_narrative(text)
            if self.turn is None:
                self.add_participants(node, text)

    def add_participants(self, node: LexborNode, text: str) -> None:
        links: list[tuple[str, str | None]] = []
        for link in node.css("a.person_tag"):
            found = _PERSON_ID.search(link.attrs.get("href") or "")
            links.append((normalize_space(link.text()), found.group(1) if found else None))
        known = {p.name for p in self.participants}
        for person in participants_from_prose(text, self.language, links):
            if person.name not in known:
                known.add(person.name)
                self.participants.append(person)


def read_body(body: LexborNode | None, language: str, person_tags: Sequence[Tag] = ()) -> Body:
    """Turns, narrative and participants of the article body, in page order."""
    if body is None:
        return Body()
    tag_ids = {first_last(t.name, language): t.id for t in person_tags if t.id}
    reader = _Reader(language, tag_ids)
    for node in body.css(_BLOCKS):
        reader.read(node)
    reader.close_turn()
    return Body(
        speeches=_names_from_page(reader.speeches, tag_ids.keys()),
        narrative=tuple(reader.narrative),
        participants=tuple(reader.participants),
        omissions=reader.omissions,
        warnings=tuple(reader.warnings),
    )


def _names_from_page(speeches: list[Speech], tagged: Iterable[str]) -> tuple[Speech, ...]:
    """Where a long label's name begins, as the page shows it: the same speaker's later turns
    under the name alone, or a person tag."""
    printed = {s.attribution for s in speeches}
    names = {s.speaker for s in speeches if s.speaker and s.speaker in printed and not s.role}
    names.update(tagged)
    out = []
    for speech in speeches:
        split = split_by_names(speech.attribution or "", names) if speech.role else None
        if split and split[0] and split[1] != speech.speaker:
            speech = replace(speech, role=split[0], speaker=split[1])
        out.append(speech)
    return tuple(out)


@lru_cache(maxsize=4096)
def _read_label(label: str, language: str) -> tuple[bool, str | None, str | None]:
    """(is it a speaker label, role, name); memoised because a transcript repeats its labels."""
    recased = _recase(label)
    if not (
        is_turn_label(label, language) or (recased != label and is_turn_label(recased, language))
    ):
        return False, None, None
    role, name = split_label(label, language)
    if recased != label and (name is None or name == label or _recase(name) != name):
        # Recasing keeps every character in place, so the role is cut from the printed label.
        recased_role, name = split_label(recased, language)
        role = label[: len(recased_role)] if recased_role else None
    return True, role, name


def _recase(label: str) -> str:
    """ "Vladimir PUTIN", "ARNOLD SCHWARZENEGGER": capitals used as emphasis, not acronyms."""
    if not any(len(word) > 3 and word.isupper() for word in label.split()):
        return label
    return " ".join(
        "-".join(
            part.capitalize() if part.isupper() and len(part) > 1 else part
            for part in word.split("-")
        )
        for word in label.split()
    )


def _first_child(node: LexborNode) -> LexborNode | None:
    """The first child that shows something (empty ``<b></b>`` and blanks skipped)."""
    for child in node.iter(include_text=True):
        if child.text().strip():
            return child
    return None


def _is_bold(node: LexborNode) -> bool:
    """Bold as a reader sees it: a link or span whose words are all inside ``<b>`` counts."""
    if node.tag in _BOLD:
        return True
    if node.tag == _TEXT:
        return False
    inner = "".join(b.text() for b in node.css("b, strong"))
    return bool(inner) and _NOT_WORDS.sub("", inner) == _NOT_WORDS.sub("", node.text())


def _turn_label(
    node: LexborNode, raw: str, language: str, speakers: set[str]
) -> tuple[str, str] | None:
    """(label, rest of the paragraph) if the paragraph opens with a bold speaker label.

    Bold runs printed back to back ("<b>Vladimir</b><b>Putin</b>") are separate words that the
    editor's tool ran together: the label gets the space back, or no name could be read from it.
    """
    if ":" not in raw[:_LABEL_SCAN] and not speakers:
        return None
    first = _first_child(node)
    if first is None or not _is_bold(first):  # "<b>…</b>", or "<a><b>Name</b></a>"
        return None
    depth = 0
    position = 0
    joins: list[int] = []
    for child in node.iter(include_text=True):
        chunk = child.text()
        if position and _GLUED_WORDS.match(raw, position - 1):
            joins.append(position)
        bold: bool | None = None
        for i, ch in enumerate(chunk):
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif ch in ":." and depth == 0:
                printed = raw[: position + i]
                ends = [*joins, len(printed)]
                label = normalize_space(
                    " ".join(printed[a:b] for a, b in zip([0, *joins], ends, strict=True))
                )
                rest = normalize_space(raw[position + i + 1 :])
                after = raw[position + i + 1 : position + i + 2]
                if ch == "." and not (
                    after.isspace() and _unmarked_label(label, rest, language, speakers)
                ):
                    continue  # an initial ("V.Putin", "Adnan Z. Amin"), "Lenta.Ru", a sentence
                if not label or not _read_label(label, language)[0]:
                    return None
                return label, rest
            elif depth == 0 and not ch.isspace():
                if bold is None:
                    bold = _is_bold(child)
                if not bold:
                    # The bold ended without a colon: "<b>Yekaterina Rogova</b> Yes.",
                    # "<b>Frank-Walter Steinmeier</b> (retranslated) Thank you."
                    label = normalize_space(raw[: position + i])
                    rest = normalize_space(raw[position + i :])
                    if _unmarked_label(label, rest, language, speakers):
                        return label, rest
                    return None
        position += len(chunk)
        if position > _LABEL_SCAN:
            return None
    return None


def _unmarked_label(label: str, rest: str, language: str, speakers: set[str]) -> bool:
    """A bold label ended by a full stop or by nothing ("<b>Vladimir Putin.</b> Yes."): a
    speaker of the page, a label with a translation note, or a role and a full name, before a
    new sentence. A bold word ending a sentence ("<b>Russia.</b>") is none of these."""
    if not label or not rest[:1].isupper() or len(label.split()[-1]) < 2:
        return False
    if label in speakers or has_speech_note(label, language):
        return True
    is_label, role, name = _read_label(label, language)
    return is_label and name is not None and (role is not None or is_full_name(name, language))


def _is_stage_direction(node: LexborNode, text: str) -> bool:
    """A paragraph all in italics ("(Applause.)", "<i>The meeting continued…</i>")."""
    first = _first_child(node)
    if first is None or (first.tag not in _ITALIC and text[0] not in "(["):
        return False
    italic = _NOT_WORDS.sub("", "".join(i.text() for i in node.css("i, em")))
    return len(italic) >= len(_NOT_WORDS.sub("", text)) > 0
