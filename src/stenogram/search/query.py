"""The search query language: text -> a small tree of frozen nodes -> tantivy ``Query`` objects.

We parse the language ourselves instead of handing strings to tantivy's parser because that
parser silently drops ``*`` and misreads ``AND NOT`` (see notes/search-engines.md), and because
a user must get a one-line :class:`QueryError` naming the column, never a library exception.

Grammar (operators are upper-case; lower-case ``and``/``or``/``not`` are plain words)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          juxtaposition means AND
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | '"phrase"' | '~"loose phrase"' | word | prefix* | field:value
             | field:"a phrase"

A quoted phrase is exact: its words in that order, with their inflection (the unstemmed
``exact_*`` fields); ``~"..."`` is the loose phrase (stemmed, so "national projects" also finds
"national project"). Unquoted words are stemmed. Obvious slips are read leniently: an unclosed
quote runs to the end, an unclosed parenthesis closes at the end. An unknown ``name:`` is an
error naming the nearest known filter: read as text, a typo would quietly find nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import tantivy

from ..errors import AmbiguousName, QueryError
from . import index as ix
from .people import People, misprints_of

MAX_CHARS: Final = 1000
MAX_CLAUSES: Final = 64
MAX_DEPTH: Final = 16
#: A prefix expands to at most this many index terms (the most frequent ones).
MAX_EXPANSIONS: Final = 128
#: How many prefix terms are read from the dictionary to choose the most frequent from.
EXPANSION_SCAN: Final = 4096

#: Filter name as typed -> the canonical filter. Text filters match words of the stored value;
#: tag filters match a whole tag name; ``from``/``to`` take dates.
WORD_FILTERS: Final[dict[str, str]] = {
    "speaker": "speaker_words",
    "participant": "participant_words",
    "role": "role_words",
    "place": "place_words",
}
#: Filters on a resolved person: the columns holding person ids (the words filter above is the
#: fallback for a value that names nobody, such as "Question" or an unresolved label).
PERSON_FILTERS: Final[dict[str, tuple[str, ...]]] = {
    "speaker": ("speaker", "event_speaker"),
    "participant": ("participant",),
}
TAG_FILTERS: Final[dict[str, str]] = {
    "topic": "topic_key",
    "geo": "geo_key",
    "geography": "geo_key",
    "section": "section_key",
    "category": "category_key",
}
DATE_FILTERS: Final = frozenset({"from", "to", "date"})
FILTERS: Final = frozenset({*WORD_FILTERS, *TAG_FILTERS, *DATE_FILTERS, "title", "lang"})

_FIELD_RE: Final = re.compile(r"([A-Za-z]+):")
#: What follows ``name:`` when an unknown name is a filter typed wrong rather than a word that
#: ends a sentence ("Note: ...") or a URL's scheme.
_VALUE_START: Final = re.compile(r"[^\s/]")
_WORD_CHAR: Final = re.compile(r"\w")
_DATE_RE: Final = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


# --- The tree ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    #: ``~"..."``: the words stemmed, as unquoted words are; else the exact words.
    loose: bool = False


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str


@dataclass(frozen=True, slots=True)
class Filter:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class DateRange:
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Term | Phrase | Prefix | Filter | DateRange | And | Or | Not


# --- Lexing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(" ")" "AND" "OR" "NOT" "word" "phrase" "loose" "field"
    pos: int
    text: str = ""
    name: str = ""


def _error(query: str, reason: str, pos: int | None = None) -> QueryError:
    shown = query if len(query) <= 60 else query[:57] + "..."
    where = f" (column {pos + 1})" if pos is not None else ""
    return QueryError(reason + where, document=f"query {shown!r}")


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    """Text up to the closing quote; an unclosed quote leniently runs to the end."""
    end = query.find('"', start + 1)
    if end < 0:
        return query[start + 1 :], len(query)
    return query[start + 1 : end], end + 1


def _read_bare(query: str, start: int) -> tuple[str, int]:
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in '()"':
        end += 1
    return query[start:end], end


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, i))
            i += 1
        elif ch == '"':
            text, i_next = _read_quoted(query, i)
            tokens.append(_Token("phrase", i, text))
            i = i_next
        elif ch == "~" and query.startswith('"', i + 1):
            text, i = _read_quoted(query, i + 1)
            tokens.append(_Token("loose", i, text))
        elif ch in "-+" and i + 1 < len(query) and (query[i + 1] == '"' or query[i + 1] == "("):
            tokens.append(_Token("NOT" if ch == "-" else "+", i))
            i += 1
        else:
            field = _FIELD_RE.match(query, i)
            if field and field.group(1).lower() not in FILTERS:
                if _VALUE_START.match(query, field.end()):
                    raise _unknown_field(query, field.group(1), i)
                field = None
            if field:
                start = field.end()
                if start < len(query) and query[start] == '"':
                    value, i = _read_quoted(query, start)
                else:
                    value, i = _read_bare(query, start)
                tokens.append(_Token("field", field.start(), value, field.group(1).lower()))
                continue
            text, i_next = _read_bare(query, i)
            if text in ("AND", "OR", "NOT"):
                tokens.append(_Token(text, i))
            elif text.startswith("-") and len(text) > 1:
                tokens.extend((_Token("NOT", i), _Token("word", i + 1, text[1:])))
            else:
                tokens.append(_Token("word", i, text.removeprefix("+")))
            i = i_next
    return [t for t in tokens if t.kind != "+"]


def _unknown_field(query: str, name: str, pos: int) -> QueryError:
    near = difflib.get_close_matches(name.lower(), sorted(FILTERS), n=1, cutoff=0.5)
    known = ", ".join(f"{known}:" for known in sorted(FILTERS))
    hint = f"; did you mean {near[0]}:?" if near else f"; known: {known}"
    return _error(query, f"unknown filter {name}:{hint}", pos)


# --- Parsing ----------------------------------------------------------------------------------


def _date(query: str, token: _Token) -> DateRange:
    """``from:``/``to:`` one date; ``date:`` a period (``2016``) or a range (``2016..2018-06``,
    either end may be left open)."""
    if token.name != "date":
        return _bound(query, token, token.text, at_end=token.name == "to")
    start, dots, end = token.text.partition("..")
    if not dots:
        start = end = token.text
    return DateRange(
        _bound(query, token, start, at_end=False).start if start else None,
        _bound(query, token, end, at_end=True).end if end else None,
    )


def date_bound(name: str, text: str) -> dt.date:
    """One date as ``from:`` (``name`` "from") or ``to:`` reads it, for lists that take a date
    range outside a query; a bad one is a :class:`QueryError`."""
    token = _Token("field", 0, text, name)
    bound = _bound(f"{name}:{text}", token, text, at_end=name == "to")
    value = bound.end if name == "to" else bound.start
    assert value is not None
    return value


def _bound(query: str, token: _Token, text: str, *, at_end: bool) -> DateRange:
    match = _DATE_RE.fullmatch(text)
    if match is None:
        expects = "YYYY[-MM[-DD]] or FROM..TO" if token.name == "date" else "YYYY-MM-DD"
        raise _error(query, f"{token.name}: expects a date {expects}", token.pos)
    year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if not month:
        month = 12 if at_end else 1
    if not day:
        day = calendar.monthrange(year, month)[1] if at_end and 1 <= month <= 12 else 1
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise _error(query, f"{token.name}: {text!r} is not a real date", token.pos) from None
    return DateRange(end=value) if at_end else DateRange(start=value)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.at = 0
        self.clauses = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, reason: str, token: _Token | None) -> QueryError:
        return _error(self.query, reason, token.pos if token else len(self.query))

    def parse(self) -> Node:
        if not self.tokens:
            raise _error(self.query, "the query is empty")
        node = self.parse_or(0)
        extra = self.peek()
        if extra is not None:
            reason = "unmatched ')'" if extra.kind == ")" else f"unexpected {extra.kind}"
            raise self.fail(reason, extra)
        return node

    def parse_or(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels", self.peek())
        items = [self.parse_and(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            items.append(self.parse_and(depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self, depth: int) -> Node:
        items = [self.parse_unary(depth)]
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
            items.append(self.parse_unary(depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self, depth: int) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take()
            if self.peek() is None:
                raise self.fail("NOT needs a term after it", None)
            return Not(self.parse_unary(depth + 1))
        return self.parse_primary(depth)

    def parse_primary(self, depth: int) -> Node:
        token = self.peek()
        if token is None:
            raise self.fail("the query ends where a term was expected", None)
        if token.kind in ("AND", "OR"):
            raise self.fail(f"{token.kind} needs a term on each side", token)
        if token.kind == ")":
            raise self.fail("unmatched ')'" if depth == 0 else "empty parentheses", token)
        self.take()
        if token.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise self.fail("empty parentheses", inner)
            node = self.parse_or(depth + 1)
            if (close := self.peek()) is not None and close.kind == ")":
                self.take()
            # An unclosed "(" closes at the end of the query.
            return node
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise self.fail(f"more than {MAX_CLAUSES} terms", token)
        if token.kind in ("phrase", "loose"):
            return Phrase(token.text, loose=token.kind == "loose")
        if token.kind == "field":
            return self.field(token)
        if token.text.endswith("*") and _WORD_CHAR.search(token.text):
            return Prefix(token.text.rstrip("*"))
        return Term(token.text)

    def field(self, token: _Token) -> Node:
        if not _WORD_CHAR.search(token.text):
            raise self.fail(f"{token.name}: needs a value", token)
        if token.name in DATE_FILTERS:
            return _date(self.query, token)
        return Filter(token.name, token.text.strip())


def parse(query: str) -> Node:
    """Read ``query`` into a tree, or raise :class:`QueryError` with the column of the fault."""
    if len(query) > MAX_CHARS:
        raise _error(query, f"the query is longer than {MAX_CHARS} characters")
    return _Parser(query).parse()


def loosen(node: Node, *, words: bool = False) -> Node:
    """The query with its exact phrases loosened: stemmed, or with ``words`` their words in any
    order. What is offered, labelled, when an exact phrase finds nothing."""
    match node:
        case Phrase(text, loose=False):
            if not words:
                return Phrase(text, loose=True)
            parts = tuple(Term(w) for w in text.split())
            return parts[0] if len(parts) == 1 else And(parts)
        case And(items):
            return And(tuple(loosen(item, words=words) for item in items))
        case Or(items):
            return Or(tuple(loosen(item, words=words) for item in items))
        case _:
            return node


def as_reported(node: Node, resolved: dict[str, str]) -> Node | None:
    """The query for narrative that may report what the speaker said: each ``speaker:`` read
    as ``participant:`` (the narrative of an event the person was at), by the person id it
    was ``resolved`` to. None when the query names no speaker, or names one only under a
    negation or an OR (nothing to report then)."""
    match node:
        case Filter("speaker", value):
            return Filter("participant", resolved.get(value, value))
        case And(items):
            parts = [as_reported(item, resolved) for item in items]
            if all(part is None for part in parts):
                return None
            return And(tuple(part or item for part, item in zip(parts, items, strict=True)))
        case _:
            return None


def has_exact_phrase(node: Node) -> bool:
    match node:
        case Phrase(loose=False):
            return True
        case And(items) | Or(items):
            return any(has_exact_phrase(item) for item in items)
        case _:
            return False


# --- To tantivy -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Compiler:
    """Turns a tree into tantivy queries for one searcher: prefixes expand against its terms."""

    opened: ix.OpenIndex
    searcher: tantivy.Searcher
    #: The text fields free words are looked up in, with each field's analyzer name.
    fields: tuple[tuple[str, str], ...]
    #: The unstemmed fields an exact phrase is looked up in.
    exact: tuple[str, ...] = (ix.EXACT_BODY,)
    #: The archive's persons, for ``speaker:`` and ``participant:``; without them those filters
    #: match the printed labels' words.
    people: People | None = None
    #: Filled while compiling: each person filter's value -> the person id it was read as.
    resolved: dict[str, str] = field(default_factory=dict)

    def compile(self, node: Node) -> tuple[tantivy.Query, bool]:
        """The query, and whether every match must contain a word in one of ``fields`` (not
        only pass filters or a negation): then those fields alone decide what can match."""
        compiled = self._node(node)
        return compiled if compiled is not None else (tantivy.Query.empty_query(), True)

    def _node(self, node: Node) -> tuple[tantivy.Query, bool] | None:
        """None means "nothing to search for" (e.g. a term of punctuation only): it is dropped."""
        match node:
            case Phrase(text, loose=False):
                exact = self._analyzer(ix.EXACT)
                return _text(self._words(field, exact, text) for field in self.exact)
            case Term(text) | Phrase(text):
                return _text(
                    self._words(field, self._analyzer(name), text) for field, name in self.fields
                )
            case Prefix(text):
                return _text(self._prefix(field, name, text) for field, name in self.fields)
            case Filter() | DateRange():
                return tantivy.Query.const_score_query(self._filter(node), 0.0), False
            case Not(item):
                inner = self._node(item)
                if inner is None:
                    return None
                everything = (tantivy.Occur.Must, tantivy.Query.all_query())
                return tantivy.Query.boolean_query(
                    [everything, (tantivy.Occur.MustNot, inner[0])]
                ), False
            case And(items):
                return self._and(items)
            case Or(items):
                present = [c for c in (self._node(item) for item in items) if c is not None]
                query = _any(q for q, _ in present)
                return None if query is None else (query, all(t for _, t in present))
        raise AssertionError(node)  # pragma: no cover - the match covers every node

    def _and(self, items: tuple[Node, ...]) -> tuple[tantivy.Query, bool] | None:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        needs = False
        for item in items:
            occur, inner = (
                (tantivy.Occur.MustNot, item.item)
                if isinstance(item, Not)
                else (tantivy.Occur.Must, item)
            )
            compiled = self._node(inner)
            if compiled is not None:
                clauses.append((occur, compiled[0]))
                needs = needs or (occur == tantivy.Occur.Must and compiled[1])
        if not clauses:
            return None
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.insert(0, (tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses), needs

    def _analyzer(self, name: str) -> tantivy.TextAnalyzer:
        return self.opened.analyzers[name]

    def _words(self, field: str, analyzer: tantivy.TextAnalyzer, text: str) -> tantivy.Query | None:
        """One word -> a term; several (a phrase, or ``U.S.``) -> a phrase on their positions."""
        tokens = analyzer.pre_tokenize(text).tokens
        if not tokens:
            return None
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.opened.schema, field, tokens[0].text)
        first = tokens[0].position
        words: list[str | tuple[int, str]] = [(t.position - first, t.text) for t in tokens]
        return tantivy.Query.phrase_query(self.opened.schema, field, words)

    def _prefix(self, field: str, name: str, text: str) -> tantivy.Query | None:
        """``sanction*`` -> OR of the index terms that start so (highlighting keeps working)."""
        words = self._analyzer(ix.WORDS).analyze(text)
        if not words:
            return None
        stem = self._analyzer(name).analyze(words[-1])
        schema = self.opened.schema
        if len(words) > 1:
            lead = [w for word in words[:-1] for w in self._analyzer(name).analyze(word)]
            return tantivy.Query.phrase_prefix_query(schema, field, [*lead, words[-1]])
        found = self.searcher.terms_with_prefix(field, words[0], limit=EXPANSION_SCAN)
        found.sort(key=lambda pair: -pair[1])
        terms = {term for term, _ in found[:MAX_EXPANSIONS]}
        # The stem of the prefix itself: "sanctions*" must still find the indexed "sanction".
        terms.update(s for s in stem if self.searcher.doc_freq(field, s))
        return _any(tantivy.Query.term_query(schema, field, term) for term in sorted(terms))

    def _filter(self, node: Filter | DateRange) -> tantivy.Query:
        schema = self.opened.schema
        if isinstance(node, DateRange):
            return _dates(schema, node)
        if node.name in PERSON_FILTERS and (person := self._person(node)) is not None:
            return person
        if node.name in WORD_FILTERS:
            query = self._words(WORD_FILTERS[node.name], self._analyzer(ix.WORDS), node.value)
            return query if query is not None else tantivy.Query.empty_query()
        if node.name == "title":
            analyzed = ((ix.title_field(k), self._analyzer(f"sg_{k}")) for k in ix.LANG_KEYS)
            title = _any(self._words(field, analyzer, node.value) for field, analyzer in analyzed)
            return title if title is not None else tantivy.Query.empty_query()
        if node.name in TAG_FILTERS:
            key = self._analyzer(ix.KEY).analyze(node.value)
            return tantivy.Query.term_query(schema, TAG_FILTERS[node.name], key[0] if key else "")
        return tantivy.Query.term_query(schema, "lang", node.value.lower())

    def _person(self, node: Filter) -> tantivy.Query | None:
        """The filter on the person ``node.value`` names, or None if it names nobody.

        Several candidates are first narrowed to those the index holds in the filter's
        columns (a namesake who never spoke is no reason to refuse ``speaker:``), and rare
        misprints of the most frequent one's name are taken with it (:func:`misprints_of`)."""
        if self.people is None:
            return None
        found = self.people.find(node.value)
        if not found:
            return None
        columns = PERSON_FILTERS[node.name]
        if len(found) > 1:
            held = {c: sum(self.searcher.doc_freq(f, c[0]) for f in columns) for c in found}
            found = sorted((c for c in found if held[c]), key=lambda c: -held[c]) or found
            top = found[0]
            rest = [(name, held[(pid, name)]) for pid, name in found[1:]]
            if rest and not misprints_of(top[1], held[top], rest):
                raise AmbiguousName(
                    f"{node.name}:{node.value} may mean {len(found)} persons; "
                    "give a fuller name or the id",
                    sorted(found, key=lambda c: c[1]),
                    document=f"query {node.name}:{node.value!r}",
                )
        self.resolved[node.value] = found[0][0]
        schema = self.opened.schema
        return _any(tantivy.Query.term_query(schema, f, p) for p, _ in found for f in columns)


