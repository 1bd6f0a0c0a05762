"""Australian Prime Ministers' transcripts (pmtranscripts.pmc.gov.au): one XML file per item.

The flat fields (id, title, prime minister, release date and type, subjects) are plain XML; the
text is HTML inside CDATA, and comes in two shapes. Recent items keep one ``<p>`` per paragraph
with the label at its start ("PRIME MINISTER:", often in ``<strong>``). Items scanned from
paper (up to the late 1990s) are OCR text: one ``<p>`` per printed page and one ``<br>`` per
printed line, with page numbers between pages; there paragraphs are rebuilt from the lines.

Labels are typed by hand and vary ("PM:", "PRIME MINSTER:", "JOURNALIST;", "JRNLST:", "NEIL
MITCHELL:" then "MITCHELL:"), so they are matched loosely (edit distance) against the known
labels and against the other labels of the same transcript. "PRIME MINISTER" is resolved to
the person named in ``<prime-minister>`` because the record is about who spoke, and the label
alone does not say it. A speech printed without labels is one turn by the Prime Minister: the
site publishes it as the PM's words, and readers search it as such.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import ParseError
from ..model import Document, Narrative, Speech, Tag, Tags
from .common import decode, leaf_blocks, normalize_space, plain_paragraphs
from .pm_au_labels import (
    NOTE,
    Context,
    Who,
    context,
    distance,
    has_lower,
    label_base,
    label_head,
    label_key,
    near,
    resolve,
    tables,
)

NAME = "pm-au"
SOURCE = "pmtranscripts.pmc.gov.au"
_URL = "https://pmtranscripts.pmc.gov.au/release/transcript-{}"
_FIELDS = ("transcript-id", "title", "prime-minister", "release-date", "release-type", "subjects")
_BLOCKS = "p, li, h1, h2, h3, h4, h5, h6, td, th, blockquote, pre, div"
_BOLD = frozenset({"strong", "b"})
_ASCII_LETTERS = frozenset(string.ascii_letters)

# The separator after a label: "JOURNALIST: text", "PM; text", "Q. text" (see _candidate).
# Written to open with a character set, which lets the regex engine skip to the next candidate.
_LABEL_END = re.compile(r"[:;.](?:(?<=:)|[^\w\s]?(?:\s+|$))\s*")
# Page furniture of scanned items: "-2-", "/ 4.", "3-", "itPM\" 1 -2-".
_PAGE_NUMBER = re.compile(r"^[\W\d_]{0,6}$")
_PAGE_DASHED = re.compile(r"-\s*\d{1,3}\s*-")
_PAGE_TAIL = re.compile(r"\s+/\s*\d{1,3}\s*\.?$")
_SENTENCE_END = tuple(".!?:\"'”’)]")  # for str.endswith: a regex for it scanned whole lines
_OMISSION = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]|<\s*(?:…|\.\.\.)\s*>")
# Words in a label's name part; an office in capitals runs longer ("MINISTER ASSISTING THE
# PRIME MINISTER FOR CYBER SECURITY").
_LABEL_WORDS = 7
_LABEL_CHARS = 110
_LABEL_WORDS_CAPITALS = 10
_EDGE = " .,:;-'\"()[]"
# A line at least this long that ends without a stop leaves its sentence open.
_OPEN_LINE = 30
_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_SUBJECT_WIDE = re.compile(r",\s{2,}")
_YEAR = re.compile(r"\b(?:18|19|20)\d\d\b")
_PUNCT = re.compile(r"[^\w\s]")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_LOWER_RUN = re.compile(r"[a-zа-яё]{3}")


def sniff(data: bytes, name: str | None = None) -> float:
    head = data[:4096]
    if b"<transcript-id>" in head or (b"<transcripts>" in head and b"<?xml" in head[:100]):
        return 0.95
    return 0.0


# --- the XML fields ------------------------------------------------------------------------------


def _fields(data: bytes, origin: str | None) -> tuple[dict[str, str], str]:
    """The flat fields and the content HTML; regex recovery when the XML is not well formed."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return _fields_leniently(decode(data, origin), origin, str(exc))
    item = root if root.tag == "transcript" else root.find("transcript")
    if item is None:
        raise ParseError("the file holds no <transcript> element", document=origin)
    values = {key: normalize_space(item.findtext(key) or "") for key in _FIELDS}
    return values, item.findtext("content") or ""


