"""The tantivy index and the engine on rows built from real kremlin.ru pages.

The literal rows below quote the pages named in each (en.kremlin.ru/events/president/news/ID and
kremlin.ru for the Russian ones, read from ../shared/corpus), so every expectation can be checked
by reading the sentence. Content: Presidential Executive Office of Russia, kremlin.ru, CC BY 4.0.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import tarfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from stenogram.archive.changes import Pending
from stenogram.archive.rows import IndexRow
from stenogram.errors import ParseError, QueryError, StenogramError
from stenogram.model import Document
from stenogram.parse import parse_bytes
from stenogram.search import Indexer, catch_up, engine, read_seq, rebuild, search

PUTIN = "Vladimir Putin"

# (event_id, source_id, language, date, place, title, topics, geography, speeches)
# speeches: (speaker, attribution, role, text)
EVENTS: list[tuple[Any, ...]] = [
    (
        1,
        "60756",
        "en",
        "2019-06-15",
        "Dushanbe",
        "Summit of the Conference on Interaction and Confidence-Building Measures in Asia",
        ("Foreign policy",),
        ("Tajikistan",),
        [
            (
                PUTIN,
                "President of Russia Vladimir Putin",
                "President of Russia",
                "As a first step, we should at least ensure that trade and "
                "sanction restrictions do not "
                "apply to the social and humanitarian sphere.",
            )
        ],
    ),
    (
        2,
        "17766",
        "en",
        "2013-03-28",
        "Sochi",
        "Meeting with Russian Human Rights Ombudsman Vladimir Lukin",
        ("Human rights", "Regions"),
        (),
        [
            (
                PUTIN,
                PUTIN,
                None,
                "As you know, these laws are not restrictive; incidentally, "
                "there are no repressive "
                "sanctions.",
            )
        ],
    ),
    (
        3,
        "62047",
        "en",
        "2019-11-14",
        "Brasilia",
        "Vladimir Putin answered Russian journalists’ questions",
        ("BRICS", "Foreign policy"),
        ("Brazil",),
        [
            (
                PUTIN,
                PUTIN,
                None,
                "We are ready to work with Ukraine on shipping our gas to Europe through Ukraine.",
            )
        ],
    ),
    (
        4,
        "54790",
        "en",
        "2017-06-15",
        "Moscow",
        "Direct Line with Vladimir Putin",
        (),
        (),
        [
            (
                PUTIN,
                PUTIN,
                None,
                "At the same time, gas prices have at least tripled, and "
                "households are paying even "
                "higher prices. If this situation continues, many people in "
                "Ukraine will face sanitation "
                "and hygiene issues.",
            )
        ],
    ),
    (
        5,
        "58684",
        "en",
        "2018-10-02",
        "The Kremlin, Moscow",
        "Meeting with Government members",
        ("Budget", "Economy and finance"),
        (),
        [
            (
                "Dmitry Medvedev",
                "Prime Minister Dmitry Medvedev",
                "Prime Minister",
                "At the same time, there is an idea to formulate an additional number of national "
                "projects.",
            ),
            (PUTIN, "Vladimir Putin", None, "Thank you."),
        ],
    ),
    (
        6,
        "55820",
        "en",
        "2017-10-11",
        "Sochi",
        "Press statement following CIS and SEEC summits",
        ("CIS", "EAEU", "Foreign policy"),
        (),
        [
            (
                PUTIN,
                "President of Russia Vladimir Putin",
                "President of Russia",
                "We invited our partners to finance joint industrial, "
                "agricultural and infrastructural "
                "projects. This will provide an additional boost to the "
                "diversification of national "
                "economies.",
            )
        ],
    ),
    (
        7,
        "17233",
        "en",
        "2012-12-28",
        None,
        "A law on sanctions for individuals violating fundamental human rights and freedoms of "
        "Russian citizens has been signed",
        ("Human rights",),
        (),
        [],
    ),
    (
        8,
        "76448",
        "ru",
        "2025-03-13",
        "Москва, Кремль",
        "Российско-белорусские переговоры",
        (),
        ("Белоруссия",),
        [
            (
                "Владимир Путин",
                "В.Путин",
                None,
                "С Вашей подачи мы начали проработку, и активно идёт, "
                "позитивно идёт работа, например, в "
                "сфере авиастроения: в Минске и на некоторых других предприятиях разворачивается "
                "совместное производство.",
            )
        ],
    ),
    (
        9,
        "76474",
        "ru",
        "2025-03-18",
        "Москва",
        "Пленарное заседание съезда РСПП",
        (),
        (),
        [
            (
                "Владимир Путин",
                "В.Путин",
                None,
                "Отменили и тут же ввели другие санкции. Повторю: санкции, "
                "ограничения – это реальность "
                "существующего сегодняшнего нового этапа развития.",
            )
        ],
    ),
]


def event_rows(event: tuple[Any, ...], seq: int, *, extra: str = "") -> list[IndexRow]:
    event_id, source_id, lang, date, place, title, topics, geo, speeches = event
    common: dict[str, Any] = {
        "seq": seq,
        "event_id": event_id,
        "source": "en.kremlin.ru" if lang == "en" else "kremlin.ru",
        "source_id": source_id,
        "language": lang,
        "title": title,
        "date": dt.date.fromisoformat(date),
        "place": place,
        "topics": topics,
        "geography": geo,
        "persons": (),
        "sections": ("News", "Transcripts"),
    }
    base = f"/events/{source_id}"
    text = " ".join(s[3] for s in speeches) or title
    rows = [
        IndexRow(
            kind="event",
            speech_id=None,
            position=None,
            speaker=None,
            attribution=None,
            role=None,
            person_id=None,
            text=text + extra,
            url=base,
            **common,
        )
    ]
    for i, (speaker, attribution, role, said) in enumerate(speeches, 1):
        rows.append(
            IndexRow(
                kind="speech",
                speech_id=event_id * 100 + i,
                position=i,
                speaker=speaker,
                attribution=attribution,
                role=role,
                person_id=speaker,  # the resolver's id; facets count persons
                text=said + extra,
                url=f"{base}#s{i}",
                **common,
            )
        )
    return rows


def all_rows() -> list[IndexRow]:
    return [row for seq, event in enumerate(EVENTS, 1) for row in event_rows(event, seq)]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "index"
    assert rebuild(path, all_rows()) == len(all_rows())
    return path


def urls(index: Path, query: str, **kw: Any) -> set[str]:
    return {hit.url for hit in search(index, query, limit=50, **kw).hits}


def test_terms_phrase_and_boolean(index: Path) -> None:
    # Both "national" and "projects" occur in 58684 (as a phrase) and in 55820 (apart).
    assert urls(index, "national projects") == {"/events/58684#s1", "/events/55820#s1"}
    assert urls(index, '"national projects"') == {"/events/58684#s1"}
    assert urls(index, "gas AND Ukraine") == {"/events/62047#s1", "/events/54790#s1"}
    assert urls(index, "gas AND Ukraine AND NOT Europe") == {"/events/54790#s1"}
    assert urls(index, "gas Ukraine -Europe") == {"/events/54790#s1"}
    assert urls(index, "(Minsk OR Brasilia OR Europe) gas") == {"/events/62047#s1"}
    assert urls(index, "Europe OR households") == {"/events/62047#s1", "/events/54790#s1"}


def test_stemming_by_language(index: Path) -> None:
    # "sanctions" and "sanction" share a stem; the narrative-only event 17233 is found too.
    expected = {"/events/60756#s1", "/events/17766#s1", "/events/17233"}
    assert urls(index, "sanctions") == expected
    assert urls(index, "sanction") == expected
    assert urls(index, "Минск") == {"/events/76448#s1"}
    assert urls(index, "санкция") == {"/events/76474#s1"}


def test_prefix_is_expanded_and_highlighted(index: Path) -> None:
    result = search(index, "restrict*", limit=10)
    assert {h.url for h in result.hits} == {"/events/60756#s1", "/events/17766#s1"}
    marked = {m for h in result.hits for m in marks(h)}
    assert {"restrictions", "restrictive"} <= marked
    assert urls(index, "sanctions*") >= {"/events/17766#s1"}
    assert urls(index, "авиастро*") == {"/events/76448#s1"}


def marks(hit: engine.Hit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


def test_snippet_is_text_with_character_spans(tmp_path: Path) -> None:
    said = "a <b> & «газ» — gas"
    event = (1, "1", "en", "2020-01-01", None, "T", (), (), [(PUTIN, PUTIN, None, said)])
    rebuild(tmp_path / "index", event_rows(event, 1))
    (hit,) = search(tmp_path / "index", "gas").hits
    assert hit.snippet == said and marks(hit) == ["gas"]  # offsets in characters, not bytes


def test_filters(index: Path) -> None:
    assert urls(index, "speaker:medvedev") == {"/events/58684#s1"}
    assert urls(index, 'speaker:"Vladimir Putin" projects') == {"/events/55820#s1"}
    assert urls(index, 'role:"prime minister"') == {"/events/58684#s1"}
    assert urls(index, "place:kremlin") == {"/events/58684#s1", "/events/58684#s2"}
    assert urls(index, 'topic:"foreign policy" gas') == {"/events/62047#s1"}
    assert urls(index, "geo:Brazil OR geo:Tajikistan") == {"/events/62047#s1", "/events/60756#s1"}
    assert urls(index, "section:transcripts lang:ru") == {"/events/76448#s1", "/events/76474#s1"}
    assert urls(index, "gas from:2018-01-01") == {"/events/62047#s1"}
    assert urls(index, "gas to:2017-06-15") == {"/events/54790#s1"}
    assert urls(index, "sanctions from:2013 to:2013") == {"/events/17766#s1"}


def test_hit_fields_and_facets_are_exact(index: Path) -> None:
    result = search(index, '"at the same time"', limit=50)  # it opens 54790 and 58684
    assert result.total == 2
    hit = next(h for h in result.hits if h.speaker == "Dmitry Medvedev")
    assert (hit.kind, hit.event_id, hit.source_id, hit.speech_id) == ("speech", 5, "58684", 501)
    assert (hit.role, hit.attribution, hit.date) == (
        "Prime Minister",
        "Prime Minister Dmitry Medvedev",
        "2018-10-02",
    )
    assert (hit.place, hit.title, hit.url) == (
        "The Kremlin, Moscow",
        "Meeting with Government members",
        "/events/58684#s1",
    )
    assert marks(hit) == ["At the same time"] and hit.score > 0  # one passage, not four words
    everything = search(index, "speaker:putin OR speaker:medvedev OR speaker:путин", limit=50)
    speeches = [r for r in all_rows() if r.kind == "speech"]
    assert everything.total == len(speeches)
    assert dict(everything.facets["speaker"]) == Counter(r.speaker for r in speeches)
    assert dict(everything.facets["topic"]) == Counter(t for r in speeches for t in r.topics)
    assert dict(everything.facets["geography"]) == Counter(g for r in speeches for g in r.geography)
    assert everything.facets["year"] == sorted(
        Counter(str(r.date.year) for r in speeches if r.date).items(), reverse=True
    )


def test_sort_by_date_and_paging(index: Path) -> None:
    dates = [h.date or "" for h in search(index, "gas OR sanctions", sort="date").hits]
    assert dates == sorted(dates) and len(dates) == 5
    newest = search(index, "gas OR sanctions", sort="-date", limit=2)
    assert [h.date for h in newest.hits] == ["2019-11-14", "2019-06-15"] and newest.total == 5
    rest = search(index, "gas OR sanctions", sort="-date", limit=2, offset=2)
    assert [h.date for h in rest.hits] == ["2017-06-15", "2013-03-28"]


def test_event_level_hits(index: Path) -> None:
    result = search(index, "Medvedev", events=True)
    # The title does not name him; the event row's text does not either: only speakers do.
    assert result.total == 0
    result = search(index, "speaker:medvedev", events=True)
    assert [(h.kind, h.url, h.speech_id) for h in result.hits] == [("event", "/events/58684", None)]
    assert dict(result.facets["speaker"]) == {"Dmitry Medvedev": 1, PUTIN: 1}
    assert urls(index, "ombudsman", events=True) == {"/events/17766"}  # matched by its title
    assert urls(index, "ombudsman") == set()


class Log:
    """A change log over fixed rows: every row's ``seq`` is the change that made it."""

    def __init__(self, rows: list[IndexRow]) -> None:
        self.rows = rows
        self.asked: list[int] = []

    def pending_changes(self, after: int) -> Pending:
        self.asked.append(after)
        newer = [r for r in self.rows if r.seq > after]
        upto = max((r.seq for r in self.rows), default=0)
        return Pending(after, upto, tuple(sorted({r.event_id for r in newer})))

    def index_rows_of(self, event_ids: Sequence[int]) -> list[IndexRow]:
        return [r for r in self.rows if r.event_id in event_ids]


