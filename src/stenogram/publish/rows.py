"""The draft tables, read and written inside a caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import Connection, RowMapping, func, insert, select, update

from ..archive import records
from ..archive.schema import draft_photos, drafts
from ..errors import NotFound
from .model import Draft, DraftContent, DraftPhoto, State
from .photos import Processed

_PHOTO_COLUMNS = (
    draft_photos.c.id,
    draft_photos.c.position,
    draft_photos.c.caption,
    draft_photos.c.credit,
    draft_photos.c.media_type,
    draft_photos.c.width,
    draft_photos.c.height,
)


def stamp(at: dt.datetime | None) -> float | None:
    return at.timestamp() if at else None


def moment(seconds: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds is not None else None


def load(conn: Connection, draft_id: int) -> Draft:
    row = conn.execute(select(drafts).where(drafts.c.id == draft_id)).mappings().first()
    if row is None:
        raise NotFound(f"no draft {draft_id}")
    return _draft(row, photos_of(conn, draft_id))


def load_all(conn: Connection, states: tuple[State, ...] = ()) -> list[Draft]:
    query = select(drafts).order_by(drafts.c.updated.desc(), drafts.c.id.desc())
    if states:
        query = query.where(drafts.c.state.in_([s.value for s in states]))
    return [_draft(row, ()) for row in conn.execute(query).mappings()]


def due(conn: Connection, now: dt.datetime) -> list[int]:
    """Scheduled drafts whose time has come, the earliest first."""
    return list(
        conn.scalars(
            select(drafts.c.id)
            .where(drafts.c.state == State.SCHEDULED.value, drafts.c.publish_at <= now.timestamp())
            .order_by(drafts.c.publish_at, drafts.c.id)
        )
    )


def _draft(row: RowMapping, photos: tuple[DraftPhoto, ...]) -> Draft:
    return Draft(
        id=int(row["id"]),
        state=State(row["state"]),
        content=DraftContent.from_dict(orjson.loads(row["content"])),
        created=row["created"],
        updated=row["updated"],
        created_by=row["created_by"],
        updated_by=row["updated_by"],
        publish_at=moment(row["publish_at"]),
        event_id=row["event_id"],
        source_id=row["source_id"],
        reason=row["reason"],
        photos=photos,
    )


def insert_draft(conn: Connection, content: DraftContent, user: str | None) -> int:
    now = records.now()
    result = conn.execute(
        insert(drafts).values(
            state=State.DRAFT.value,
            content=_json(content),
            created=now,
            updated=now,
            created_by=user,
            updated_by=user,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def save(conn: Connection, draft_id: int, user: str | None, **values: Any) -> None:
    """Update a draft's columns (``content`` as a :class:`DraftContent`), stamping who and when."""
    if isinstance(values.get("content"), DraftContent):
        values["content"] = _json(values["content"])
    if isinstance(values.get("state"), State):
        values["state"] = values["state"].value
    conn.execute(
        update(drafts)
        .where(drafts.c.id == draft_id)
        .values(updated=records.now(), updated_by=user, **values)
    )


def public_base(conn: Connection, draft_id: int) -> str | None:
    found: str | None = conn.scalar(select(drafts.c.public_base).where(drafts.c.id == draft_id))
    return found


def _json(content: DraftContent) -> str:
    return orjson.dumps(content.to_dict()).decode()


# --- photos -----------------------------------------------------------------------------------


def photos_of(conn: Connection, draft_id: int) -> tuple[DraftPhoto, ...]:
    rows = conn.execute(
        select(*_PHOTO_COLUMNS)
        .where(draft_photos.c.draft_id == draft_id)
        .order_by(draft_photos.c.position, draft_photos.c.id)
    )
    return tuple(
        DraftPhoto(
            int(r.id), int(r.position), r.caption, r.credit, str(r.media_type), r.width, r.height
        )
        for r in rows
    )


def add_photo(
    conn: Connection, draft_id: int, photo: Processed, caption: str | None, credit: str | None
) -> int:
    last = conn.scalar(
        select(func.max(draft_photos.c.position)).where(draft_photos.c.draft_id == draft_id)
    )
    result = conn.execute(
        insert(draft_photos).values(
            draft_id=draft_id,
            position=int(last or 0) + 1,
            caption=caption,
            credit=credit,
            media_type=photo.media_type,
            width=photo.width,
            height=photo.height,
            image=photo.image,
            thumbnail=photo.thumbnail,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def photo_file(conn: Connection, photo_id: int, thumbnail: bool) -> tuple[int, str, State, bytes]:
    """(draft id, media type, the draft's state, the bytes) of one photo."""
    column = draft_photos.c.thumbnail if thumbnail else draft_photos.c.image
    row = conn.execute(
        select(draft_photos.c.draft_id, draft_photos.c.media_type, drafts.c.state, column)
        .join(drafts, drafts.c.id == draft_photos.c.draft_id)
        .where(draft_photos.c.id == photo_id)
    ).first()
    if row is None:
        raise NotFound(f"no photo {photo_id}")
    return int(row[0]), str(row[1]), State(row[2]), bytes(row[3])
