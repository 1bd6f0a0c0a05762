"""Revisions: a document that comes again changed is kept beside the old one, ids survive."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from stenogram.archive import Archive, render_diff
from stenogram.errors import NotFound
from stenogram.model import Document, Speech
from stenogram.parse import parse_bytes


@pytest.fixture(scope="module")
def page(fixtures_dir: Path) -> Document:
    path = fixtures_dir / "archive" / "51437.html"
    return parse_bytes(path.read_bytes(), origin=path.name)


@pytest.fixture
def archive(tmp_path: Path, database: str | None) -> Archive:
    return Archive.open(tmp_path / "archive", database=database)


def _edited(page: Document) -> Document:
    """The page as a publisher might correct it: a word changed, a turn added, a title fixed."""
    speeches = list(page.speeches)
    third = speeches[2]
    speeches[2] = dataclasses.replace(
        third, paragraphs=(third.paragraphs[0] + " Thank you.", *third.paragraphs[1:])
    )
    speeches.insert(5, Speech("Question", "Question", None, ("What comes next?",)))
    return dataclasses.replace(page, title=page.title + ", Kursk", speeches=tuple(speeches))


def test_new_revision_keeps_unchanged_speech_ids(archive: Archive, page: Document) -> None:
    assert len(page.speeches) == 9
    first = archive.store(page)
    old = archive.event(first.event_id)
    edited = _edited(page)
    second = archive.store(edited)
    assert (second.status, second.event_id, second.revision) == ("updated", first.event_id, 2)
    new = archive.event(first.event_id)
    assert new.document == edited
    assert (new.revision, new.revisions) == (2, 2)
    # Turns 1, 2, 4, 5 keep their ids; the edited one (3) and the inserted one (6) get new ids;
    # the turns after the insertion keep theirs although their position moved.
    assert new.speech_ids[:2] == old.speech_ids[:2]
    assert new.speech_ids[3:5] == old.speech_ids[3:5]
    assert new.speech_ids[6:] == old.speech_ids[5:]
    assert new.speech_ids[2] not in old.speech_ids
    assert new.speech_ids[5] not in old.speech_ids
    assert len(set(old.speech_ids) | set(new.speech_ids)) == 11
    # The old revision is still whole, with its own ids.
    before = archive.event(first.event_id, revision=1)
    assert before.document == page
    assert before.speech_ids == old.speech_ids
    # Re-ingesting either version changes nothing more.
    assert archive.store(edited).status == "unchanged"
    assert len(archive.revisions("51437")) == 2


def test_revisions_list_and_diff(archive: Archive, page: Document) -> None:
    archive.store(page)
    archive.store(_edited(page))
    infos = archive.revisions("51437")
    assert [(i.number, i.current, i.speeches) for i in infos] == [(1, False, 9), (2, True, 10)]
    assert infos[1].words == infos[0].words + 2 + 3
    diff = archive.diff("51437")
    assert (diff.old_revision, diff.new_revision) == (1, 2)
    assert [f.name for f in diff.fields] == ["title"]
    assert diff.fields[0].new == page.title + ", Kursk"
    statuses = [s.status for s in diff.speeches]
    assert statuses.count("unchanged") == 8
    assert statuses.count("added") == 1
    changed = [s for s in diff.speeches if s.status == "changed"]
    assert len(changed) == 1
    assert (changed[0].old_position, changed[0].new_position) == (3, 3)
    assert changed[0].added == ("Thank", "you.")
    assert (changed[0].words_added, changed[0].words_removed) == (2, 0)
    added = next(s for s in diff.speeches if s.status == "added")
    assert (added.new_position, added.speaker) == (6, "Question")
    text = render_diff(diff)
    assert "~ #s3" in text and "+ Thank you." in text and "+ #s6 Question: added" in text
    # Diffing backwards reports the same edit the other way round.
    back = archive.diff("51437", 2, 1)
    assert [s.status for s in back.speeches].count("removed") == 1
    assert next(s for s in back.speeches if s.status == "changed").removed == ("Thank", "you.")
    assert not archive.diff("51437", 1, 1).changed


def test_dropped_speech_still_resolves(archive: Archive, page: Document) -> None:
    archive.store(page)
    old = archive.event("51437")
    shorter = dataclasses.replace(page, speeches=page.speeches[:-1])
    archive.store(shorter)
    gone = old.speech_ids[-1]
    ref = archive.speech(gone)
    assert (ref.current, ref.revision, ref.position) == (False, 1, 9)
    assert ref.permalink == "/events/51437?revision=1#s9"
    kept = archive.speech(old.speech_ids[0])
    assert (kept.current, kept.permalink) == (True, "/events/51437#s1")
    with pytest.raises(NotFound):
        archive.speech(10_000)


def test_identity_without_publisher_id(archive: Archive, page: Document) -> None:
    by_url = dataclasses.replace(page, source_id=None)
    first = archive.store(by_url)
    assert archive.store(dataclasses.replace(by_url, title="Retitled")).event_id == first.event_id
    anonymous = dataclasses.replace(page, source_id=None, url=None, origin="a/copy.html")
    made = archive.store(anonymous)
    assert made.event_id != first.event_id
    again = archive.store(dataclasses.replace(anonymous, origin="b/other-name.html"))
    assert (again.status, again.event_id) == ("unchanged", made.event_id)
