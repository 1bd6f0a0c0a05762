"""One Person per real person, across documents, languages and name forms.

Evidence is weighed in a fixed order. A publisher's person id wins over everything (kremlin.ru
links each speaker to ``/catalog/persons/N``). Then the full-name key (given name + surname,
transliterated and folded). A short form ("Putin", "Mr Putin", "В.Путин") first looks for a person
with that surname in the same document, where it is nearly always unambiguous, and only then
across documents, where it attaches only to a single candidate; otherwise it becomes a person of
its own and a :class:`Doubt` for a human to settle with ``merge``/``split``.

Hand fixes (:class:`~stenogram.model.Override`) are not edits of the result but routes applied to
every mention as it is resolved, so a directory rebuilt from the overrides and the same
documents arrives at the same persons. For that, everything a person carries (roles, publisher
ids) is kept per name form, which is what a split moves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher, get_close_matches
from functools import cache, lru_cache
from itertools import count

from ..errors import NotFound
from ..model import Document, DocumentPeople, Membership, NameForm, Override, Person
from ..parse.common import normalize_space
from ..parse.labels import is_nonperson
from .names import NameParts, parse_name, publisher_id, publisher_key, slug, word_key
from .nonpersons import names_nobody

FULL, SURNAME_FIRST, SHORT = "full", "surname-first", "short"
# How alike two given names must be to be listed as a possible misprint ("Vladmir"/"Vladimir").
_NEAR = 0.8
# How alike a name typed by a user must be to one the archive holds to be suggested.
_NEAR_NAME = 0.75


@dataclass(frozen=True, slots=True)
class Doubt:
    """Two persons that may be one, and why they were kept apart."""

    a: str
    b: str
    reason: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A stored mention with a role: the evidence a directory loaded from an archive rebuilds
    its roles from, so that they stay tied to the name form printed (a split moves them) and to
    the document they came from (an updated document re-read does not count twice)."""

    person_id: str
    text: str
    role: str
    date: dt.date | None
    doc: str


@dataclass(slots=True)
class _Seen:
    """Where a role was seen: dates, and the documents of this session (so a re-read document
    does not count twice); ``base`` is the count of a person loaded from the archive."""

    first: dt.date | None = None
    last: dt.date | None = None
    docs: set[str] = field(default_factory=set)
    base: int = 0

    def add(self, date: dt.date | None, doc: str) -> None:
        self.docs.add(doc)
        if date is not None:
            self.first = min(self.first or date, date)
            self.last = max(self.last or date, date)

    def absorb(self, other: _Seen) -> None:
        dates = [d for d in (self.first, self.last, other.first, other.last) if d is not None]
        self.first, self.last = min(dates, default=None), max(dates, default=None)
        self.docs |= other.docs
        self.base += other.base


@dataclass(slots=True)
class _Entry:
    """A person being built. Roles and publisher ids are keyed by the name form (text) they came
    with; ``None`` stands for what was loaded without that detail."""

    id: str
    forms: dict[NameForm, set[str]] = field(default_factory=dict)
    roles: dict[tuple[str | None, str], _Seen] = field(default_factory=dict)
    pids: dict[str, set[str | None]] = field(default_factory=dict)
    name: str = ""

    def person(self) -> Person:
        merged: dict[str, _Seen] = {}
        for (_, role), seen in self.roles.items():
            merged.setdefault(role, _Seen()).absorb(seen)
        memberships = sorted(
            (Membership(role, s.first, s.last, s.base + len(s.docs)) for role, s in merged.items()),
            key=lambda m: (m.first_seen or dt.date.max, m.role),
        )
        return Person(
            id=self.id,
            name=self.name,
            names=tuple(sorted(self.forms, key=lambda f: (f.language, f.kind, f.text))),
            memberships=tuple(memberships),
            publisher_ids=tuple(sorted(self.pids)),
        )

    def rename(self) -> None:
        """The display name: the most used full Latin first-last form (fixed rules, so a merge
        and a rebuild from scratch pick the same one)."""

        def rank(form: NameForm) -> tuple[bool, bool, bool, int, str]:
            parts = _parts(form)
            return (
                parts is not None and parts.full,
                form.text.isascii(),
                form.kind == FULL,
                len(self.forms[form]),
                form.text,
            )

        if self.forms:
            best = max(self.forms, key=rank)
            parts = _parts(best)
            self.name = parts.display() if parts else best.text