def test_catch_up_indexes_only_new_rows(tmp_path: Path) -> None:
    path = tmp_path / "index"
    rows = all_rows()
    first = [r for r in rows if r.seq <= 4]
    assert catch_up(path, Log(rows)) == len(rows)
    assert read_seq(path) == len(EVENTS)
    path2 = tmp_path / "index2"
    catch_up(path2, Log(first))
    assert read_seq(path2) == 4
    log = Log(rows)
    assert catch_up(path2, log) == len(rows) - len(first)
    assert log.asked == [4]
    assert search(path2, "Минск").total == 1 and search(path2, "gas").total == 2
    assert catch_up(path2, log) == 0 and log.asked == [4, len(EVENTS)]


def test_changed_event_replaces_its_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "index"
    rebuild(path, all_rows())
    changed = event_rows(EVENTS[2], 99, extra=" Revised.")
    with Indexer(path) as indexer:
        indexer.add(changed)
    assert search(path, "gas Europe").total == 1
    assert search(path, "revised").total == 1
    assert search(path, "gas Europe", events=True).total == 1
    with Indexer(path) as indexer:  # the same revision twice is still one copy
        indexer.add(changed)
        indexer.add(changed)
        indexer.applied(99)
    assert search(path, "revised").total == 1
    assert read_seq(path) == 99


