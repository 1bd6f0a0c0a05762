"""A seeded synthetic archive of any size, shaped like the real en.kremlin.ru corpus.

Search speed depends on term frequencies, document lengths, phrase rates and facet cardinalities,
not on meaning. The real corpus is 5,829 pages; copying it K times repeats documents exactly, so
postings compress unrealistically well and nothing new ever appears. Instead the corpus's
statistics are learned once into a small JSON model (word and frequent-bigram frequencies;
sentence, paragraph, speech and page lengths; who speaks in which role and how many per event;
tags, places, sections) and drawn from: the texts are nonsense, the statistics are the real ones.

Frequent bigrams ("national projects") are kept as single draw units so that phrase queries find
realistic numbers of matches. Generation is streamed one event at a time from
``random.Random(seed)``: a million speeches never sit in memory, and a seed always gives the
same archive. Dates run forward through 25 years as the archive fills, like a crawl would.

    .venv/bin/python bench/synth.py --speeches 1000000 --seed 1 --out DIR [--documents | --index]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import re
import sys
import tarfile
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Final

import orjson
from selectolax.lexbor import LexborHTMLParser

from stenogram.archive.records import new_index_rows
from stenogram.archive.rows import IndexRow
from stenogram.errors import StenogramError
from stenogram.model import Document, Narrative, Speech, Tag, Tags
from stenogram.parse import parse_bytes

HERE: Final = Path(__file__).resolve().parent
CORPUS: Final = HERE.parent.parent / "shared" / "corpus" / "kremlin-en-2000-2020.tar.xz"
MODEL_PATH: Final = HERE / "synth-model.json"
MODEL_VERSION: Final = 2
ATTRIBUTION: Final = (
    "learned from en.kremlin.ru pages: Presidential Executive Office of Russia, kremlin.ru, "
    "CC BY 4.0"
)

SOURCE: Final = "synthetic"
YEARS: Final = 25
START: Final = dt.date(2000, 1, 1)
#: Length distributions are kept as this many evenly spaced quantiles: small, and close enough.
QUANTILES: Final = 200
#: Adjacent words seen together at least this often become one draw unit ...
BIGRAM_MIN: Final = 20
#: ... up to this many of the most frequent pairs.
BIGRAM_MAX: Final = 5000
#: Units seen once are dropped: they would double the model for no measurable effect.
UNIT_MIN: Final = 2
#: Share of an event's turns taken by its main speaker (the one who answers every question).
MAIN_SHARE: Final = 0.5

_TOKEN: Final = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*|,")
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Model:
    """What the generator knows of the corpus; ``(value, count)`` pairs are frequencies."""

    version: int
    attribution: str
    pages: int
    units: list[tuple[str, int]]
    title_units: list[tuple[str, int]]
    sentence_words: list[int]
    paragraph_sentences: list[int]
    speech_words: list[int]
    event_words: list[int]
    news_words: list[int]
    title_words: list[int]
    turns: list[int]
    cast: list[int]
    news_share: float
    question_share: float
    new_speaker_share: float
    speakers: list[tuple[tuple[str | None, str | None, str | None], int]]
    first_names: list[tuple[str, int]]
    last_names: list[tuple[str, int]]
    roles: list[tuple[str, int]]
    places: list[tuple[str | None, int]]
    topics: list[tuple[str, int]]
    geography: list[tuple[str, int]]
    persons: list[tuple[str, int]]
    topics_per_page: list[int]
    geography_per_page: list[int]
    persons_per_page: list[int]
    sections: list[tuple[tuple[str, ...], int]]

    def save(self, path: Path) -> None:
        path.write_bytes(orjson.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> Model | None:
        """The cached model, or None when it is missing or from another version of this script."""
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            return None
        for f in fields(cls):  # JSON turned every tuple into a list
            if str(f.type).startswith("list[tuple"):
                data[f.name] = [
                    (tuple(key) if isinstance(key, list) else key, count)
                    for key, count in data[f.name]
                ]
        return cls(**{f.name: data[f.name] for f in fields(cls)})


# --- Learning ----------------------------------------------------------------------------------


def quantiles(values: Sequence[int], default: int = 1) -> list[int]:
    if not values:
        return [default]
    ordered = sorted(values)
    last = len(ordered) - 1
    return [ordered[round(i * last / (QUANTILES - 1))] for i in range(QUANTILES)]


def ranked(counter: Counter[Any], minimum: int = 1) -> list[tuple[Any, int]]:
    return [(key, n) for key, n in counter.most_common() if n >= minimum]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_count(text: str) -> int:
    return sum(1 for t in _TOKEN.findall(text) if t != ",")


def paragraph_text(data: bytes) -> list[str]:
    """The ``<p>`` texts of a page the parser refused: still good for the vocabulary."""
    tree = LexborHTMLParser(data)
    return [t for node in tree.css("p") if (t := node.text(strip=True))]


def corpus_items(archive: Path) -> Iterator[Document | list[str]]:
    """Each page of the archive, parsed; a page the parser refuses comes as its paragraphs."""
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".html"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            data = handle.read()
            try:
                yield parse_bytes(data, origin=member.name)
            except StenogramError:
                yield paragraph_text(data)


def event_text(doc: Document) -> str:
    """The event row's text as the archive builds it: summary, then reported narrative."""
    told = [n.text for n in doc.narrative if n.kind == "narrative"]
    return "\n\n".join([doc.summary or "", *told]).strip()


