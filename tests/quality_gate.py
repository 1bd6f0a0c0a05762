"""The quality gate: parse the whole development corpus and hold the parser to its best figures.

Unit tests look at a handful of pages; the parser is judged on pages we do not have. This gate
therefore looks at *every* page we do have (5,829 en.kremlin.ru pages read in place from the
``.tar.xz``, the 100 rows of the Russian CSV, the seed and the 4,402 Australian PM transcripts),
checks invariants that must hold on any page, measures how often each field is filled, and
compares the parser's output with values written by hand from reading the raw pages
(``tests/quality/expectations.toml``).

Each en page is also printed as its text version (the seed's layout, as ``stenogram show`` does)
and read back: how often each metadata field comes back the same is the ``tv.*`` figures, and
``text_of`` expectations judge such a re-read page.

The figures are pinned in ``tests/quality/pinned.json``: a figure may not drop (a violation
count may not rise) below its pinned value, so an improvement on one page cannot silently cost
ten others. After a deliberate change, ``--repin`` records the new figures; review the diff.

    python tests/quality_gate.py --corpus ../shared/corpus [--repin]
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import tarfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stenogram.errors import StenogramError
from stenogram.export import render_text
from stenogram.model import TAG_KINDS, Document
from stenogram.parse import parse_bytes

HERE = Path(__file__).resolve().parent
EXPECTATIONS = HERE / "quality" / "expectations.toml"
PINNED = HERE / "quality" / "pinned.json"
ARCHIVE = "kremlin-en-2000-2020.tar.xz"
CSV_FILE = "kremlin-ru-2025.csv"
PM_ARCHIVE = "pm-transcripts-au.tar.xz"
SEED = Path("seed") / "000_46537543d1896dfd.txt"

# A pinned figure may move against its direction by this share of its value (float noise only).
TOLERANCE = 0.0005
EARLIEST, LATEST = 1999, 2026
LONG_ATTRIBUTION = 200
DUPLICATE_MIN_CHARS = 60
EXAMPLES_KEPT = 5

# Fields whose presence is measured; the value is how "present" is read off the JSON record.
PRESENCE = (
    "source_id",
    "url",
    "category",
    "summary",
    "date",
    "time",
    "place",
    "published",
    "sections",
    "geography",
    "topics",
    "persons",
    "photos",
    "participants",
    "speeches",
)
# Printed page furniture that must never be read as the words of a speaker.
FOOTER_MARKERS = (
    "Published in section",
    "Publication date:",
    "Direct link:",
    "Опубликован в разделе",
    "Дата публикации:",
    "Ссылка на материал:",
)
GLOSSARY_MARKER = "Background information"
# Metadata a text version prints above its body: each must read back as the page gave it.
TEXT_VERSION_FIELDS = ("category", "title", "summary", "date", "time", "place")
# "[ENDS]", "-ends-", "END": the close of a transcript, never a speaker.
_END_MARK = re.compile(r"^\W*(?:ends?|end of transcript|transcript ends)\W*$", re.I)

_PERSON_TOOLTIP = re.compile(
    r'class="person_tag[^"]*"[^>]*>([^<]*)<span class="read__tooltip tooltip_person'
    r'.{0,2000}?class="tooltip_title tooltip_link"[^>]*>([^<]*)<',
    re.S,
)
_SEE_ALSO = re.compile(
    r'class="(?:cut__title|cut__item cut__link|cut__date)"[^>]*>([^<]+)<',
)
_SLIDE_TEXT = re.compile(r'class="slider__block[^"]*" data-text="([^"]*)"')
# "Nursultan Nazarbayev Nazarbayev Nursultan": a name followed by its surname-first tooltip.
_DOUBLED_NAME = re.compile(r"(?<!\S)([^\W\d_][\w’'.-]*) ([^\W\d_][\w’'.-]*) \2 \1(?!\w)")
_SPACE = re.compile(r"\s+")
_NAME_PARTS = re.compile(r"[\W_]+")


def norm(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


# --------------------------------------------------------------------------- corpus reading


@dataclass(frozen=True)
class Item:
    """One input document: which group it counts in, its name, and its bytes."""

    group: str
    name: str
    data: bytes


def iter_archive(path: Path, group: str = "en", suffix: str = ".html") -> Iterator[Item]:
    """Members of the tar.xz, streamed: nothing is extracted to disk."""
    with tarfile.open(path, mode="r|xz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(suffix):
                continue
            handle = tar.extractfile(member)
            if handle is not None:
                yield Item(group, Path(member.name).name, handle.read())


def iter_csv(path: Path) -> Iterator[Item]:
    """CSV rows as the text version they hold (split mid-word across columns, so joined bare)."""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            text = "".join(row.get(f"article_full_text_{i}") or "" for i in range(1, 11))
            yield Item("ru", row.get("url") or row.get("title") or "?", text.encode("utf-8"))


def iter_corpus(corpus: Path) -> Iterator[Item]:
    yield from iter_archive(corpus / ARCHIVE)
    yield from iter_csv(corpus / CSV_FILE)
    seed = corpus.parent / SEED
    if seed.is_file():
        yield Item("seed", seed.name, seed.read_bytes())
    if (corpus / PM_ARCHIVE).is_file():
        yield from iter_archive(corpus / PM_ARCHIVE, "au", ".xml")


# --------------------------------------------------------------------------- invariants


def speaker_fits(attribution: str | None, speaker: str | None) -> bool:
    """Whether the speaker is the tail of the label, or a name derived from it ("В.Путин")."""
    if not speaker or not attribution:
        return True
    label, name = norm(attribution), norm(speaker)
    if label.endswith(name):
        return True
    label_parts = {p.casefold() for p in _NAME_PARTS.split(label) if p}
    surname = _NAME_PARTS.split(name)[-1].casefold()
    return surname in label_parts


def raw_furniture(data: bytes) -> tuple[list[tuple[str, str]], set[str]]:
    """From the raw page: (linked name, its tooltip) pairs, and box/caption texts."""
    if b"<" not in data[:2000] or data.lstrip()[:5] == b"<?xml":
        return [], set()  # a text version or an XML transcript: no links, boxes or captions
    text = data.decode("utf-8", "replace")
    pairs = [
        (norm(html.unescape(shown)), norm(html.unescape(tip)))
        for shown, tip in _PERSON_TOOLTIP.findall(text)
    ]
    boxes = {norm(html.unescape(t)) for t in _SEE_ALSO.findall(text)}
    boxes |= {norm(html.unescape(t)) for t in _SLIDE_TEXT.findall(text)}
    boxes.discard("")
    return [(s, t) for s, t in pairs if s and t and s != t], boxes


def check_invariants(doc: Document, data: bytes = b"") -> list[tuple[str, str]]:
    """Every (invariant, detail) that ``doc`` breaks; the raw bytes sharpen some checks."""
    found: list[tuple[str, str]] = []

    def bad(name: str, detail: str) -> None:
        found.append((name, detail[:160]))

    if not norm(doc.title):
        bad("empty_title", "")
    if "• President of Russia" in doc.title:
        bad("title_site_suffix", doc.title)
    for label, day in (("date", doc.date), ("published", doc.published)):
        if day is not None and not EARLIEST <= day.year <= LATEST:
            bad("date_out_of_range", f"{label}={day}")
    if doc.published is not None and doc.published.utcoffset() is None:
        bad("published_without_offset", doc.published.isoformat())
    if doc.date is not None and not doc.sections:
        bad("dated_without_sections", str(doc.date))
    if doc.omissions < 0:
        bad("negative_omissions", str(doc.omissions))
    for kind in TAG_KINDS:
        for name in doc.tags.names(kind):
            if not name or name != norm(name):
                bad("tag_not_stripped", f"{kind}: {name!r}")
    for photo in doc.photos:
        if photo.position is not None and photo.of is not None and photo.position > photo.of:
            bad("photo_counter", f"{photo.position} of {photo.of}")
    for person in doc.participants:
        if not norm(person.name) or GLOSSARY_MARKER in person.name:
            bad("bad_participant", person.name)

    tooltips, boxes = raw_furniture(data)
    boxes |= {norm(p.caption) for p in doc.photos if p.caption}
    seen: Counter[str] = Counter()
    for speech in doc.speeches:
        label = speech.attribution or ""
        if label.endswith(":") or (speech.attribution is not None and not label.strip()):
            bad("bad_attribution", label)
        if len(label) > LONG_ATTRIBUTION:
            bad("long_attribution", label)
        if not speaker_fits(speech.attribution, speech.speaker):
            bad("speaker_not_from_attribution", f"{speech.speaker!r} <- {label!r}")
        found.extend(check_label(label))
        if not speech.paragraphs:
            bad("empty_turn", label)
        for text in (label, *speech.paragraphs):
            flat = norm(text)
            if _DOUBLED_NAME.search(flat) or any(f"{s} {t}" in flat for s, t in tooltips):
                bad("tooltip_in_turn", flat)
            if GLOSSARY_MARKER in flat:
                bad("glossary_in_turn", flat)
        for paragraph in speech.paragraphs:
            flat = norm(paragraph)
            if not flat:
                bad("empty_paragraph", label)
                continue
            if flat in boxes or flat in ("See also", "Additional"):
                bad("box_or_caption_in_turn", flat)
            if any(marker in flat for marker in FOOTER_MARKERS):
                bad("footer_in_turn", flat)
            if len(flat) >= DUPLICATE_MIN_CHARS:
                seen[flat.strip('”“"«» ')] += 1
    for text, count in seen.items():
        if count > 1:
            bad("duplicate_paragraph", text)
    return found


def check_label(label: str) -> list[tuple[str, str]]:
    """What no speaker label of any publisher may be."""
    found = []
    if _END_MARK.match(label):
        found.append(("end_mark_turn", label))
    if label[:1].islower():
        found.append(("label_in_lower_case", label[:160]))  # a sentence's tail, an OCR slip
    return found


def check_transcript(doc: Document) -> list[tuple[str, str]]:
    """The invariants of an Australian transcript: kremlin's page furniture does not apply, and
    "PRIME MINISTER" names the person in <prime-minister>, not a word of the label."""
    return [found for speech in doc.speeches for found in check_label(speech.attribution or "")]


# --------------------------------------------------------------------------- expectations


def load_expectations(path: Path = EXPECTATIONS) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        pages: list[dict[str, Any]] = tomllib.load(fh).get("page", [])
    return pages


def expectation_key(page: Mapping[str, Any]) -> str:
    """The item name an expectation is about, as :func:`iter_corpus` names items; a text
    version re-read from en page N is "N.html#text"."""
    if "id" in page:
        return f"{page['id']}.html"
    if "text_of" in page:
        return f"{page['text_of']}.html{TEXT_SUFFIX}"
    if "transcript" in page:
        return f"transcript-{page['transcript']}.xml"
    if "url" in page:
        return str(page["url"])
    return str(page["seed"])


TEXT_SUFFIX = "#text"
_KEYS = ("id", "url", "seed", "text_of", "transcript", "null")


def distinct(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


def observed(record: Mapping[str, Any], fld: str) -> Any:
    """The value of expectation field ``fld`` in a JSON record."""
    speeches = record.get("speeches") or []
    if fld == "turns":
        return len(speeches)
    if fld == "speakers":
        return distinct([s.get("speaker") for s in speeches])
    if fld == "first_attribution":
        return speeches[0].get("attribution") if speeches else None
    if fld == "participants":
        return [p.get("name") for p in record.get("participants") or []]
    if fld == "photos":
        return len(record.get("photos") or [])
    if fld in ("geography", "topics", "persons"):
        return list((record.get("tags") or {}).get(fld) or [])
    return record.get(fld)


def compare(page: Mapping[str, Any], doc: Document | None) -> list[tuple[str, Any, Any]]:
    """(field, expected, got) for every expected field; ``got`` equals ``expected`` if agreed."""
    record = doc.to_dict() if doc is not None else {}
    wanted = {k: v for k, v in page.items() if k not in _KEYS}
    wanted.update({k: None for k in page.get("null", [])})
    return [
        (fld, value, observed(record, fld) if doc is not None else "<no document>")
        for fld, value in wanted.items()
    ]


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    """Everything one pass over the corpus measured."""

    pages: Counter[str] = field(default_factory=Counter)
    parsed: Counter[str] = field(default_factory=Counter)
    with_turns: Counter[str] = field(default_factory=Counter)
    turns: Counter[str] = field(default_factory=Counter)
    participants: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    violations: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    agreement: dict[str, list[bool]] = field(default_factory=dict)
    text_versions: Counter[str] = field(default_factory=Counter)
    disagreements: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def violate(self, name: str, where: str, detail: str = "") -> None:
        self.violations[name] += 1
        kept = self.examples.setdefault(name, [])
        if len(kept) < EXAMPLES_KEPT:
            kept.append(f"{where}: {detail}" if detail else where)

    def figures(self) -> dict[str, float]:
        figs: dict[str, float] = {}
        for group in sorted(self.pages):
            parsed = self.parsed[group]
            figs[f"{group}.pages"] = self.pages[group]
            figs[f"{group}.parsed"] = parsed
            figs[f"{group}.pages_with_turns"] = self.with_turns[group]
            figs[f"{group}.turns"] = self.turns[group]
            figs[f"{group}.participants"] = self.participants[group]
            for fld in PRESENCE:
                share = self.present[f"{group}.{fld}"] / parsed if parsed else 0.0
                figs[f"{group}.has.{fld}"] = round(share, 4)
        read_back = self.text_versions["pages"]
        for fld in TEXT_VERSION_FIELDS:
            same = self.text_versions[fld] / read_back if read_back else 0.0
            figs[f"tv.same.{fld}"] = round(same, 4)
        for name in sorted(set(self.violations) | set(INVARIANTS)):
            figs[f"violations.{name}"] = self.violations[name]
        for fld in sorted(self.agreement):
            hits = self.agreement[fld]
            figs[f"expect.{fld}"] = round(sum(hits) / len(hits), 4)
        every = [hit for hits in self.agreement.values() for hit in hits]
        figs["expect.all"] = round(sum(every) / len(every), 4) if every else 0.0
        return figs


INVARIANTS = (
    "parse_error",
    "crash",
    "empty_title",
    "date_out_of_range",
    "published_without_offset",
    "dated_without_sections",
    "tooltip_in_turn",
    "glossary_in_turn",
    "speaker_not_from_attribution",
    "empty_paragraph",
    "box_or_caption_in_turn",
    "negative_omissions",
    "tag_not_stripped",
    "expectation_missing",
    "end_mark_turn",
    "label_in_lower_case",
    "text_version_unreadable",
)


def measure(doc: Document, group: str, run: Run) -> None:
    record = doc.to_dict()
    run.parsed[group] += 1
    run.turns[group] += len(doc.speeches)
    run.with_turns[group] += bool(doc.speeches)
    run.participants[group] += len(doc.participants)
    for fld in PRESENCE:
        if observed(record, fld):
            run.present[f"{group}.{fld}"] += 1


def run_gate(corpus: Path, expectations: list[dict[str, Any]] | None = None) -> Run:
    """One pass over the corpus: invariants, figures, and hand expectations."""
    pages = load_expectations() if expectations is None else expectations
    wanted = {expectation_key(page): page for page in pages}
    run = Run()
    started = time.perf_counter()
    for item in iter_corpus(corpus):
        run.pages[item.group] += 1
        doc: Document | None = None
        try:
            doc = parse_bytes(item.data, origin=item.name)
        except StenogramError as exc:
            # One transcript file of the corpus is an empty <transcripts> element.
            run.violate(
                "au_unreadable" if item.group == "au" else "parse_error", item.name, exc.reason
            )
        except Exception as exc:  # a traceback the library let escape: the worst failure
            run.violate("crash", item.name, repr(exc))
        if doc is not None:
            measure(doc, item.group, run)
            au = item.group == "au"
            for name, detail in check_transcript(doc) if au else check_invariants(doc, item.data):
                run.violate(name, item.name, detail)
        expect(run, wanted.pop(item.name, None), item.name, doc)
        if doc is not None and item.group == "en":
            text = read_back(doc, item.name, run)
            expect(run, wanted.pop(item.name + TEXT_SUFFIX, None), item.name + TEXT_SUFFIX, text)
    for name in wanted:
        run.violate("expectation_missing", name)
    run.seconds = time.perf_counter() - started
    return run


def expect(run: Run, page: Mapping[str, Any] | None, name: str, doc: Document | None) -> None:
    """Judge ``doc`` against the hand-read expectation ``page``, if there is one."""
    if page is None:
        return
    for fld, expected, got in compare(page, doc):
        hit = expected == got
        run.agreement.setdefault(fld, []).append(hit)
        if not hit:
            run.disagreements.append((name, fld, expected, got))


def read_back(doc: Document, name: str, run: Run) -> Document | None:
    """The page printed as its text version and parsed again; count the fields that survive."""
    try:
        text = parse_bytes(render_text(doc).encode("utf-8"), origin=name + TEXT_SUFFIX)
    except StenogramError as exc:
        run.violate("text_version_unreadable", name, exc.reason)
        return None
    run.text_versions["pages"] += 1
    for fld in TEXT_VERSION_FIELDS:
        run.text_versions[fld] += getattr(text, fld) == getattr(doc, fld)
    return text


# --------------------------------------------------------------------------- pinning


def lower_is_better(name: str) -> bool:
    return name.startswith("violations.")


def regressions(figs: Mapping[str, float], pinned: Mapping[str, float]) -> list[str]:
    """Figures that moved the wrong way beyond float noise, as readable lines."""
    lines = []
    for name, old in pinned.items():
        new = figs.get(name)
        if new is None:
            lines.append(f"{name}: pinned {old}, no longer measured")
            continue
        slack = 1e-9 + TOLERANCE * abs(old)
        worse = new > old + slack if lower_is_better(name) else new < old - slack
        if worse:
            lines.append(f"{name}: {new:g} (pinned {old:g})")
    return lines


def load_pinned(path: Path = PINNED) -> dict[str, float]:
    if not path.is_file():
        return {}
    pinned: dict[str, float] = json.loads(path.read_text(encoding="utf-8"))
    return pinned


def write_pinned(figs: Mapping[str, float], path: Path = PINNED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(figs), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def report(run: Run, figs: Mapping[str, float], pinned: Mapping[str, float]) -> str:
    width = max(len(name) for name in figs) + 2
    lines = [f"{'figure':<{width}}{'pinned':>10}{'now':>10}  "]
    for name, new in figs.items():
        old = pinned.get(name)
        mark = ""
        if old is not None and regressions({name: new}, {name: old}):
            mark = "REGRESSION"
        elif old is not None and old != new:
            mark = "better"
        shown = "-" if old is None else f"{old:g}"
        lines.append(f"{name:<{width}}{shown:>10}{new:>10g}  {mark}")
    for name, kept in sorted(run.examples.items()):
        lines.append(f"\n{name} ({run.violations[name]}), e.g.:")
        lines.extend(f"  {example}" for example in kept)
    if run.disagreements:
        lines.append(f"\nhand expectations not met ({len(run.disagreements)}):")
        for where, fld, expected, got in run.disagreements:
            lines.append(f"  {where} {fld}: expected {expected!r}, got {got!r}")
    pages = sum(run.pages.values())
    lines.append(f"\n{pages} documents in {run.seconds:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="the shared corpus folder")
    parser.add_argument("--repin", action="store_true", help="record the figures as the floor")
    args = parser.parse_args(argv)
    if not (args.corpus / ARCHIVE).is_file():
        print(f"{args.corpus}: no {ARCHIVE} there", file=sys.stderr)
        return 2
    run = run_gate(args.corpus)
    figs = run.figures()
    pinned = load_pinned()
    print(report(run, figs, pinned))
    if args.repin:
        write_pinned(figs)
        print(f"pinned {len(figs)} figures in {PINNED.relative_to(HERE.parent)}")
        return 0
    failed = regressions(figs, pinned)
    if failed:
        print("\nREGRESSION against tests/quality/pinned.json:\n  " + "\n  ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
