"""Semantic retrieval for the quote check: passages, their vectors following the change log on
both backends, and paraphrases found with the real packaged model (issue 13 §2)."""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stenogram.archive import Archive
from stenogram.check import semantic, vectors
from stenogram.check.passages import MAX_SENTENCES, passages, sentences
from stenogram.cli import app
from stenogram.errors import ConfigError
from stenogram.follow import catch_up_index
from stenogram.ingest import ingest, open_archive, reindex
from stenogram.model import Document, Speech
from stenogram.parse import parse_bytes
from stenogram.queries import archive_info
from stenogram.settings import Settings, load_settings

PAGES = ("51437.html", "55352.html")


def _page(fixtures_dir: Path, name: str) -> Document:
    path = fixtures_dir / "archive" / name
    return parse_bytes(path.read_bytes(), origin=name)


def _passage_count(doc: Document) -> int:
    return sum(len(passages(speech.text)) for speech in doc.speeches)


@pytest.fixture
def node(tmp_path: Path, database: str | None) -> Settings:
    return Settings(archive=tmp_path / "archive", database=database, vectors=True)


@pytest.fixture
def pages(tmp_path: Path, fixtures_dir: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in PAGES:
        shutil.copy(fixtures_dir / "archive" / name, folder / name)
    return folder


def _passage_texts(archive: Archive) -> list[str]:
    """The text of every passage the node's vectors point at, read back from the archive."""
    path = vectors.vectors_path(archive.index_path)
    state = vectors.read_state(path)
    assert state is not None
    found = vectors.locate(path, list(range(1, state.next_key)))
    texts = []
    for located in found.values():
        ref = archive.speech(located.speech_id)
        assert ref.current
        speech = archive.event(ref.event_id).document.speeches[ref.position - 1]
        texts.append(speech.text[located.start : located.end])
    return sorted(texts)


def test_passages_are_runs_of_whole_sentences(fixtures_dir: Path) -> None:
    for name in PAGES:
        for speech in _page(fixtures_dir, name).speeches:
            spans = passages(speech.text)
            # In order, not overlapping, covering every sentence once.
            assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
            covered = [s for s in sentences(speech.text) if any(a <= s[0] < b for a, b in spans)]
            assert covered == sentences(speech.text)
            for start, end in spans:
                text = speech.text[start:end]
                assert text == text.strip() and re.search(r"[.!?…]\W*$", text)
                assert len(sentences(text)) <= MAX_SENTENCES


def test_sentences_keep_initials_titles_and_closing_quotes() -> None:
    text = "He met V. Putin and Mr. Smith. He said: “We will win.” Then he left."
    assert [text[a:b] for a, b in sentences(text)] == [
        "He met V. Putin and Mr. Smith.",
        "He said: “We will win.”",
        "Then he left.",
    ]


def test_vectors_are_built_at_ingest_and_find_paraphrases(
    fixtures_dir: Path, pages: Path, node: Settings
) -> None:
    ingest([pages], node)
    with open_archive(node) as archive:
        assert semantic.available(archive)
        info = archive_info(node).to_dict()["vectors"]
        assert info["passages"] == sum(_passage_count(_page(fixtures_dir, n)) for n in PAGES)
        assert len(_passage_texts(archive)) == info["passages"]
        assert info["changes_behind"] == 0
        for quote, said in (
            (
                "Kostin expects home loan rates, now about eleven per cent, to come down to ten "
                "per cent before the year is out.",
                "The average interest rate on mortgage loans is around 11 percent today",
            ),
            (
                "Putin told the new governor that the Tver area has neither oil nor gas, but "
                "plenty of industries where he can do well, and hard-working people.",
                "Tver Region is not a resource region",
            ),
            # The model is multilingual: a Russian rendering finds the English original.
            (
                "Средняя ставка по ипотеке сейчас около 11 процентов, а к концу года её можно "
                "снизить до 10 процентов.",
                "The average interest rate on mortgage loans is around 11 percent today",
            ),
        ):
            hits = semantic.nearest(archive, quote, k=3)
            assert len(hits) == 3
            assert hits[0].score >= hits[1].score >= hits[2].score
            best = hits[0]
            ref = archive.speech(best.speech_id)
            text = archive.event(ref.event_id).document.speeches[ref.position - 1].text
            assert said in text[best.start : best.end], quote


def test_a_new_revision_replaces_the_old_vectors(fixtures_dir: Path, node: Settings) -> None:
    page = _page(fixtures_dir, PAGES[0])
    with open_archive(node, create=True) as archive:
        archive.store(page)
        catch_up_index(archive)
        before = _passage_texts(archive)
        assert len(before) == _passage_count(page)
        edited = _edited(page)
        assert archive.store(edited).revision == 2
        catch_up_index(archive)
        after = _passage_texts(archive)
        assert len(after) == _passage_count(edited)
        assert any("Zanzibarish" in text for text in after)
        assert not any(text == "Very well." for text in after)
        info = vectors.info(archive)
        assert info is not None and info.changes_behind == 0 and info.applied == archive.max_seq()
        best = semantic.nearest(archive, "Tea from Zanzibarish hills: we must buy more.", k=1)[0]
        ref = archive.speech(best.speech_id)
        assert ref.current
        text = archive.event(ref.event_id).document.speeches[ref.position - 1].text
        assert "Zanzibarish" in text[best.start : best.end]


def _edited(page: Document) -> Document:
    speeches = list(page.speeches)
    last = speeches[-1]
    said = "Zanzibarish tea grows well in the hills of that island. We should buy more of it."
    speeches[-1] = Speech(last.attribution, last.speaker, last.role, (said,))
    return dataclasses.replace(page, speeches=tuple(speeches))


def test_an_event_no_longer_stored_loses_its_vectors(fixtures_dir: Path, node: Settings) -> None:
    from sqlalchemy import delete

    from stenogram.archive import changes
    from stenogram.archive.schema import EVENT_PARTS, event_translations, events, revisions

    with open_archive(node, create=True) as archive:
        event_id = archive.store(_page(fixtures_dir, PAGES[0])).event_id
        catch_up_index(archive)
        assert semantic.available(archive)
        with archive.writing("delete") as conn:
            for table in (*EVENT_PARTS, revisions, event_translations):
                conn.execute(delete(table).where(table.c.event_id == event_id))
            conn.execute(delete(events).where(events.c.id == event_id))
            changes.append(conn, archive.backend, [event_id], "deleted")
        catch_up_index(archive)
        assert not semantic.available(archive)
        assert semantic.nearest(archive, "Tver Region has no oil or gas", k=3) == []


def test_another_node_follows_and_reindex_rebuilds_or_drops(
    tmp_path: Path, pages: Path, node: Settings
) -> None:
    ingest([pages], dataclasses.replace(node, vectors=False))
    with open_archive(dataclasses.replace(node, vectors=False)) as archive:
        assert vectors.info(archive) is None and not semantic.available(archive)
        assert semantic.nearest(archive, "mortgage rates", k=3) == []
    # A second node that wants vectors builds them from the change log when it opens.
    other = dataclasses.replace(node, index=tmp_path / "node-b" / "index")
    with open_archive(other) as archive:
        assert vectors.info(archive) is None  # a reader never starts a build
    with open_archive(other, create=True) as archive:
        followed = _passage_texts(archive)
        assert followed and vectors.info(archive) is not None
    reindex(other)
    with open_archive(other) as archive:
        assert _passage_texts(archive) == followed
        info = vectors.info(archive)
        assert info is not None and info.applied == archive.max_seq()
    shown = CliRunner().invoke(
        app, ["info", "--archive", str(other.archive), "--index", str(other.index)]
    )
    assert shown.exit_code == 0, shown.output
    assert f"vectors    {len(followed):,} passages, 0 changes behind" in shown.output
    reindex(dataclasses.replace(other, vectors=False))
    assert not vectors.vectors_path(tmp_path / "node-b" / "index").exists()


def test_the_vectors_setting_reads_yes_and_no() -> None:
    assert load_settings(environ={"STENOGRAM_VECTORS": "yes"}).vectors is True
    assert load_settings(environ={"STENOGRAM_VECTORS": "0"}).vectors is False
    assert load_settings(environ={}).vectors is False
    with pytest.raises(ConfigError, match="STENOGRAM_VECTORS"):
        load_settings(environ={"STENOGRAM_VECTORS": "maybe"})