def test_missing_index_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StenogramError, match="no search index"):
        search(tmp_path / "nothing", "gas")


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "AND",
        "speaker:",
        "from:2020-13-45",
        "x" * 10_000,
        "gas AND",
        "((((",
        ")",
        "NOT",
        "-",
        "*",
        "topic:",
        'speaker:"',
        "a OR OR b",
        "\x00",
        "—",
    ],
)
def test_malformed_queries_never_raise_anything_else(index: Path, query: str) -> None:
    try:
        result = search(index, query)
    except QueryError as exc:
        assert "\n" not in exc.message and "query" in exc.message
    else:
        assert result.total >= 0


def test_bad_arguments_are_query_errors(index: Path) -> None:
    with pytest.raises(QueryError):
        search(index, "gas", limit=-1)
    with pytest.raises(QueryError):
        search(index, "gas", sort="size")  # type: ignore[arg-type]


# --- Real parsed pages -------------------------------------------------------------------------


def _corpus_rows(corpus: Path, pages: int) -> Iterator[IndexRow]:
    with tarfile.open(corpus / "kremlin-en-2000-2020.tar.xz") as tar:
        n = 0
        for member in tar:
            if n >= pages or not member.isfile() or not member.name.endswith(".html"):
                continue
            data = tar.extractfile(member)
            if data is None:
                continue
            try:
                doc = parse_bytes(io.BytesIO(data.read()).getvalue(), origin=member.name)
            except ParseError:
                continue
            n += 1
            yield from _doc_rows(doc, n)