class Learner:
    """Accumulates the corpus's statistics page by page; :meth:`model` condenses them."""

    def __init__(self) -> None:
        self.pages = 0
        self.sentences: list[list[str]] = []
        self.title_tokens: Counter[str] = Counter()
        self.lengths: dict[str, list[int]] = {
            k: []
            for k in (
                "sentence_words",
                "paragraph_sentences",
                "speech_words",
                "event_words",
                "news_words",
                "title_words",
                "turns",
                "cast",
                "topics_per_page",
                "geography_per_page",
                "persons_per_page",
            )
        }
        self.questions = 0
        self.news = 0
        self.speakers: Counter[tuple[str | None, str | None, str | None]] = Counter()
        self.appearances: Counter[str] = Counter()
        self.first: Counter[str] = Counter()
        self.last: Counter[str] = Counter()
        self.places: Counter[str | None] = Counter()
        self.tags: dict[str, Counter[str]] = {
            k: Counter() for k in ("topics", "geography", "persons")
        }
        self.sections: Counter[tuple[str, ...]] = Counter()

    def add(self, item: Document | list[str]) -> None:
        self.pages += 1
        if isinstance(item, list):
            for paragraph in item:
                self._paragraph(paragraph)
            return
        doc = item
        for speech in doc.speeches:
            self.lengths["speech_words"].append(word_count(speech.text))
            for paragraph in speech.paragraphs:
                self._paragraph(paragraph)
        text = event_text(doc)
        for paragraph in text.split("\n\n"):
            self._paragraph(paragraph)
        self.lengths["event_words" if doc.speeches else "news_words"].append(word_count(text))
        self.title_tokens.update(t for t in tokens(doc.title) if t != ",")
        self.lengths["title_words"].append(word_count(doc.title))
        self.places[doc.place] += 1
        self.sections[doc.sections] += 1
        for kind, counter in self.tags.items():
            names = doc.tags.names(kind)  # type: ignore[arg-type]
            counter.update(names)
            self.lengths[f"{kind}_per_page"].append(len(names))
        if not doc.speeches:
            self.news += 1
            return
        self.lengths["turns"].append(len(doc.speeches))
        cast = {s.speaker for s in doc.speeches}
        self.lengths["cast"].append(len(cast))
        for speech in doc.speeches:
            self.speakers[(speech.speaker, speech.role, speech.attribution)] += 1
        for name in cast - {None}:
            assert name is not None
            self.appearances[name] += 1
            parts = name.split()
            if len(parts) >= 2:
                self.first[parts[0]] += 1
                self.last[parts[-1]] += 1

    def _paragraph(self, paragraph: str) -> None:
        sentences = [s for s in _SENTENCE_END.split(paragraph) if s.strip()]
        if not sentences:
            return
        self.lengths["paragraph_sentences"].append(len(sentences))
        for sentence in sentences:
            found = tokens(sentence)
            if found:
                self.sentences.append(found)
                self.lengths["sentence_words"].append(sum(t != "," for t in found))
                self.questions += sentence.rstrip().endswith("?")

    def _units(self) -> Counter[str]:
        """Word and frequent-bigram counts; a sentence's first word loses the capital it owes
        only to its position, so that generated text does not capitalise "the" mid-sentence."""
        inner: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for sentence in self.sentences:
            inner.update(sentence[1:])
            pairs.update((a, b) for a, b in itertools.pairwise(sentence) if a != "," and b != ",")
        for sentence in self.sentences:
            head = sentence[0]
            low = head.lower()
            if head != low and inner[low] > inner[head]:
                sentence[0] = low
        merged = {p for p, n in pairs.most_common(BIGRAM_MAX) if n >= BIGRAM_MIN}
        units: Counter[str] = Counter()
        for sentence in self.sentences:
            i = 0
            while i < len(sentence):
                if i + 1 < len(sentence) and (sentence[i], sentence[i + 1]) in merged:
                    units[f"{sentence[i]} {sentence[i + 1]}"] += 1
                    i += 2
                else:
                    units[sentence[i]] += 1
                    i += 1
        return units

    def model(self) -> Model:
        with_turns = len(self.lengths["turns"])
        cast_total = sum(self.lengths["cast"]) or 1
        once = sum(1 for n in self.appearances.values() if n == 1)
        sentences = len(self.lengths["sentence_words"]) or 1
        # A new speaker takes a role of the kind people seen once hold, not "President of Russia".
        roles = Counter(
            role
            for (speaker, role, _), n in self.speakers.items()
            if role and speaker and self.appearances[speaker] == 1
        )
        return Model(
            version=MODEL_VERSION,
            attribution=ATTRIBUTION,
            pages=self.pages,
            units=ranked(self._units(), UNIT_MIN),
            title_units=ranked(self.title_tokens, UNIT_MIN),
            news_share=self.news / max(1, self.news + with_turns),
            question_share=self.questions / sentences,
            new_speaker_share=once / cast_total,
            speakers=ranked(self.speakers),
            first_names=ranked(self.first),
            last_names=ranked(self.last),
            roles=ranked(roles),
            places=ranked(self.places),
            topics=ranked(self.tags["topics"]),
            geography=ranked(self.tags["geography"]),
            persons=ranked(self.tags["persons"]),
            sections=ranked(self.sections),
            **{name: quantiles(values) for name, values in self.lengths.items()},
        )