def _fields_leniently(text: str, origin: str | None, error: str) -> tuple[dict[str, str], str]:
    def field_text(key: str) -> str | None:
        m = re.search(rf"<{key}>(.*?)</{key}>", text, re.S)
        if m is None:
            return None
        value = m.group(1).strip()
        if value.startswith("<![CDATA["):
            return value[9:].removesuffix("]]>")
        return unescape(value)

    values = {key: field_text(key) for key in _FIELDS}
    content = field_text("content")
    if values["transcript-id"] is None and content is None:
        raise ParseError(f"not a transcript: the XML is not well formed ({error})", document=origin)
    return {k: normalize_space(v or "") for k, v in values.items()}, content or ""


def _date(text: str) -> dt.date | None:
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _topics(text: str) -> list[str]:
    """Subjects are separated by ";" or by commas; commas followed by two spaces, when the field
    uses them, are the separators and single commas stay inside a subject."""
    commas = _SUBJECT_WIDE if _SUBJECT_WIDE.search(text) else re.compile(r",")
    topics: list[str] = []
    for part in text.split(";"):
        for item in commas.split(part):
            topic = normalize_space(item).strip(" .:")
            if topic and topic not in topics:
                topics.append(topic)
    return topics


# --- the content HTML into lines -----------------------------------------------------------------


class _Line(NamedTuple):
    """One paragraph (recent items) or printed line (scanned items) of the content.

    A named tuple rather than a frozen dataclass: a transcript has hundreds of lines, and a
    tuple is several times cheaper to build.
    """

    text: str
    bold: str | None  # text of a <strong>/<b> that opens the block, if any
    block_start: bool


def _lines(content: str) -> tuple[list[_Line], bool]:
    """The content as lines, and whether it is a scanned item (one <br> per printed line)."""
    if not content.strip():
        return [], False
    breaks = content.count("<br")
    scanned = breaks > 3 and breaks > 3 * content.count("<p")
    paragraphs = plain_paragraphs(content)  # all scanned items: no parser needed
    if paragraphs is not None:
        blocks: list[tuple[str | None, str]] = [(None, text) for text in paragraphs]
    else:
        tree = LexborHTMLParser(content)
        for br in tree.css("br"):
            br.replace_with("\n")
        found = leaf_blocks(tree.css(_BLOCKS)) or ([tree.body] if tree.body is not None else [])
        blocks = [(_opening_bold(block), block.text(deep=True) or "") for block in found]
    lines: list[_Line] = []
    for bold, text in blocks:
        first = True
        for part in filter(None, text.split("\n")):  # a third are empty, between two <br>s
            part = normalize_space(part)
            if scanned:
                if "/" in part:
                    part = _PAGE_TAIL.sub("", part)
                if len(part) < 20 and (_PAGE_NUMBER.match(part) or _PAGE_DASHED.search(part)):
                    continue
            if part:
                lines.append(tuple.__new__(_Line, (part, bold, first)))  # _Line(), minus a call
                bold, first = None, False
    return lines, scanned


def _opening_bold(block: LexborNode) -> str | None:
    child = block.first_child
    while child is not None and child.tag == "-text" and not (child.text() or "").strip():
        child = child.next
    if child is None or child.tag not in _BOLD:
        return None
    text = normalize_space(child.text() or "")
    return text if 0 < len(text) <= _LABEL_CHARS else None


# --- turns ----------------------------------------------------------------------------------------


class _Candidate(NamedTuple):  # a named tuple for the reason _Line is one
    attribution: str
    rest: str
    who: Who
    key: str