def _doc_rows(doc: Document, n: int) -> Iterator[IndexRow]:
    common: dict[str, Any] = {
        "seq": n,
        "event_id": n,
        "source": doc.source,
        "source_id": doc.source_id,
        "language": doc.language,
        "title": doc.title,
        "date": doc.date,
        "place": doc.place,
        "topics": tuple(doc.tags.names("topics")),
        "sections": doc.sections,
        "geography": tuple(doc.tags.names("geography")),
        "persons": (),
    }
    yield IndexRow(
        kind="event",
        speech_id=None,
        position=None,
        speaker=None,
        attribution=None,
        role=None,
        person_id=None,
        text=doc.summary or doc.title,
        url=f"/events/{n}",
        **common,
    )
    for i, s in enumerate(doc.speeches, 1):
        yield IndexRow(
            kind="speech",
            speech_id=n * 1000 + i,
            position=i,
            speaker=s.speaker,
            attribution=s.attribution,
            role=s.role,
            person_id=s.speaker,  # the resolver's id; facets count persons
            text=s.text,
            url=f"/events/{n}#s{i}",
            **common,
        )


@pytest.mark.corpus
def test_counts_and_facets_match_a_scan_of_real_pages(corpus_dir: Path, tmp_path: Path) -> None:
    rows = list(_corpus_rows(corpus_dir, 150))
    path = tmp_path / "index"
    rebuild(path, rows)
    speeches = [r for r in rows if r.kind == "speech"]
    assert len(speeches) > 300
    for word in ("Ukraine", "Kazakhstan", "Belarus"):
        pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
        matching = [r for r in speeches if pattern.search(r.text)]
        result = search(path, f'"{word}" speaker:putin', limit=1)
        putin = [r for r in matching if "putin" in f"{r.speaker} {r.attribution}".lower()]
        assert result.total == len(putin), word
        # Pages without any speech are found at speech level through their event row.
        talking = {r.event_id for r in speeches}
        solo = [r for r in rows if r.event_id not in talking and pattern.search(r.text)]
        assert search(path, word, limit=1).total == len(matching) + len(solo)
        years = Counter(str(r.date.year) for r in putin if r.date)
        assert dict(result.facets["year"]) == years
        assert dict(result.facets["speaker"]) == Counter(r.speaker for r in putin)