def learn(items: Iterable[Document | list[str]]) -> Model:
    learner = Learner()
    for item in items:
        learner.add(item)
    return learner.model()


def load_model(path: Path = MODEL_PATH, corpus: Path = CORPUS) -> Model:
    """The cached model, learned from the corpus first if the cache is missing or stale."""
    model = Model.load(path)
    if model is None:
        start = time.perf_counter()
        model = learn(corpus_items(corpus))
        model.save(path)
        print(
            f"learned the model from {model.pages} pages in {time.perf_counter() - start:.0f} s"
            f" -> {path}",
            file=sys.stderr,
        )
    return model


# --- Generating --------------------------------------------------------------------------------


class Weighted:
    """Draws from ``(value, count)`` pairs in proportion to the counts."""

    def __init__(self, pairs: Sequence[tuple[Any, int]]) -> None:
        self.values = [v for v, _ in pairs]
        self.cum = list(itertools.accumulate(n for _, n in pairs))

    def __bool__(self) -> bool:
        return bool(self.values)

    def one(self, rng: random.Random) -> Any:
        return self.values[bisect_left(self.cum, rng.random() * self.cum[-1])]

    def many(self, rng: random.Random, k: int) -> list[Any]:
        return rng.choices(self.values, cum_weights=self.cum, k=k)

    def distinct(self, rng: random.Random, k: int) -> list[Any]:
        """Up to ``k`` different values (fewer when the popular ones keep coming back)."""
        chosen: dict[Any, None] = {}
        for _ in range(k * 4):
            if len(chosen) >= min(k, len(self.values)):
                break
            chosen[self.one(rng)] = None
        return list(chosen)


