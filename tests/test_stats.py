"""The statistics (issue 14) against the same figures computed independently: plain SQL over the
stored records and a tokenizer written here, on real kremlin.ru and PM transcripts pages, on
both backends; then the CLI's JSON contract and its errors.

The reference never touches the index: it reads speeches, events, participants and tags from
the database, splits texts into words as the index's exact analyzer does (letters and digits,
lower case, words of 40 bytes or more dropped), and counts.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from statsutil import (
    Reference,
    attendees,
    check_distinctive,
    expected_trend,
    has_phrase,
    period,
    reference,
    top_speaker,
)
from stenogram import stats
from stenogram.archive import Archive
from stenogram.cli import app
from stenogram.errors import NotFound, QueryError
from stenogram.ingest import ingest, open_archive
from stenogram.settings import Settings, load_settings
from stenogram.stats import charts
from stenogram.stats.scope import Scope


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path, module_database: str | None
) -> Settings:
    chosen = load_settings({"archive": tmp_path_factory.mktemp("stats") / "archive"})
    assert chosen.database == module_database
    folders = ("archive", "persons-doubt", "kremlin-html", "pm-au")
    summary = ingest([fixtures_dir / name for name in folders], chosen)
    assert summary.new > 20 and summary.failed <= 1  # one AU file is an empty <transcripts>
    return chosen


@pytest.fixture(scope="module")
def ref(settings: Settings) -> Reference:
    return reference(settings)


@pytest.fixture
def archive(settings: Settings) -> Iterator[Archive]:
    with open_archive(settings) as opened:
        yield opened


# --- trend ------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["year", "month"])
def test_trend_counts_speeches_and_words_per_period_exactly(
    archive: Archive, ref: Reference, by: str
) -> None:
    terms = ["president", "economic development", "the"]
    found = stats.trend(archive, terms, by=by)  # type: ignore[arg-type]
    assert [s["term"] for s in found.to_json()["series"]] == terms
    for series in found.to_json()["series"]:
        expected = expected_trend(ref, series["term"], by)
        assert series["points"] == expected
        assert any(p["speeches"] for p in expected)  # the terms are used: the test can fail


def test_trend_filtered_by_speaker_and_split_per_speaker(archive: Archive, ref: Reference) -> None:
    person = top_speaker(ref)
    filtered = stats.trend(archive, ["russia"], query=f"speaker:{person}")
    assert filtered.to_json()["series"][0]["points"] == expected_trend(
        ref, "russia", "year", person
    )
    split = stats.trend(archive, ["russia"], per="speaker")
    users = Counter(
        s.person_id for s in ref.speeches if s.person_id and has_phrase(s.words, ["russia"])
    )
    assert {s.person_id for s in split.series} <= set(users)
    assert len(split.series) == min(len(users), 8)
    for series in split.series:
        assert series.person_id is not None
        expected = [p for p in expected_trend(ref, "russia", "year", series.person_id)]
        assert [p.to_json() for p in series.points] == expected


# --- speakers ---------------------------------------------------------------------------------


def test_speakers_count_events_speeches_and_words(archive: Archive, ref: Reference) -> None:
    found = stats.speakers(archive, by="year", limit=5)
    events = Counter(period(d, "year") for d in ref.dates.values())
    said = Counter(period(s.date, "year") for s in ref.speeches)
    words: Counter[str | None] = Counter()
    for s in ref.speeches:
        words[period(s.date, "year")] += len(s.words)
    assert [(p.period, p.events, p.speeches, p.words) for p in found.periods] == [
        (label, events[label], said[label], words[label])
        for label in sorted(k for k in {*events, *said} if k)
    ]
    by_person = Counter(s.person_id for s in ref.speeches if s.person_id)
    assert [s.speeches for s in found.speakers] == [n for _, n in by_person.most_common(5)]
    for s in found.speakers:
        mine = [x for x in ref.speeches if x.person_id == s.person_id]
        assert s.speeches == len(mine)
        assert s.words == sum(len(x.words) for x in mine)
        assert s.events == len({x.event_id for x in mine})


def test_person_activity_counts_roles_held_at_the_time(archive: Archive, ref: Reference) -> None:
    person = top_speaker(ref)
    found = stats.person_activity(archive, person, by="year")
    assert found.person_id == person
    mine = [s for s in ref.speeches if s.person_id == person]
    expected = {}
    for label in sorted({period(s.date, "year") for s in mine} - {None}):
        of = [s for s in mine if period(s.date, "year") == label]
        roles = Counter(s.role for s in of if s.role)
        there = {e for e, who in ref.present.items() if person in who}
        expected[label] = (
            len({e for e in there if period(ref.dates[e], "year") == label}),
            len({s.event_id for s in of}),
            len(of),
            sum(len(s.words) for s in of),
            tuple(sorted(roles.items(), key=lambda i: (-i[1], i[0]))),
        )
    assert {
        p.period: (p.present, p.events, p.speeches, p.words, p.roles) for p in found.periods
    } == (expected)
    with pytest.raises(NotFound):
        stats.person_activity(archive, "nobody-at-all")


# --- distinctive terms ------------------------------------------------------------------------


def test_distinctive_terms_counts_and_scores(archive: Archive, ref: Reference) -> None:
    assert Scope.of(archive).live()  # nothing was replaced: the term dictionary is exact
    check_distinctive(archive, ref, top_speaker(ref))


def test_distinctive_terms_of_a_large_set_from_a_sample_are_still_exact(
    archive: Archive, ref: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the sample size, the candidates come from a sample; the counts and scores
    returned are still the exact ones."""
    monkeypatch.setattr(sys.modules["stenogram.stats.distinctive"], "SAMPLE", 40)
    person = top_speaker(ref)
    assert sum(s.person_id == person for s in ref.speeches) > 40 * 2
    check_distinctive(archive, ref, person)