def test_top_zero_gives_the_total_and_facets(index: Path) -> None:
    # tantivy refuses a top-0 collector (it panics); the engine must still count.
    result = search(index, "gas OR sanctions", limit=0)
    assert (result.total, result.hits) == (5, [])
    assert sum(n for _, n in result.facets["year"]) == 5
    assert search(index, "gas OR sanctions", limit=0, facets=False).total == 5


def test_speech_level_never_returns_an_event_row(index: Path) -> None:
    # Event rows carry their speakers and their speeches' words (see ``event_rows``). A word
    # query skips the level clause, a query that is only filters must not, even when a
    # punctuation-only word drops out of it. (A page without speeches is its own speech.)
    rows = all_rows()
    talking = {r.event_id for r in rows if r.kind == "speech"}
    speech_level = [r for r in rows if r.kind == "speech" or r.event_id not in talking]
    for query in ("speaker:medvedev ,", "speaker:medvedev", "NOT gas", "gas OR NOT Europe"):
        hits = search(index, query, limit=50).hits
        assert not [h for h in hits if h.kind == "event" and h.event_id in talking], query
    assert urls(index, "speaker:medvedev ,") == {"/events/58684#s1"}
    assert search(index, "NOT gas").total == sum("gas" not in r.text for r in speech_level)
    assert urls(index, "gas", events=True) == {"/events/62047", "/events/54790"}


