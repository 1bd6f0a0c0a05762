"""The library functions the CLI and the web call: plain results, StenogramErrors on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from stenogram.errors import NotFound, QueryError, StoreError
from stenogram.ingest import ingest
from stenogram.queries import (
    archive_info,
    doubtful_persons,
    event_diff,
    event_record,
    event_revisions,
    list_persons,
    search_archive,
    show_event,
)
from stenogram.settings import Settings, load_settings


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path, module_database: str | None
) -> Settings:
    chosen = load_settings({"archive": tmp_path_factory.mktemp("q") / "archive"})
    assert chosen.database == module_database
    summary = ingest([fixtures_dir / "archive", fixtures_dir / "persons-doubt"], chosen)
    assert (summary.new, summary.failed) == (5, 0)
    return chosen


def test_search_hits_carry_their_permalink(settings: Settings) -> None:
    result = search_archive(settings, 'speaker:"Andrei Kostin" mortgages', limit=5)
    assert result.hits and result.total == len(result.hits)
    for hit in result.hits:
        assert (hit.speaker, hit.source_id) == ("Andrei Kostin", "55352")
        assert hit.url == f"/events/55352#s{hit.position}"
        assert {hit.snippet[a:b].casefold() for a, b in hit.highlights} <= {"mortgage", "mortgages"}
        assert hit.highlights
    assert result.facets["speaker"] == [("Andrei Kostin", result.total)]
    with pytest.raises(QueryError):
        search_archive(settings, "mortgages AND")


def test_event_record_adds_speech_permalinks(settings: Settings) -> None:
    stored = show_event(settings, "9269")
    record = event_record(stored)
    assert record["title"] == "Working meeting with Regional Development Minister Viktor Basargin"
    assert [s["permalink"] for s in record["speeches"]] == [
        f"/events/9269#s{i}" for i in range(1, len(stored.document.speeches) + 1)
    ]
    with pytest.raises(NotFound):
        show_event(settings, "no-such-event")


def test_revisions_of_an_event_stored_once(settings: Settings) -> None:
    (only,) = event_revisions(settings, "55352")
    assert only.info.number == 1 and only.info.current
    assert only.to_dict()["fields_changed"] == []
    assert not event_diff(settings, "55352").changed


def test_persons_come_with_their_counts(settings: Settings) -> None:
    everyone = list_persons(settings)
    words = [p.activity.words for p in everyone]
    assert words == sorted(words, reverse=True)
    (kostin,) = list_persons(settings, "Andrei Kostin")
    # 55352: Andrei Kostin has three turns in the one meeting.
    assert (kostin.activity.events, kostin.activity.speeches) == (1, 3)
    assert kostin.to_dict()["roles"][0]["first_seen"] == "2017-08-17"
    with pytest.raises(NotFound):
        list_persons(settings, "Nobody Atall")


def test_doubtful_pairs_name_both_persons(settings: Settings) -> None:
    pair = next(d for d in doubtful_persons(settings) if d.b == "tatyana-golikova")
    assert (pair.a, pair.a_name, pair.b_name) == (
        "tatayana-golikova",
        "Tatayana Golikova",
        "Tatyana Golikova",
    )
    assert "differ by a letter" in pair.reason


def test_info_and_a_missing_archive(settings: Settings, tmp_path: Path) -> None:
    facts = archive_info(settings)
    assert (facts.events, facts.revisions, facts.sources) == (5, 5, 1)
    with pytest.raises(StoreError):
        archive_info(load_settings({"archive": tmp_path / "none"}, environ={}))