class Pool:
    """Draws runs of units fast: strided slices of the corpus's units, shuffled once.

    Drawing word by word in Python costs a million speeches twenty minutes. A slice of a shuffled
    multiset is an unbiased sample of the same frequencies at C speed; a random stride makes
    two texts repeat the same run of words no more often than independent draws would.
    """

    MAX_STRIDE: Final = 997

    def __init__(self, pairs: Sequence[tuple[str, int]], rng: random.Random) -> None:
        self.units = [unit for unit, n in pairs for _ in range(n)]
        rng.shuffle(self.units)

    def __bool__(self) -> bool:
        return bool(self.units)

    def run(self, rng: random.Random, k: int) -> list[str]:
        size = len(self.units)
        if k >= size:
            return [self.units[int(rng.random() * size)] for _ in range(k)]
        stride = 1 + int(rng.random() * min(self.MAX_STRIDE, (size - 1) // k))
        start = int(rng.random() * (size - (k - 1) * stride))
        return self.units[start : start + (k - 1) * stride + 1 : stride]


class Generator:
    """Documents (and the archive's index rows) drawn from a :class:`Model` with one seed."""

    def __init__(self, model: Model, seed: int, *, start: dt.date = START) -> None:
        self.model = model
        self.seed = seed
        self.start = start
        self.days = (start.replace(year=start.year + YEARS) - start).days
        self.units = Pool(model.units, random.Random(seed))
        self.titles = Weighted(model.title_units)
        self.speakers = Weighted(model.speakers)
        self.first = Weighted(model.first_names)
        self.last = Weighted(model.last_names)
        self.roles = Weighted(model.roles)
        self.places = Weighted(model.places)
        self.tags = {k: Weighted(getattr(model, k)) for k in ("topics", "geography", "persons")}
        self.sections = Weighted(model.sections)
        total = sum(n for _, n in model.units) or 1
        words = sum(n * (0 if u == "," else u.count(" ") + 1) for u, n in model.units)
        #: Lengths are learned in words; a unit is a word, a bigram or a comma.
        self.words_per_unit = words / total or 1.0
        self.sentence_units = [max(1, round(n / self.words_per_unit)) for n in model.sentence_words]
        self.paragraph_sentences = [max(1, n) for n in model.paragraph_sentences]
        self.question = model.question_share

    def documents(self, speeches: int) -> Iterator[Document]:
        """Events until exactly ``speeches`` turns have been made; pages without turns between."""
        rng = random.Random(self.seed)
        made = 0
        event_id = 0
        while made < speeches:
            event_id += 1
            day = self.start + dt.timedelta(
                days=min(self.days - 1, int(made / speeches * self.days) + rng.randrange(7))
            )
            if rng.random() < self.model.news_share:
                yield self._event(rng, event_id, day, 0)
                continue
            turns = min(speeches - made, max(1, self._length(rng, self.model.turns)))
            made += turns
            yield self._event(rng, event_id, day, turns)

    def rows(self, speeches: int) -> Iterator[IndexRow]:
        speech_id = 0
        for doc in self.documents(speeches):
            event_id = int(doc.source_id or 0)
            yield from rows_of(doc, event_id, event_id, speech_id + 1)
            speech_id += len(doc.speeches)

    @staticmethod
    def _length(rng: random.Random, table: Sequence[int]) -> int:
        return table[int(rng.random() * len(table))]

    def _event(self, rng: random.Random, event_id: int, day: dt.date, turns: int) -> Document:
        m = self.model
        told = self._text(rng, self._length(rng, m.event_words if turns else m.news_words))
        return Document(
            source=SOURCE,
            title=self._title(rng),
            language="en",
            format=SOURCE,
            source_id=str(event_id),
            url=f"https://{SOURCE}.invalid/events/{event_id}",
            category="Events",
            date=day,
            place=self.places.one(rng) if self.places else None,
            sections=tuple(self.sections.one(rng)) if self.sections else (),
            tags=Tags(
                **{
                    kind: tuple(
                        Tag(name)
                        for name in self.tags[kind].distinct(
                            rng, self._length(rng, getattr(m, f"{kind}_per_page"))
                        )
                    )
                    for kind in ("topics", "geography", "persons")
                }
            ),
            speeches=self._speeches(rng, turns),
            narrative=tuple(Narrative(p, 0) for p in told),
        )

    def _title(self, rng: random.Random) -> str:
        if not self.titles:
            return "Untitled"
        words = self.titles.many(rng, max(1, self._length(rng, self.model.title_words)))
        title = " ".join(words)
        return title[:1].upper() + title[1:]

    def _cast(self, rng: random.Random, size: int) -> list[tuple[str | None, str | None, str]]:
        cast: dict[str | None, tuple[str | None, str | None, str]] = {}
        for speaker, role, attribution in self.speakers.distinct(rng, size):
            cast.setdefault(speaker, (speaker, role, attribution or speaker or "Question"))
        members = list(cast.values())
        for i in range(1, len(members)):  # the main speaker is always a known one
            if self.first and self.last and rng.random() < self.model.new_speaker_share:
                name = f"{self.first.one(rng)} {self.last.one(rng)}"
                role = self.roles.one(rng) if self.roles else None
                members[i] = (name, role, f"{role} {name}" if role else name)
        return members

    def _speeches(self, rng: random.Random, turns: int) -> tuple[Speech, ...]:
        if not turns or not self.speakers:
            return ()
        cast = self._cast(rng, min(turns, max(1, self._length(rng, self.model.cast))))
        speeches = []
        for _ in range(turns):
            if len(cast) == 1 or rng.random() < MAIN_SHARE:
                speaker, role, attribution = cast[0]
            else:
                speaker, role, attribution = cast[rng.randrange(1, len(cast))]
            text = self._text(rng, max(1, self._length(rng, self.model.speech_words)))
            speeches.append(Speech(attribution, speaker, role, tuple(text)))
        return tuple(speeches)

    def _text(self, rng: random.Random, words: int) -> list[str]:
        """Paragraphs of about ``words`` words, cut into sentences of the corpus's lengths."""
        if words <= 0 or not self.units:
            return []
        drawn = self.units.run(rng, max(1, round(words / self.words_per_unit)))
        sizes, per_paragraph = self.sentence_units, self.paragraph_sentences
        question, random_ = self.question, rng.random
        paragraphs: list[str] = []
        sentences: list[str] = []
        want = per_paragraph[int(random_() * len(per_paragraph))]
        at = 0
        while at < len(drawn):
            size = sizes[int(random_() * len(sizes))]
            body = " ".join(drawn[at : at + size]).replace(" ,", ",").strip(", ")
            at += size
            if not body:
                continue
            sentences.append(body[0].upper() + body[1:] + ("?" if random_() < question else "."))
            if len(sentences) >= want:
                paragraphs.append(" ".join(sentences))
                sentences = []
                want = per_paragraph[int(random_() * len(per_paragraph))]
        if sentences:
            paragraphs.append(" ".join(sentences))
        return paragraphs


def rows_of(doc: Document, event_id: int, seq: int, first_speech_id: int) -> list[IndexRow]:
    """The rows the archive hands the index for one stored event, built by the archive's own
    function (``archive.records.new_index_rows``) so that the bench indexes what ingest would."""
    said = [
        {
            "id": first_speech_id + position - 1,
            "position": position,
            "speaker": speech.speaker,
            "attribution": speech.attribution,
            "role": speech.role,
            # The resolver's id stands in as one person per printed name, so that the speaker
            # facet has the shape it has in an archive (it counts persons).
            "person_id": speech.person_id or speech.speaker,
            "text": speech.text,
        }
        for position, speech in enumerate(doc.speeches, 1)
    ]
    return new_index_rows(event_id, seq, doc, said)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--speeches", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="folder to write into")
    what = ap.add_mutually_exclusive_group()
    what.add_argument("--documents", action="store_true", help="JSONL of Document records")
    what.add_argument("--index", action="store_true", help="build OUT/index (tantivy) directly")
    ap.add_argument("--model", type=Path, default=MODEL_PATH)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args(argv)
    gen = Generator(load_model(args.model, args.corpus), args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if args.index:
        from stenogram.search import rebuild

        count = rebuild(args.out / "index", gen.rows(args.speeches))
        target = args.out / "index"
    elif args.documents:
        target = args.out / "documents.jsonl"
        with target.open("wb") as out:
            count = 0
            for count, doc in enumerate(gen.documents(args.speeches), 1):  # noqa: B007
                out.write(orjson.dumps(doc.to_dict()) + b"\n")
    else:
        target = args.out / "rows.jsonl"
        with target.open("wb") as out:
            count = 0
            for count, row in enumerate(gen.rows(args.speeches), 1):  # noqa: B007
                out.write(orjson.dumps(row) + b"\n")
    print(json.dumps({"written": count, "to": str(target), "s": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