def _candidate(
    line: _Line, ctx: Context, following: _Line | None, previous: _Line | None = None
) -> _Candidate | None:
    """The label a line opens with, if it may be one; corroboration is decided later.

    A label starts a paragraph and is printed as one: a word in lower case, or in ordinary
    case where the line above left its sentence open ("our famous men and" / "women. As
    chairman ..."), is the tail of a sentence, whatever table it is in.
    """
    if line.bold and _label_like(line.bold.rstrip(":;. "), strict=False):
        if _is_end(line.bold):
            return None  # "<strong>[ENDS]</strong>": the end of the transcript, not a speaker
        label = line.bold.rstrip(":;. ")
        rest = line.text[len(line.bold) :].lstrip(" :;.")
        return _make(label, rest, ctx)
    cand = _plain_candidate(line, ctx, following)
    capitals = cand is not None and not has_lower(cand.attribution.replace("Mc", "MC"))
    if cand is None or (capitals and (previous is None or not _in_capitals(previous, cand))):
        return cand  # capitals set apart from the text around them
    if cand.attribution[:1].islower() and not _abbreviation(cand.key):
        return None
    # A short line above is a heading or ends its paragraph ("E O E", "SYDNEY 21 JANUARY 1992").
    open_sentence = (
        previous is not None
        and len(previous.text) >= _OPEN_LINE
        and not previous.text.endswith(_SENTENCE_END)
    )
    if open_sentence and not line.block_start:
        return None
    return cand


def _in_capitals(previous: _Line, cand: _Candidate) -> bool:
    """Text around a label typed in capitals (a few letters of OCR noise aside): there capitals
    mark nothing."""
    text = f"{previous.text} {cand.rest[:80]}"
    # No word in lower case (a stray letter of OCR noise aside), and enough letters to tell.
    return not _LOWER_RUN.search(text) and len(_NOT_LETTER.sub("", text)) >= 20


def _abbreviation(key: str) -> bool:
    """ "pm", "j", "q": short forms that scanning may print in lower case."""
    short = len(key.replace(" ", "")) <= 3
    return short and (bool(near(key, "pm")) or label_base(key) in tables().aliases)


def _plain_candidate(line: _Line, ctx: Context, following: _Line | None) -> _Candidate | None:
    """The label of a line whose opening words are not set in bold."""
    # A label (a short text from an ASCII letter, no ":", ";" or line break) ends, spaces
    # aside, at the first separator: ":", or ";" or "." then at most one mark and a space or the
    # end ("Q. text", "PM;- text"). A lazy regex trying each length of label cost more than all
    # else done with a line, so the separator is searched for and the label checked after it.
    text = line.text
    m = _LABEL_END.search(text) if text[:1] in _ASCII_LETTERS else None
    if m:
        label = text[: m.start()].rstrip()
        if len(label) <= _LABEL_CHARS and ";" not in label and "\n" not in label:
            colon = text[m.start()] == ":"
            rest = text[m.end() :].lstrip(" .:;")
            if text[m.start()] == "." and rest[:1].islower():
                return None  # "All. these projects are ...": a full stop inside a sentence
            if (rest or colon) and (_known(label) or (colon and _label_like(label, strict=True))):
                return _make(label, rest, ctx)
    # A label on a line of its own ("Prime Minister", "PRIME MINISTER ( continued)") before text.
    if following is None or len(text) > 40 or text.endswith(("?", "!", ",")):
        return None
    if has_lower(following.text) and _known(text):
        return _make(text, "", ctx)
    return None


def _make(label: str, rest: str, ctx: Context) -> _Candidate:
    who = ctx.resolved.get(label)
    if who is None:
        who = ctx.resolved[label] = resolve(label, ctx)
    attribution, key = _forms(label)
    return _Candidate(attribution, rest, who, key)


@lru_cache(maxsize=4096)
def _forms(label: str) -> tuple[str, str]:
    """A label as attributed and as a key; cached because transcripts repeat their labels."""
    return normalize_space(label), label_key(label)


@lru_cache(maxsize=4096)
def _known(label: str) -> bool:
    """Whether a label is one every transcript uses; cached for the few that recur in each."""
    t = tables()
    key = label_key(label)
    if not key or key in t.not_labels:
        return False
    base = label_base(key)
    return bool(near(key, "pm") or base in t.aliases or near(base, "nonperson"))