@lru_cache(maxsize=1 << 16)
def _name_parts(name: str, language: str, surname_first: bool) -> tuple[str, NameParts] | None:
    """A printed name, normalised and parsed (None for "Question", "Caller", "Woman", "I"...):
    once per distinct name, because a corpus prints the same few thousand names again and again."""
    if is_nonperson(name, language) or names_nobody(name, language):
        return None
    parts = parse_name(name, language, surname_first=surname_first)
    return (normalize_space(name), parts) if parts is not None else None


@cache
def _parts(form: NameForm) -> NameParts | None:
    return parse_name(form.text, form.language, surname_first=form.kind == SURNAME_FIRST)


@dataclass(slots=True)
class _Mention:
    text: str
    kind: str
    language: str
    parts: NameParts
    pid: str | None
    role: str | None


class PeopleDirectory:
    """Persons found so far; :meth:`resolve` reads one more document into them."""

    def __init__(
        self,
        persons: Iterable[Person] = (),
        overrides: Iterable[Override] = (),
        mentions: Iterable[Mention] | None = None,
    ) -> None:
        """``mentions``, when given, replace the persons' stored memberships as the source of
        their roles (see :class:`Mention`); the documents they name are then keyed as the
        caller keys them in :meth:`resolve`."""
        self._entries: dict[str, _Entry] = {}
        self._claimed: set[str] = set()
        self._alias: dict[str, str] = {}
        self._splits: dict[str, list[tuple[frozenset[str], str]]] = defaultdict(list)
        self._overrides: list[Override] = []
        self._changed: set[str] = set()
        #: Persons whose display name may have changed: renamed when next read, not after
        #: every mention (ranking their name forms was a tenth of the cost of resolving).
        self._stale: set[str] = set()
        self._docs = count()
        for person in persons:
            self._entries[person.id] = self._load(person, mentions is not None)
            self._claimed.add(person.id)
        for seen in mentions or ():
            if entry := self._entries.get(seen.person_id):
                entry.roles.setdefault((seen.text, seen.role), _Seen()).add(seen.date, seen.doc)
        self._reindex()
        for override in overrides:
            self._apply(override)
        self._changed.clear()

    # --- public -------------------------------------------------------------------------------

    def resolve(self, doc: Document, key: str | None = None) -> DocumentPeople:
        """Person id per speech and per participant (None for "Question", "Journalist"...).

        ``key`` names the document across revisions (the archive's event identity), so that a
        document read again counts once in a role; without it the publisher's id or URL does.
        """
        doc_key = key or "|".join(str(x) for x in (doc.source, doc.source_id or doc.url))
        doc_key = doc_key if key or doc.source_id or doc.url else f"{doc_key}|{next(self._docs)}"
        speeches = [self._mention(doc, s.speaker, s.role, s.person_id) for s in doc.speeches]
        participants = [self._mention(doc, p.name, p.role, p.person_id) for p in doc.participants]
        tags = [self._mention(doc, t.name, None, t.id, SURNAME_FIRST) for t in doc.tags.persons]
        everything = [*speeches, *participants, *tags]
        # Full names first, so that short forms can lean on them; then short forms the publisher
        # linked; then the rest.
        order = sorted(
            ((pos, m) for pos, m in enumerate(everything) if m),
            key=lambda item: (_strength(item[1]), item[0]),
        )
        # Each (person, name) once: a transcript repeats its speakers hundreds of times.
        seen: list[tuple[str, NameParts]] = []
        ids: dict[int, str] = {}
        for pos, mention in order:
            ids[pos] = self._record(self._resolve(mention, seen), mention, doc, doc_key)
            if mention.parts.full and (ids[pos], mention.parts) not in seen:
                seen.append((ids[pos], mention.parts))
        n = len(speeches)
        return DocumentPeople(
            speeches=tuple(ids.get(i) for i in range(n)),
            participants=tuple(ids.get(i) for i in range(n, n + len(participants))),
        )

    def _rename_stale(self) -> None:
        for person in self._stale:
            if person in self._entries:
                self._entries[person].rename()
        self._stale.clear()

    def persons(self) -> list[Person]:
        self._rename_stale()
        return [self._entries[i].person() for i in sorted(self._entries)]

    def changed(self) -> list[Person]:
        """Persons created or updated since the last call, for the archive to save."""
        self._rename_stale()
        out = [self._entries[i].person() for i in sorted(self._changed) if i in self._entries]
        self._changed.clear()
        return out

    def find(self, name: str) -> list[Person]:
        """Persons an id or a printed name may mean (all candidates, for a human to choose)."""
        self._rename_stale()
        if name in self._entries:
            return [self._entries[name].person()]
        if name in self._alias:
            return [self._entries[self._follow(name)].person()]
        found: list[str] = []
        # A name typed by a user may be in either order ("Lukashenko Alexander").
        for surname_first in (False, True):
            parts = parse_name(name, "en" if name.isascii() else "ru", surname_first=surname_first)
            if parts and parts.key:
                found += self._by_full.get(parts.key, [])
            elif parts:
                found += self._candidates(parts) + self._by_short.get(_short_key(parts), [])
        if not found:
            folded = name.casefold()
            found = [
                e.id
                for e in self._entries.values()
                if folded in e.name.casefold() or any(folded in f.text.casefold() for f in e.forms)
            ]
        return [self._entries[i].person() for i in sorted(set(found))]

    def near(self, name: str, limit: int = 3) -> list[Person]:
        """Persons whose name words are spelled nearly like those of ``name`` (for a lookup that
        found nobody): "Lukashenka" -> Lukashenko. Compared as matching keys, so another
        script or transliteration costs nothing."""
        self._rename_stale()
        wanted = [word_key(w) for w in name.split() if len(word_key(w)) > 2]
        words: dict[str, set[str]] = defaultdict(set)
        for entry in self._entries.values():
            for form in entry.forms:
                if parts := _parts(form):
                    for key in parts.token_keys:
                        words[key].add(entry.id)
        score: dict[str, float] = defaultdict(float)
        for key in wanted:
            for close in get_close_matches(key, words, n=limit * 3, cutoff=_NEAR_NAME):
                ratio = SequenceMatcher(None, key, close).ratio()
                for person in words[close]:
                    score[person] = max(score[person], ratio)
        best = sorted(score, key=lambda i: (-score[i], self._entries[i].name))[:limit]
        return [self._entries[i].person() for i in best]

    def doubtful(self) -> list[Doubt]:
        """Pairs that may be one person: a short form that fitted several (or a later) full name,
        and full names printed alike but kept apart (different publisher ids, a split)."""
        self._rename_stale()
        split_pairs = {
            frozenset((o.person_id, o.other_id)) for o in self._overrides if o.action == "split"
        }
        doubts: dict[frozenset[str], Doubt] = {}

        def add(a: str, b: str, reason: str) -> None:
            pair = frozenset((a, b))
            if a != b and pair not in split_pairs and pair not in doubts:
                a, b = sorted(pair)
                doubts[pair] = Doubt(a, b, reason)

        for ids in self._by_short.values():
            for short_id in ids:
                entry = self._entries[short_id]
                if any(p and p.full for p in map(_parts, entry.forms)):
                    continue
                parts = next(p for p in map(_parts, entry.forms) if p)
                for other in self._candidates(parts):
                    other_name = self._entries[other].name
                    add(short_id, other, f"short form {entry.name!r} fits {other_name}")
        for ids in self._by_surname.values():
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    if self._near(a, b):
                        names = f"{self._entries[a].name} / {self._entries[b].name}"
                        add(a, b, f"given names differ by a letter or two: {names}")
        for ids in self._by_full.values():
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    add(a, b, f"same name {self._entries[a].name!r}, kept apart by publisher ids")
        return sorted(doubts.values(), key=lambda d: (d.a, d.b))

    def _near(self, a: str, b: str) -> bool:
        """Full names of one surname whose given names look like a misprint of each other."""
        if self._conflicts_any(a, b):
            return False
        given = [
            {p.key[0] for p in map(_parts, self._entries[i].forms) if p and p.key} for i in (a, b)
        ]
        return any(
            x[:1] == y[:1] and SequenceMatcher(None, x, y).ratio() >= _NEAR
            for x in given[0]
            for y in given[1]
        )

    def _conflicts_any(self, a: str, b: str) -> bool:
        return any(self._conflicts(a, pid) for pid in self._entries[b].pids)

    def merge(self, a: str, b: str) -> Override:
        """Fold person ``b`` into person ``a``."""
        override = Override("merge", self._existing(a), self._existing(b))
        if override.person_id == override.other_id:
            raise NotFound(f"{a} and {b} are already one person", document=a)
        self._apply(override)
        return override

    def split(self, person_id: str, names: Sequence[str]) -> Override:
        """Move the name forms ``names`` (texts as printed) of a person to a new person."""
        entry = self._entries[self._existing(person_id)]
        texts = {f.text for f in entry.forms}
        unknown = [n for n in names if n not in texts]
        if unknown:
            raise NotFound(f"{unknown[0]!r} is not a name form of {entry.id}", document=entry.id)
        if not names or texts <= set(names):
            raise NotFound(
                f"a split of {entry.id} must leave it some of its names", document=entry.id
            )
        first = next(f for f in entry.forms if f.text in names)
        parts = _parts(first)
        override = Override(
            "split",
            entry.id,
            self._allocate(slug(parts.display() if parts else first.text)),
            tuple(dict.fromkeys(names)),
        )
        self._apply(override)
        return override

    # --- resolving ----------------------------------------------------------------------------

    def _mention(
        self,
        doc: Document,
        name: str | None,
        role: str | None,
        raw_pid: str | None,
        kind: str | None = None,
    ) -> _Mention | None:
        found = _name_parts(name, doc.language, kind == SURNAME_FIRST) if name else None
        if found is None:
            return None
        text, parts = found
        return _Mention(
            text=text,
            kind=kind or (FULL if parts.full else SHORT),
            language=doc.language,
            parts=parts,
            pid=publisher_id(doc.source, raw_pid) if raw_pid else None,
            role=normalize_space(role) if role and role.strip() else None,
        )

    def _resolve(self, m: _Mention, seen: list[tuple[str, NameParts]]) -> str:
        if m.pid and (known := self._by_pid.get(publisher_key(m.pid))):
            return known
        if m.parts.key:
            for candidate in self._by_full.get(m.parts.key, []):
                if not self._conflicts(candidate, m.pid):
                    return candidate
            return self._allocate(slug(m.parts.display()))
        return self._resolve_short(m, seen)

    def _resolve_short(self, m: _Mention, seen: list[tuple[str, NameParts]]) -> str:
        parts = m.parts
        surname = parts.surname_key
        same_surname = [(i, p) for i, p in seen if p.surname_key == surname]
        here = _unique(i for i, p in same_surname if _fits(parts, p))
        if here is None and not same_surname:
            # "Xi" for "Xi Jinping" read surname-last: any word of a name met in this document.
            here = _unique(i for i, p in seen if surname in p.token_keys)
        elsewhere = _unique(self._candidates(parts))
        same = self._by_short.get(_short_key(parts), [])
        for found in (here, elsewhere, *same):
            if found and not self._conflicts(found, m.pid):
                return found
        return self._allocate(slug(parts.display()))

    def _candidates(self, parts: NameParts) -> list[str]:
        """Persons with a full name of this surname whose given name fits the initial."""
        initial = parts.initial
        return [
            i
            for i in self._by_surname.get(parts.surname_key, [])
            if initial is None or initial in self._initials[i]
        ]

    def _conflicts(self, person: str, pid: str | None) -> bool:
        """Does the person already carry another id of the same publisher numbering?"""
        if pid is None:
            return False
        family = publisher_key(pid).rpartition(":")[0]
        key = publisher_key(pid)
        return any(
            publisher_key(p).rpartition(":")[0] == family and publisher_key(p) != key
            for p in self._entries[person].pids
        )

    def _allocate(self, base: str) -> str:
        """A new id: the slug, with a numeric suffix when an earlier person holds it."""
        for n in count(1):
            candidate = base if n == 1 else f"{base}-{n}"
            if candidate not in self._claimed:
                self._claimed.add(candidate)
                return candidate
        raise AssertionError("unreachable")

    def _record(self, natural: str, m: _Mention, doc: Document, doc_key: str) -> str:
        person = self._route(natural, m.text)
        entry = self._entries.get(person)
        if entry is None:
            entry = self._entries[person] = _Entry(person)
        form = NameForm(m.text, m.kind, m.language)
        new_form = form not in entry.forms
        docs = entry.forms.setdefault(form, set())
        docs.add(doc_key)
        if m.pid:
            entry.pids.setdefault(m.pid, set()).add(m.text)
            self._by_pid.setdefault(publisher_key(m.pid), person)
        if m.role:
            entry.roles.setdefault((m.text, m.role), _Seen()).add(doc.date, doc_key)
        if new_form:
            self._index_form(person, form)
        self._stale.add(person)
        self._changed.add(person)
        return person

    # --- overrides ----------------------------------------------------------------------------

    def _follow(self, person: str) -> str:
        while person in self._alias:
            person = self._alias[person]
        return person

    def _route(self, person: str, text: str) -> str:
        """Follow merges and splits from the natural id. A split back to an id that a merge had
        folded away (the merge's alias still points on) lands there: it is where it started."""
        visited = {person}
        for _ in range(len(self._overrides) + 1):
            person = self._follow(person)
            moved = next((q for names, q in self._splits.get(person, []) if text in names), None)
            if moved is None or moved in visited:
                return moved or person
            visited.add(moved)
            person = moved
        return person

    def _existing(self, person: str) -> str:
        found = self._follow(person)
        if found not in self._entries:
            raise NotFound(f"no person {person!r}", document=person)
        return found

    def _apply(self, override: Override) -> None:
        self._rename_stale()
        self._overrides.append(override)
        if override.action == "merge":
            target, other = self._follow(override.person_id), self._follow(override.other_id)
            if target == other:
                return
            self._alias[other] = target
            if other in self._entries and target in self._entries:
                self._fold(self._entries.pop(other), self._entries[target])
        else:
            names = frozenset(override.names)
            self._splits[override.person_id].append((names, override.other_id))
            if override.other_id not in self._alias:
                # A merged-away id is left free: replayed on a fresh archive, the mentions that
                # first got it must get it again to follow the merge and then this split.
                self._claimed.add(override.other_id)
            source = self._entries.get(self._follow(override.person_id))
            if source and override.other_id not in self._entries:
                moved = _Entry(override.other_id)
                self._move(source, moved, names)
                if moved.forms:
                    self._entries[moved.id] = moved
                    moved.rename()
                    source.rename()
                    self._changed.update((source.id, moved.id))
        self._reindex()

    def _fold(self, other: _Entry, target: _Entry) -> None:
        self._move(other, target, None)
        target.rename()
        self._changed.add(target.id)

    @staticmethod
    def _move(source: _Entry, target: _Entry, names: frozenset[str] | None) -> None:
        """Move what came with the name forms ``names`` (all if None) from source to target."""

        def moves(text: str | None) -> bool:
            return names is None or text in names

        for form in [f for f in source.forms if moves(f.text)]:
            target.forms.setdefault(form, set()).update(source.forms.pop(form))
        for key in [k for k in source.roles if moves(k[0])]:
            target.roles.setdefault(key, _Seen()).absorb(source.roles.pop(key))
        for pid, texts in list(source.pids.items()):
            taken = {t for t in texts if moves(t)}
            if taken:
                target.pids.setdefault(pid, set()).update(taken)
                texts -= taken
                if not texts:
                    del source.pids[pid]

    # --- indexes ------------------------------------------------------------------------------

    def _reindex(self) -> None:
        self._by_pid: dict[str, str] = {}
        self._by_full: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._by_surname: dict[str, list[str]] = defaultdict(list)
        self._by_short: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._initials: dict[str, set[str]] = defaultdict(set)
        for entry in self._entries.values():
            for pid in entry.pids:
                self._by_pid.setdefault(publisher_key(pid), entry.id)
            for form in entry.forms:
                self._index_form(entry.id, form)

    def _index_form(self, person: str, form: NameForm) -> None:
        parts = _parts(form)
        if parts is None:
            return
        if parts.key:
            _append(self._by_full[parts.key], person)
            _append(self._by_surname[parts.surname_key], person)
            if parts.initial:
                self._initials[person].add(parts.initial)
        else:
            _append(self._by_short[_short_key(parts)], person)

    @staticmethod
    def _load(person: Person, from_mentions: bool) -> _Entry:
        entry = _Entry(person.id, name=person.name)
        entry.forms = {form: set() for form in person.names}
        if not from_mentions:
            entry.roles = {
                (None, m.role): _Seen(m.first_seen, m.last_seen, set(), m.count)
                for m in person.memberships
            }
        entry.pids = {pid: {None} for pid in person.publisher_ids}
        return entry


def _strength(mention: _Mention) -> int:
    if mention.parts.full:
        return 0
    return 1 if mention.pid else 2


def _short_key(parts: NameParts) -> tuple[str, str]:
    return (parts.initial or "", parts.surname_key)


def _fits(short: NameParts, full: NameParts) -> bool:
    return short.initial is None or full.initial is None or short.initial == full.initial


def _unique(ids: Iterable[str]) -> str | None:
    found = set(ids)
    return found.pop() if len(found) == 1 else None


def _append(ids: list[str], person: str) -> None:
    if person not in ids:
        ids.append(person)