def test_statistics_follow_the_change_log(
    tmp_path: Path, database: str | None, fixtures_dir: Path
) -> None:
    """A page that comes again changed replaces its speeches in every figure; the replaced
    ones, still in their segment until a merge, count nowhere."""
    chosen = load_settings({"archive": tmp_path / "archive"})
    pages = tmp_path / "pages"
    shutil.copytree(fixtures_dir / "archive", pages, ignore=shutil.ignore_patterns("*.md"))
    ingest([pages], chosen)
    with open_archive(chosen) as opened:
        assert not any(p.speeches for p in stats.trend(opened, ["zanzibarian"]).series[0].points)
    page = pages / "51437.html"
    page.write_bytes(page.read_bytes().replace(b"resource region:", b"zanzibarian region:"))
    assert ingest([pages], chosen).updated == 1
    ref = reference(chosen)
    with open_archive(chosen) as opened:
        for series in stats.trend(opened, ["zanzibarian", "resource"]).to_json()["series"]:
            assert series["points"] == expected_trend(ref, series["term"], "year")
        assert sum(p.speeches for p in stats.trend(opened, ["zanzibarian"]).series[0].points) == 1
        # The replaced speeches linger in their segment: the background is aggregated.
        assert not Scope.of(opened).live()
        check_distinctive(opened, ref, top_speaker(ref))


# --- co-attendance ----------------------------------------------------------------------------


def test_network_weights_are_events_together_and_exports_parse(
    settings: Settings, archive: Archive, ref: Reference, tmp_path: Path
) -> None:
    everybody = attendees(settings, ref)
    counted = Counter(n for who in everybody.values() for n in who if not n.startswith("tag:"))
    person = counted.most_common(1)[0][0]
    groups = [who for who in everybody.values() if person in who]
    found = stats.network(archive, person_id=person, limit=1000)
    assert found.events == len(groups)
    assert {n.id: n.events for n in found.nodes} == dict(Counter(n for g in groups for n in g))
    pairs = Counter(p for g in groups for p in itertools.combinations(sorted(g), 2))
    assert {(e.source, e.target): e.weight for e in found.edges} == dict(pairs)
    assert len(found.nodes) > 3 and max(pairs.values()) > 1
    everyone = stats.network(archive, limit=1000)
    assert everyone.events == len(ref.dates)
    for name, text in (("g.graphml", found.to_graphml()), ("g.gexf", found.to_gexf())):
        (tmp_path / name).write_text(text, encoding="utf-8")
        read = nx.read_graphml if name.endswith("graphml") else nx.read_gexf
        graph = read(tmp_path / name)
        assert set(graph.nodes) == {n.id for n in found.nodes}
        assert {tuple(sorted(e)): int(w) for *e, w in graph.edges(data="weight")} == dict(pairs)


# --- calendar and places ----------------------------------------------------------------------