def _label_like(label: str, *, strict: bool) -> bool:
    """Could this text before a colon be a speaker label? Strict: printed in capitals.

    "MATT RIDLEY - THE VISCOUNT RIDLEY DL, HOUSE OF LORDS", "MS SHANNAN JUDGE, Principal, ...":
    a name in capitals may go on to say who the person is; the name is what must be short.
    """
    t = tables()
    key = label_key(label)
    capitals = not has_lower(NOTE.sub("", label_head(label)).replace("Mc", "MC"))
    head = label_head(key) if capitals else key
    words = head.split()
    too_long = len(words) > (_LABEL_WORDS_CAPITALS if capitals else _LABEL_WORDS)
    if not words or too_long or key in t.not_labels or any(map(str.isdigit, key)):
        return False
    if _has_prose_word(label, capitals) and not _known(label):
        return False
    letters = [ch for ch in label if ch.isalpha()]
    if not letters or ("," in head):
        return False
    return capitals if strict else letters[0].isupper()


def _has_prose_word(label: str, capitals: bool) -> bool:
    """A word only prose has ("we", "will"), printed in lower case or, in capitals, after the
    first word: "WILL GOODINGS" is a name, "What we will do" and "WE WILL" are not."""
    prose = tables().prose
    return any(
        word.strip(_EDGE).lower() in prose
        for i, word in enumerate(label.split())
        if word.islower() or (capitals and i > 0)
    )


def _is_end(text: str) -> bool:
    t = tables()
    if not t.end_head.match(text):
        return False  # most lines: their first word is no end mark's first word
    return normalize_space(_PUNCT.sub(" ", text)).lower() in t.end_marks


@dataclass(slots=True)
class _Turn:
    candidate: _Candidate | None
    paragraphs: list[str] = field(default_factory=list)


def _join(paragraphs: list[str], text: str, fresh: bool) -> None:
    """Add a line (scanned items) to the last paragraph, or start a new paragraph."""
    if fresh or not paragraphs:
        paragraphs.append(text)
    elif paragraphs[-1].endswith("-") and paragraphs[-1][-2:-1].isalpha():
        paragraphs[-1] += text
    else:
        paragraphs[-1] += " " + text


def _breaks(previous: str | None, line: _Line, width: int) -> bool:
    """In scanned text, does ``line`` start a new paragraph after ``previous``?"""
    if previous is None:
        return True
    if len(previous) < 0.6 * width:  # a line this short ends its paragraph, stop or no stop
        return True
    if not has_lower(previous) or not has_lower(line.text):
        return True
    ends = previous.endswith(_SENTENCE_END)
    return ends and (line.block_start or len(previous) < 0.8 * width)


def _assemble(
    lines: list[_Line], scanned: bool, ctx: Context
) -> tuple[list[_Turn], list[Narrative]]:
    """Lines into turns and narrative, each as its list of paragraphs."""
    following: list[_Line | None] = [*lines[1:], None]  # one too many when there is no line
    preceding: list[_Line | None] = [None, *lines[:-1]]
    cands = [
        _candidate(line, ctx, after, before)
        for line, after, before in zip(lines, following, preceding, strict=False)
    ]
    labelled = [c for c in cands if c]
    ctx.label_keys.update(c.key for c in labelled)
    ctx.resolved.clear()
    corroborated = any(c.who.known for c in labelled)
    # The first tests of _is_end, made here for every line: its first letter, then its first word.
    cannot_end, may_end = tables().not_end_initials, tables().end_head.match
    widths = sorted([len(line.text) for line in lines])
    width = widths[int(len(widths) * 0.75)] if widths else 0
    turns: list[_Turn] = []
    narrative: list[Narrative] = []
    loose: list[str] = []  # narrative paragraphs not yet placed
    current: _Turn | None = None
    previous: str | None = None

    def flush_loose() -> None:
        if loose:
            narrative.extend(Narrative(p, len(turns)) for p in loose)
            loose.clear()

    for line, cand in zip(lines, cands, strict=True):
        if cand and (cand.who.known or corroborated or ctx.label_keys[cand.key] > 1):
            flush_loose()
            # "QUESTION: PRIME MINISTER: ..." (scanned): a second label in the same line.
            inner = _candidate(_Line(cand.rest, None, False), ctx, None) if cand.rest else None
            while inner is not None and inner.who.known:
                turns.append(_Turn(cand))
                cand = inner
                inner = _candidate(_Line(cand.rest, None, False), ctx, None) if cand.rest else None
            current = _Turn(cand, [cand.rest] if cand.rest else [])
            turns.append(current)
            previous = cand.rest or None
            continue
        if line.text[:1] not in cannot_end and may_end(line.text) and _is_end(line.text):
            flush_loose()
            narrative.append(Narrative(line.text, len(turns)))
            current, previous = None, None
            continue
        target = current.paragraphs if current else loose
        fresh = not scanned or _breaks(previous if target else None, line, width)
        _join(target, line.text, fresh)
        previous = line.text
    flush_loose()
    return turns, narrative


