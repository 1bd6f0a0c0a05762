"""Publishing, as a library: the states of a draft, the scheduler driven by a clock passed in,
corrections as public revisions, withdrawal from every reader path, and photo uploads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from stenogram.archive import Archive
from stenogram.errors import BadUpload, Conflict, NotFound, QueryError
from stenogram.ingest import ingest, open_archive, people_directory
from stenogram.publish import State, compose, photos, workflow
from stenogram.publish.scheduler import LEASE, lead, run_once
from stenogram.queries import search_archive
from stenogram.settings import Settings

BASE = "https://press.example.org"
T0 = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(tmp_path: Path, shared_dir: Path, database: str | None) -> Settings:
    """An archive holding the seed, so its speakers are known persons."""
    found = Settings(archive=tmp_path / "archive", database=database)
    ingest([shared_dir / "seed"], found)
    return found


@pytest.fixture
def archive(settings: Settings) -> Iterator[Archive]:
    with open_archive(settings) as opened:
        yield opened


def pasted(shared_dir: Path) -> workflow.DraftContent:
    seed = (shared_dir / "seed" / "000_46537543d1896dfd.txt").read_bytes()
    content = compose.from_text_version(seed)
    # Another event than the seed's: its own title, a phrase of its own to search for.
    return dataclasses.replace(
        content,
        title="Meeting on the zebrafish census",
        transcript=content.transcript + "\nPresident of Russia Vladimir Putin: Zebrafish abound.",
    )


def hits(settings: Settings, query: str) -> int:
    return search_archive(settings, query).total


def test_paste_fills_every_field(shared_dir: Path) -> None:
    content = compose.from_text_version(
        (shared_dir / "seed" / "000_46537543d1896dfd.txt").read_bytes()
    )
    assert content.title == "CSTO summit" and content.place == "Minsk"
    assert content.date == dt.date(2023, 11, 23) and content.time == dt.time(15, 40)
    assert content.sections == ("News", "Transcripts")
    assert content.tags["topics"] == ("CSTO", "Foreign policy")
    assert content.participants[0].name == "Alexander Lukashenko"
    assert content.transcript.startswith("President of the Republic of Belarus Alexander")
    assert "* * *" in content.narrative
    doc = compose.document(content, source="x", source_id="p1", url="", published=T0)
    assert [s.speaker for s in doc.speeches] == ["Alexander Lukashenko", "Vladimir Putin"]
    assert doc.omissions == 1


def test_preview_flags_a_misprinted_label(archive: Archive, shared_dir: Path) -> None:
    content = dataclasses.replace(
        pasted(shared_dir),
        transcript="President of Russia Vladimir Pudin: Hello.\nQuestion: Why?",
    )
    known = frozenset(p.id for p in archive.persons())
    found = compose.preview(content, people_directory(archive), known)
    assert [t.speaker for t in found.turns] == ["Vladimir Pudin", "Question"]
    assert not found.turns[0].known
    assert any("Pudin" in w and "did you mean Vladimir Putin" in w for w in found.warnings)
    fixed = dataclasses.replace(content, transcript="President of Russia Vladimir Putin: Hello.")
    again = compose.preview(fixed, people_directory(archive), known)
    assert again.turns[0].known and again.turns[0].person_id in known
    assert not any("Putin" in w for w in again.warnings)


def test_states_and_publication(settings: Settings, archive: Archive, shared_dir: Path) -> None:
    made = workflow.create(archive, pasted(shared_dir), "ed")
    assert made.state is State.DRAFT
    assert hits(settings, "zebrafish") == 0
    with pytest.raises(Conflict):
        workflow.correct(archive, made.id, made.content, "note")
    with pytest.raises(Conflict):
        workflow.unpublish(archive, made.id, "why")
    assert workflow.submit(archive, made.id, "ed").state is State.IN_REVIEW
    with pytest.raises(Conflict):
        workflow.submit(archive, made.id, "ed")
    done = workflow.publish(archive, made.id, BASE, "pub", now=T0)
    assert done.state is State.PUBLISHED and done.source_id == f"p{made.id}"
    stored = archive.event(f"p{made.id}")
    assert stored.document.url == f"{BASE}/events/p{made.id}"
    assert stored.document.source == "press.example.org"
    assert stored.document.published == T0
    assert hits(settings, "zebrafish") == 1
    with pytest.raises(Conflict):
        workflow.publish(archive, made.id, BASE)
    with pytest.raises(Conflict):
        workflow.update(archive, made.id, made.content)


def test_scheduled_appears_at_its_time_and_survives_restart(
    settings: Settings, shared_dir: Path
) -> None:
    with open_archive(settings) as archive:
        made = workflow.create(archive, pasted(shared_dir))
        due = T0 + dt.timedelta(hours=1)
        workflow.schedule(archive, made.id, due, BASE, now=T0)
        assert run_once(archive, "node-a", due - dt.timedelta(seconds=1)) == []
        assert hits(settings, "zebrafish") == 0
    # A restart: a new process finds the schedule in the database.
    with open_archive(settings) as archive:
        assert workflow.draft(archive, made.id).state is State.SCHEDULED
        later = due + dt.timedelta(minutes=5)
        assert run_once(archive, "node-b", later) == [made.id]
        assert run_once(archive, "node-b", later) == []
        assert workflow.draft(archive, made.id).state is State.PUBLISHED
        assert archive.event(f"p{made.id}").document.published == later
    assert hits(settings, "zebrafish") == 1


def test_one_scheduler_leads(archive: Archive) -> None:
    assert lead(archive, "node-a", T0)
    assert lead(archive, "node-a", T0 + dt.timedelta(seconds=10))  # renewed
    assert not lead(archive, "node-b", T0 + dt.timedelta(seconds=20))
    # node-a died: its lease runs out, and node-b takes over.
    assert lead(archive, "node-b", T0 + dt.timedelta(seconds=10 + LEASE + 1))
    assert not lead(archive, "node-a", T0 + dt.timedelta(seconds=10 + LEASE + 2))


def test_correction_is_a_public_revision(archive: Archive, shared_dir: Path) -> None:
    made = workflow.create(archive, pasted(shared_dir))
    workflow.publish(archive, made.id, BASE, now=T0)
    with pytest.raises(QueryError):
        workflow.correct(archive, made.id, made.content, "  ")
    with pytest.raises(Conflict):
        workflow.correct(archive, made.id, made.content, "nothing")
    fixed = dataclasses.replace(made.content, title="Meeting on the zebrafish count")
    workflow.correct(archive, made.id, fixed, "The title misnamed the meeting.")
    stored = archive.event(f"p{made.id}")
    assert stored.revision == 2 and stored.document.title == "Meeting on the zebrafish count"
    notes = workflow.corrections(archive, stored.event_id)
    assert [(n["revision"], n["note"]) for n in notes] == [(2, "The title misnamed the meeting.")]
    changed = archive.diff(stored.event_id).to_dict()
    assert "zebrafish count" in str(changed) and "zebrafish census" in str(changed)


def test_unpublish_hides_everywhere(settings: Settings, archive: Archive, shared_dir: Path) -> None:
    made = workflow.create(archive, pasted(shared_dir))
    done = workflow.publish(archive, made.id, BASE, now=T0)
    assert hits(settings, "zebrafish") == 1
    with pytest.raises(QueryError):
        workflow.unpublish(archive, made.id, "")
    gone = workflow.unpublish(archive, made.id, "Published by mistake.")
    assert gone.state is State.WITHDRAWN and gone.reason == "Published by mistake."
    with pytest.raises(NotFound):
        archive.event(f"p{made.id}")
    assert done.event_id not in {e.event_id for e in archive.events_after(0, 10_000)}
    assert hits(settings, "zebrafish") == 0
    # Edited again and republished, it is back under the same permalink.
    workflow.update(archive, made.id, made.content)
    workflow.publish(archive, made.id, BASE, now=T0)
    assert archive.event(f"p{made.id}").document.title == made.content.title


def _image(kind: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (55.0, 45.0, 0.0), 1: "N"}  # GPSInfo: latitude
    image.save(out, kind, exif=exif) if kind != "PNG" else image.save(out, kind)
    return out.getvalue()


def test_photos_are_stripped_and_checked(archive: Archive, shared_dir: Path) -> None:
    original = _image()
    assert b"SpyCam" in original
    processed = photos.process(original)
    assert b"SpyCam" not in processed.image and b"Exif" not in processed.image
    with Image.open(io.BytesIO(processed.image)) as back:
        assert not back.getexif() and back.size == (64, 48)
    with Image.open(io.BytesIO(processed.thumbnail)) as thumb:
        assert max(thumb.size) <= photos.THUMB_SIDE
    with pytest.raises(BadUpload, match="not an image"):
        photos.process(b"%PDF-1.4 not a picture")
    with pytest.raises(BadUpload, match="not accepted"):
        out = io.BytesIO()
        Image.new("RGB", (8, 8)).save(out, "GIF")
        photos.process(out.getvalue())
    made = workflow.create(archive, pasted(shared_dir))
    with_photo = workflow.add_photo(archive, made.id, original, "Caption", "Credit")
    photo = with_photo.photos[0]
    with pytest.raises(NotFound):
        workflow.photo_file(archive, photo.id, thumbnail=False, public=True)
    workflow.publish(archive, made.id, BASE, now=T0)
    kind, data = workflow.photo_file(archive, photo.id, thumbnail=True, public=True)
    assert kind == "image/jpeg" and data.startswith(b"\xff\xd8")
    shown = archive.event(f"p{made.id}").document.photos
    assert shown[0].url == f"{BASE}/photos/{photo.id}" and shown[0].credit == "Credit"


def test_decompression_bomb_refused() -> None:
    # A PNG whose header claims 20,000 x 20,000 pixels: tiny on disk, 400 megapixels decoded.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    data = out.getvalue()
    assert len(data) < 200_000
    with pytest.raises(BadUpload, match="decompression bomb"):
        photos.process(data)