@pytest.mark.corpus
def test_facets_stay_exact_across_many_segments(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = list(_corpus_rows(corpus_dir, 120))
    path = tmp_path / "index"
    with Indexer(path) as indexer:  # a commit every few pages: one segment each
        for _, group in itertools.groupby(rows, key=lambda r: r.event_id // 8):
            indexer.add(group)
            indexer.commit()
    talking = {r.event_id for r in rows if r.kind == "speech"}
    level = [r for r in rows if r.kind == "speech" or r.event_id not in talking]
    matching = [r for r in level if re.search(r"\bthe\b", r.text, re.IGNORECASE)]
    truth = Counter(r.speaker for r in matching if r.kind == "speech" and r.speaker)
    size = 8
    assert len(truth) > 2 * size
    # Two terms per segment makes every segment's list inexact, so the exact pass must run.
    for segment_size in (engine.FACET_SEGMENT_SIZE, 2):
        monkeypatch.setattr(engine, "FACET_SEGMENT_SIZE", segment_size)
        result = search(path, "the", limit=3, facet_limit=size)
        assert result.total == len(matching) == search(path, "the", facets=False).total
        got = result.facets["speaker"]
        assert all(truth[name] == n for name, n in got)
        assert [n for _, n in got] == sorted(truth.values(), reverse=True)[:size]
        assert result.facet_sizes["speaker"] == len(truth)
        years = Counter(str(r.date.year) for r in matching if r.date)
        assert dict(result.facets["year"]) == years
        # Tags are counted over tag sets: each name's count is the matches whose event has it.
        for facet, kind in (("topic", "topics"), ("geography", "geography")):
            tags = Counter(tag for r in matching for tag in set(getattr(r, kind)))
            assert len(tags) > size, facet
            ranked = sorted(tags.items(), key=lambda item: (-item[1], item[0]))
            assert result.facets[facet] == ranked[:size], facet


def test_rows_without_a_date_count_but_have_no_year(tmp_path: Path) -> None:
    # The total is read from the year facet, where a dateless row sits under a year no date has.
    dated = event_rows(EVENTS[2], 1)  # 62047 of 2019-11-14: one speech says "gas"
    undated = [replace(r, event_id=999, date=None, url=r.url + "-x") for r in dated]
    rebuild(tmp_path / "index", dated + undated)
    result = search(tmp_path / "index", "gas")
    assert result.total == 2 == search(tmp_path / "index", "gas", facets=False).total
    assert result.facets["year"] == [("2019", 1)]


def test_tag_facets_count_events_with_more_tags_than_columns(tmp_path: Path) -> None:
    # Tags beyond the single-valued slots share one column (see ``index``): still counted each.
    many = ("Energy", "Gas", "Oil", "Ukraine", "Europe", "Transit")
    base = event_rows(EVENTS[2], 1)  # one speech says "gas"
    rows = [replace(r, topics=many, geography=many[::-1]) for r in base]
    rows += [
        replace(r, event_id=7, topics=("Gas", "Europe"), geography=(), url=r.url + "-b")
        for r in base
    ]
    rebuild(tmp_path / "index", rows)
    result = search(tmp_path / "index", "gas")
    assert result.total == 2
    expected = [("Europe", 2), ("Gas", 2), ("Energy", 1), ("Oil", 1), ("Transit", 1)]
    assert result.facets["topic"] == [*expected, ("Ukraine", 1)]
    assert sorted(result.facets["geography"]) == sorted((name, 1) for name in many)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "start, end",
    [
        ("2010-01-01", "2012-12-31"),  # whole years: year terms alone
        ("2009-03-05", "2013-06-30"),  # cut at both ends: day ranges around the whole years
        ("2013-02-01", "2013-11-30"),  # inside one year: a day range
        ("2012-07-01", "2013-06-30"),  # two cut years, none whole
        ("2012-01-01", None),  # open-ended
    ],
)
def test_date_filters_match_the_rows_dates(
    corpus_dir: Path, tmp_path: Path, start: str, end: str | None
) -> None:
    rows = list(_corpus_rows(corpus_dir, 400))
    rebuild(tmp_path / "index", rows)
    talking = {r.event_id for r in rows if r.kind == "speech"}
    level = [r for r in rows if r.kind == "speech" or r.event_id not in talking]
    low, high = dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else dt.date.max
    truth = sum(r.date is not None and low <= r.date <= high for r in level)
    query = f"from:{start}" + (f" to:{end}" if end else "")
    assert truth > 0
    assert search(tmp_path / "index", query, facets=False).total == truth
    assert search(tmp_path / "index", query).total == truth


@pytest.mark.corpus
def test_searches_in_one_thread_or_two_give_the_same_answer(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small index runs a search's tantivy calls one after another, a large one runs the top-k
    # beside the facet pass (``engine.PARALLEL_FROM``): hits, snippets and facets must not care.
    rows = list(_corpus_rows(corpus_dir, 150))
    path = tmp_path / "index"
    rebuild(path, rows)
    asked: list[tuple[str, dict[str, Any]]] = [
        (query, options)
        for query in ('"Ukraine"', "security speaker:putin", "gas OR oil", "econom* -russia")
        for options in ({}, {"events": True}, {"sort": "-date", "offset": 1})
    ]
    assert len(rows) < engine.PARALLEL_FROM
    alone = [search(path, query, limit=10, **options) for query, options in asked]
    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)
    beside = [search(path, query, limit=10, **options) for query, options in asked]
    assert beside == alone
    for result, (query, options) in zip(alone, asked, strict=True):
        assert result.total > options.get("offset", 0), (query, options)
        assert result.hits and result.facets["year"], (query, options)