def _resolve_typos(turns: list[_Turn], ctx: Context) -> None:
    """ "MITCHELLL" beside "MITCHELL": an unknown label one edit from a more frequent one."""
    counts = Counter(t.candidate.key for t in turns if t.candidate)
    ranked = counts.most_common()
    for turn in turns:
        cand = turn.candidate
        if cand is None or cand.who.known or counts[cand.key] > 2:
            continue
        for other, n in ranked:
            if n > counts[cand.key] and len(other) >= 5 and distance(cand.key, other, 1) == 1:
                turn.candidate = _Candidate(cand.attribution, cand.rest, resolve(other, ctx), other)
                break


def _speech_of_pm(narrative: list[Narrative], ctx: Context) -> _Turn | None:
    """An unlabelled speech: its body (after header lines, before "ENDS") is one PM turn."""
    t = tables()
    start = 0
    while start < len(narrative) and _is_header(narrative[start].text):
        start += 1
    end = len(narrative)
    while end > start and _is_end(narrative[end - 1].text):
        end -= 1
    if start >= end:
        return None
    body = [n.text for n in narrative[start:end]]
    who = Who(ctx.pm_name, t.pm_role, True)
    turn = _Turn(_Candidate("", "", who, ""), body)
    del narrative[start:end]
    for i in range(start, len(narrative)):
        narrative[i] = Narrative(narrative[i].text, 1, narrative[i].kind)
    return turn


def _is_header(text: str) -> bool:
    """Capitals, a dateline ("21 February, 1972") or a known header phrase ("E&OE")."""
    low = text.lower()
    if not has_lower(text) or (len(text) < 40 and _YEAR.search(text)):
        return True
    return any(p in low for p in tables().header_phrases)


# --- the record -----------------------------------------------------------------------------------


def parse(data: bytes, *, origin: str | None = None) -> Document:
    values, content = _fields(data, origin)
    warnings: list[str] = []
    source_id = values["transcript-id"] or None
    title = values["title"]
    if not title:
        warnings.append("the transcript has no title")
    date = _date(values["release-date"])
    if values["release-date"] and date is None:
        warnings.append(f"release date {values['release-date']!r} is not a dd/mm/yyyy date")
    category = values["release-type"] or None
    ctx = context(values["prime-minister"], title)
    if not ctx.pm_name:
        warnings.append("no prime minister named: PRIME MINISTER turns have no speaker")
    lines, scanned = _lines(content)
    if not lines:
        warnings.append("the transcript has no text")
    turns, narrative = _assemble(lines, scanned, ctx)
    _resolve_typos(turns, ctx)
    if not turns and (category or "").lower() in tables().spoken_types:
        pm_turn = _speech_of_pm(narrative, ctx)
        turns = [pm_turn] if pm_turn else []
    speeches: list[Speech] = []
    for turn in turns:
        cand = turn.candidate
        if cand is None:
            continue
        speeches.append(
            Speech(
                cand.attribution or None, cand.who.speaker, cand.who.role, tuple(turn.paragraphs)
            )
        )
    unnamed = sorted(
        {s.attribution or "" for s in speeches if s.speaker is None and s.role is None}
    )
    if unnamed:
        warnings.append(f"labels naming nobody known: {', '.join(unnamed)}")
    texts = [p for s in speeches for p in s.paragraphs] + [n.text for n in narrative]
    return Document(
        source=SOURCE,
        title=title,
        language="en",
        format=NAME,
        source_id=source_id,
        url=_URL.format(source_id) if source_id else None,
        category=category,
        date=date,
        tags=Tags(topics=tuple(Tag(topic) for topic in _topics(values["subjects"]))),
        speeches=tuple(speeches),
        narrative=tuple(narrative),
        # Every mark holds an ellipsis: the regex tests each character, and few texts hold one.
        omissions=sum(len(_OMISSION.findall(t)) for t in texts if "..." in t or "…" in t),
        warnings=tuple(warnings),
        origin=origin,
    )