def test_calendar_and_places_count_events(archive: Archive, ref: Reference) -> None:
    days = Counter(d for d in ref.dates.values() if d is not None)
    assert dict(stats.calendar(archive).days) == dict(days)
    year = max(days).year
    assert dict(stats.calendar(archive, year=year).days) == {
        d: n for d, n in days.items() if d.year == year
    }
    found = stats.places(archive, by="year", limit=1000)
    for p in found.periods:
        ids = [e for e, d in ref.dates.items() if period(d, "year") == p.period]
        assert p.events == len(ids)
        assert dict(p.places) == dict(Counter(ref.places[e] for e in ids if ref.places[e]))
        geo = Counter(name for e in ids for name in ref.tags[e]["geography"])
        assert dict(p.countries) == dict(geo)


def test_filters_are_the_search_language(archive: Archive, ref: Reference) -> None:
    year = max(d for d in ref.dates.values() if d).year
    found = stats.calendar(archive, query=f"from:{year}-01-01 to:{year}-12-31")
    assert dict(found.days) == dict(
        Counter(d for d in ref.dates.values() if d is not None and d.year == year)
    )
    with pytest.raises(QueryError):
        stats.calendar(archive, query="nosuchfilter:x")


# --- charts -----------------------------------------------------------------------------------


def test_charts_are_svg_with_a_title_and_png(archive: Archive, ref: Reference) -> None:
    found = stats.trend(archive, ["president", "russia"])
    svg = charts.render(found, "svg")
    assert b'role="img"' in svg and b"<title" in svg and b"<desc" in svg
    assert charts.render(found, "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert charts.render(found, "svg") == svg  # deterministic
    person = top_speaker(ref)
    year = max(d for d in ref.dates.values() if d).year
    for result in (
        stats.speakers(archive),
        stats.person_activity(archive, person),
        stats.distinctive(archive, query=f"speaker:{person}"),
        stats.network(archive, person_id=person),
        stats.calendar(archive, year=year),
        stats.calendar(archive),
        stats.places(archive),
    ):
        drawn = charts.render(result, "svg")
        assert result.caption().split(";")[0][:40] in drawn.decode()
    with pytest.raises(QueryError):
        charts.render(found, "gif")  # type: ignore[arg-type]


# --- the CLI ----------------------------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_trend_json_is_the_documented_object(settings: Settings, ref: Reference) -> None:
    code, out, _ = run(
        "stats",
        "trend",
        "president",
        "Russia",
        "--by",
        "year",
        "--json",
        "--archive",
        settings.archive,
    )
    assert code == 0
    body = json.loads(out)
    assert set(body) == {"series"}
    assert [s["term"] for s in body["series"]] == ["president", "Russia"]
    for s in body["series"]:
        assert set(s) == {"term", "points"}
        assert s["points"] == expected_trend(ref, s["term"], "year")
    code, out, _ = run(
        "stats", "trend", "president", "--per", "speaker", "--json", "--archive", settings.archive
    )
    assert code == 0 and all(
        set(s) == {"term", "speaker", "person_id", "points"} for s in json.loads(out)["series"]
    )


def test_cli_csv_and_chart(settings: Settings, tmp_path: Path) -> None:
    chart = tmp_path / "t.png"
    code, out, _ = run(
        "stats", "speakers", "--csv", "--chart", chart, "--archive", settings.archive
    )
    assert code == 0 and out.splitlines()[0] == "person_id,name,events,speeches,words"
    assert chart.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("trend",), 2, "Missing argument"),
        (("trend", " "), 64, "a term is empty"),
        (("trend", *"abcdefg"), 64, "at most 6 terms"),
        (("trend", "x", "--by", "week"), 64, "period must be one of year, month"),
        (("trend", "x", "--per", "mood"), 64, "split must be one of"),
        (("speakers", "--person", "nobody-at-all"), 2, "no person"),
        (("network", "--person", "nobody-at-all"), 2, "no person"),
        (("distinctive", ""), 64, "say which speeches"),
        (("calendar", "--query", "speaker:"), 64, ""),
        (("trend", "x", "--chart", "out.gif"), 64, "--chart must end in .svg or .png"),
    ],
)
def test_cli_bad_input_is_one_line_and_an_exit_code(
    settings: Settings, args: tuple[str, ...], code: int, says: str
) -> None:
    got, out, err = run("stats", *args, "--archive", settings.archive)
    assert got == code, err
    assert says in err
    assert "Traceback" not in err and not out