def _days(schema: tantivy.Schema, start: dt.date | None, end: dt.date | None) -> tantivy.Query:
    return tantivy.Query.range_query(
        schema,
        "day",
        tantivy.FieldType.Integer,
        ix.day_number(start) if start else None,
        ix.day_number(end) if end else None,
    )


def _dates(schema: tantivy.Schema, node: DateRange) -> tantivy.Query:
    """A date filter: the whole years inside it as year terms, the days of the years it cuts
    as day ranges.

    Why: a range over the ``day`` column reads the column of every document (~5 ms at a
    million speeches, paid again by each pass of a search), while a few year terms are a
    union of postings. Open-ended ranges keep the day range.
    """
    start, end = node.start, node.end
    if start is None or end is None or end < start:
        return _days(schema, start, end)
    first = start.year if start == dt.date(start.year, 1, 1) else start.year + 1
    last = end.year if end == dt.date(end.year, 12, 31) else end.year - 1
    if first > last:
        return _days(schema, start, end)
    parts = [tantivy.Query.term_set_query(schema, "year", list(range(first, last + 1)))]
    if start.year < first:
        parts.append(_days(schema, start, dt.date(start.year, 12, 31)))
    if end.year > last:
        parts.append(_days(schema, dt.date(end.year, 1, 1), end))
    if len(parts) == 1:
        return parts[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts])


def _text(queries: Iterable[tantivy.Query | None]) -> tuple[tantivy.Query, bool] | None:
    query = _any(queries)
    return None if query is None else (query, True)


def _any(queries: Iterable[tantivy.Query | None]) -> tantivy.Query | None:
    present = [q for q in queries if q is not None]
    if len(present) <= 1:
        return present[0] if present else None
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in present])
