"""The life of a draft: written, sent for review, scheduled, published into the archive,
corrected in the open, withdrawn.

Every step is one write transaction of the archive, so the draft's state and what it did to the
archive commit together: a draft is never marked published without its event, nor an event
written for a draft that another process published a moment before (writers are serialised by
the archive's write lock, and each step re-reads the state under it). Who may take a step (an
editor writes, a publisher publishes) is the web layer's business; the states are checked here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import Connection

from ..archive import Archive
from ..archive import changes as change_log
from ..archive import people as people_rows
from ..archive.batch import BatchWriter, StoreResult
from ..archive.withdraw import add_correction, corrections_of, withdraw
from ..errors import Conflict, NotFound, QueryError
from ..ingest import catch_up_quietly, people_directory, resolve_key
from ..model import Document, Photo
from . import compose, rows
from .model import Draft, DraftContent, State
from .photos import process

#: States in which the content may still be edited in place (a published event is corrected).
EDITABLE = (State.DRAFT, State.IN_REVIEW, State.SCHEDULED, State.WITHDRAWN)
#: States from which a draft may be published or scheduled.
PUBLISHABLE = (State.DRAFT, State.IN_REVIEW, State.SCHEDULED, State.WITHDRAWN)
#: The permalink id of the event a draft becomes: a letter, as no publisher's ids start with.
ID_PREFIX = "p"
MAX_NOTE_CHARS = 2000


def _now(now: dt.datetime | None) -> dt.datetime:
    """The time of a step, to the second (a publication time is printed as it is)."""
    return (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)


def _expect(draft: Draft, allowed: Sequence[State], action: str) -> None:
    if draft.state not in allowed:
        wanted = ", ".join(s.value for s in allowed)
        raise Conflict(
            f"cannot {action} a draft that is {draft.state.value} (only {wanted})",
            document=f"draft {draft.id}",
        )


def draft(archive: Archive, draft_id: int) -> Draft:
    with archive.reading(primary=True) as conn:
        return rows.load(conn, draft_id)


def drafts(archive: Archive, states: tuple[State, ...] = ()) -> list[Draft]:
    with archive.reading(primary=True) as conn:
        return rows.load_all(conn, states)


def create(archive: Archive, content: DraftContent, user: str | None = None) -> Draft:
    compose.check(content)
    with archive.writing("a new draft") as conn:
        return rows.load(conn, rows.insert_draft(conn, content, user))


def update(
    archive: Archive, draft_id: int, content: DraftContent, user: str | None = None
) -> Draft:
    """Save the form. A withdrawn draft edited goes back to draft; a scheduled one stays due."""
    compose.check(content)
    with archive.writing(f"draft {draft_id}") as conn:
        found = rows.load(conn, draft_id)
        _expect(found, EDITABLE, "edit")
        state = State.DRAFT if found.state is State.WITHDRAWN else found.state
        rows.save(conn, draft_id, user, content=content, state=state)
        return rows.load(conn, draft_id)


def submit(archive: Archive, draft_id: int, user: str | None = None) -> Draft:
    """Send a draft for review."""
    return _move(archive, draft_id, (State.DRAFT,), State.IN_REVIEW, "send for review", user)


def reopen(archive: Archive, draft_id: int, user: str | None = None) -> Draft:
    """Take a draft back from review or from its schedule."""
    return _move(archive, draft_id, (State.IN_REVIEW, State.SCHEDULED), State.DRAFT, "reopen", user)


def _move(
    archive: Archive,
    draft_id: int,
    allowed: Sequence[State],
    to: State,
    action: str,
    user: str | None,
) -> Draft:
    with archive.writing(f"draft {draft_id}") as conn:
        _expect(rows.load(conn, draft_id), allowed, action)
        rows.save(conn, draft_id, user, state=to, publish_at=None)
        return rows.load(conn, draft_id)


def schedule(
    archive: Archive,
    draft_id: int,
    at: dt.datetime,
    public_base: str,
    user: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> Draft:
    """Publish at ``at`` (the scheduler does it then, on whichever node leads); a time that has
    come already publishes now."""
    if at.tzinfo is None:
        raise QueryError("the publication time needs a time zone")
    if at <= _now(now):
        return publish(archive, draft_id, public_base, user, now=now)
    with archive.writing(f"draft {draft_id}") as conn:
        found = rows.load(conn, draft_id)
        _expect(found, PUBLISHABLE, "schedule")
        _ready(found)
        rows.save(
            conn,
            draft_id,
            user,
            state=State.SCHEDULED,
            publish_at=rows.stamp(at),
            public_base=public_base,
        )
        return rows.load(conn, draft_id)


def publish(
    archive: Archive,
    draft_id: int,
    public_base: str | None = None,
    user: str | None = None,
    *,
    now: dt.datetime | None = None,
    due: bool = False,
) -> Draft:
    """Write the draft into the archive as an event (a new one, or a new revision of the one it
    was before it was withdrawn) and mark it published, in one transaction; ``due``: only if it
    is still scheduled (the scheduler's call, which another node may have beaten)."""
    at = _now(now)
    with archive.writing(f"draft {draft_id}") as conn:
        found = rows.load(conn, draft_id)
        _expect(found, (State.SCHEDULED,) if due else PUBLISHABLE, "publish")
        _ready(found)
        # Once published, an event keeps the base (so the source and URL) it was published under.
        kept = rows.public_base(conn, draft_id)
        base = (kept if found.source_id else None) or public_base or kept
        if not base:
            raise QueryError("publishing needs the public base URL of the site")
        doc = _document(found, base, at)
        result = _store(conn, archive, doc)
        rows.save(
            conn,
            draft_id,
            user,
            state=State.PUBLISHED,
            publish_at=at.timestamp(),
            public_base=base,
            event_id=result.event_id,
            source=doc.source,
            source_id=doc.source_id,
            reason=None,
        )
        published = rows.load(conn, draft_id)
    catch_up_quietly(archive)
    return published


def correct(
    archive: Archive,
    draft_id: int,
    content: DraftContent,
    note: str,
    user: str | None = None,
) -> Draft:
    """Change a published event: a new revision, with a public note saying what and why."""
    note = " ".join(note.split())
    if not note:
        raise QueryError("a correction needs a note that says what was corrected")
    if len(note) > MAX_NOTE_CHARS:
        raise QueryError(f"the note is longer than {MAX_NOTE_CHARS} characters")
    compose.check(content)
    with archive.writing(f"draft {draft_id}") as conn:
        found = rows.load(conn, draft_id)
        _expect(found, (State.PUBLISHED,), "correct")
        changed = dataclasses.replace(found, content=content)
        _ready(changed)
        base = rows.public_base(conn, draft_id) or ""
        doc = _document(changed, base, found.publish_at or _now(None))
        result = _store(conn, archive, doc)
        if result.status == "unchanged":
            raise Conflict("the correction changes nothing", document=f"draft {draft_id}")
        add_correction(conn, result.event_id, result.revision, note)
        rows.save(conn, draft_id, user, content=content)
        corrected = rows.load(conn, draft_id)
    catch_up_quietly(archive)
    return corrected


def unpublish(archive: Archive, draft_id: int, reason: str, user: str | None = None) -> Draft:
    """Take a published event off every page, search, feed, export and API answer."""
    reason = " ".join(reason.split())
    if not reason:
        raise QueryError("unpublishing needs a reason")
    with archive.writing(f"draft {draft_id}") as conn:
        found = rows.load(conn, draft_id)
        _expect(found, (State.PUBLISHED,), "unpublish")
        assert found.event_id is not None
        withdraw(conn, archive.backend, found.event_id, reason)
        rows.save(conn, draft_id, user, state=State.WITHDRAWN, reason=reason)
        withdrawn = rows.load(conn, draft_id)
    catch_up_quietly(archive)
    return withdrawn


def due_now(archive: Archive, now: dt.datetime | None = None) -> list[int]:
    """The scheduled drafts whose time has come, the earliest first."""
    with archive.reading(primary=True) as conn:
        return rows.due(conn, _now(now))


def publish_due(archive: Archive, now: dt.datetime | None = None) -> list[int]:
    """Publish every scheduled draft whose time has come; the ids published. A draft that fails
    (another node published it first, its content no longer passes) is left as it is."""
    at = _now(now)
    done = []
    for draft_id in due_now(archive, at):
        try:
            publish(archive, draft_id, now=at, due=True)
        except (Conflict, NotFound, QueryError):
            continue
        done.append(draft_id)
    return done


def corrections(
    archive: Archive, event_id: int, upto: int | None = None
) -> list[dict[str, object]]:
    """The public correction notes of a stored event, oldest first (up to revision ``upto``:
    an older revision's page does not announce corrections made after it)."""
    with archive.reading() as conn:
        return [
            {"revision": revision, "note": note, "corrected": when}
            for revision, note, when in corrections_of(conn, event_id)
            if upto is None or revision <= upto
        ]


def add_photo(
    archive: Archive,
    draft_id: int,
    data: bytes,
    caption: str | None,
    credit: str | None,
    *,
    name: str = "the upload",
) -> Draft:
    """Attach a checked, re-encoded photo (see :mod:`.photos`) to a draft being written."""
    processed = process(data, name)
    with archive.writing(f"draft {draft_id}") as conn:
        _expect(rows.load(conn, draft_id), EDITABLE, "add a photo to")
        rows.add_photo(conn, draft_id, processed, caption or None, credit or None)
        return rows.load(conn, draft_id)


def photo_file(
    archive: Archive, photo_id: int, *, thumbnail: bool, public: bool
) -> tuple[str, bytes]:
    """(media type, bytes) of a photo; ``public``: only a published draft's, else NotFound, the
    answer a photo that does not exist gets."""
    with archive.reading(primary=True) as conn:
        _, media_type, state, data = rows.photo_file(conn, photo_id, thumbnail)
    if public and state is not State.PUBLISHED:
        raise NotFound(f"no photo {photo_id}")
    return media_type, data


# --- inside a write transaction ---------------------------------------------------------------


def _ready(found: Draft) -> None:
    if not found.content.title.strip():
        raise QueryError("an event needs a title", document=f"draft {found.id}")


def _document(found: Draft, base: str, published: dt.datetime) -> Document:
    source_id = found.source_id or f"{ID_PREFIX}{found.id}"
    base = base.rstrip("/")
    photos = tuple(
        Photo(p.caption, p.credit, f"{base}/photos/{p.id}", i, len(found.photos))
        for i, p in enumerate(found.photos, 1)
    )
    return compose.document(
        found.content,
        source=urlsplit(base).hostname or base,
        source_id=source_id,
        url=f"{base}/events/{source_id}",
        published=published,
        photos=photos,
    )


def _store(conn: Connection, archive: Archive, doc: Document) -> StoreResult:
    """Store ``doc`` with its people resolved, and the persons that made new, in ``conn``.

    The directory is read here, under the write lock that ``conn`` holds, so that no other
    writer can add a person between reading it and saving what resolving changed (a stale
    directory would write its own version of a person over the newer one)."""
    directory = people_directory(archive)
    people = directory.resolve(doc, resolve_key(doc))
    persons = directory.changed()
    if persons:
        people_rows.save_persons(conn, persons)
        change_log.append(conn, archive.backend, [change_log.NO_EVENT], "persons")
    return BatchWriter(conn, archive.backend).write([(doc, people)])[0]
