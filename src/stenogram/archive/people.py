"""People in the archive: Popolo-like rows written and read back as :class:`Person` objects.

A person is replaced as a whole (names, memberships, publisher keys) whenever the resolve stage
hands it over again, because the resolver, not the archive, decides what a person is.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, union, update

from ..model import Membership, NameForm, Override, Person
from ..parse.common import normalize_space
from ..resolve import Mention
from .schema import (
    events,
    memberships,
    participants,
    people,
    person_keys,
    person_names,
    person_overrides,
    speeches,
)


def save_persons(conn: Connection, persons: Sequence[Person]) -> None:
    """Upsert ``persons`` inside the caller's transaction."""
    ids = [p.id for p in persons]
    if not ids:
        return
    existing: set[str] = set(conn.scalars(select(people.c.id).where(people.c.id.in_(ids))))
    for table in (person_names, memberships):
        conn.execute(delete(table).where(table.c.person_id.in_(ids)))
    keys = [key for p in persons for key in p.publisher_ids]
    conn.execute(
        delete(person_keys).where(person_keys.c.person_id.in_(ids) | person_keys.c.key.in_(keys))
    )
    # One executemany each: a batch touches a few hundred persons (everyone who spoke).
    renamed = [{"pid": p.id, "pname": p.name} for p in persons if p.id in existing]
    if renamed:
        conn.execute(
            update(people).where(people.c.id == bindparam("pid")).values(name=bindparam("pname")),
            renamed,
        )
    added = [{"id": p.id, "name": p.name} for p in persons if p.id not in existing]
    if added:
        conn.execute(insert(people), added)
    names = [
        {"person_id": p.id, "position": i, "text": n.text, "kind": n.kind, "language": n.language}
        for p in persons
        for i, n in enumerate(p.names, 1)
    ]
    roles = [
        {
            "person_id": p.id,
            "position": i,
            "role": m.role,
            "first_seen": m.first_seen,
            "last_seen": m.last_seen,
            "count": m.count,
        }
        for p in persons
        for i, m in enumerate(p.memberships, 1)
    ]
    # A key names one person: if two persons claim it, the later one in the batch wins.
    owners = {key: p.id for p in persons for key in p.publisher_ids}
    for table, rows in (
        (person_names, names),
        (memberships, roles),
        (person_keys, [{"key": k, "person_id": pid} for k, pid in owners.items()]),
    ):
        if rows:
            conn.execute(insert(table), rows)


def load_persons(conn: Connection) -> list[Person]:
    names: defaultdict[str, list[NameForm]] = defaultdict(list)
    for row in conn.execute(select(person_names).order_by(person_names.c.position)):
        names[row.person_id].append(NameForm(row.text, row.kind, row.language))
    roles: defaultdict[str, list[Membership]] = defaultdict(list)
    for row in conn.execute(select(memberships).order_by(memberships.c.position)):
        roles[row.person_id].append(
            Membership(row.role, row.first_seen, row.last_seen, row._mapping["count"])
        )
    keys: defaultdict[str, list[str]] = defaultdict(list)
    for row in conn.execute(select(person_keys).order_by(person_keys.c.key)):
        keys[row.person_id].append(row.key)
    return [
        Person(row.id, row.name, tuple(names[row.id]), tuple(roles[row.id]), tuple(keys[row.id]))
        for row in conn.execute(select(people).order_by(people.c.id))
    ]


def mention_key(source: str, key: str) -> str:
    """How a document is named to the resolver: its event identity, the same in every revision."""
    return f"{source}|{key}"


def load_mentions(conn: Connection) -> list[Mention]:
    """Every stored mention with a role, one per person, name form, role and event: what a
    directory rebuilds memberships from (see :class:`~stenogram.resolve.Mention`)."""
    said = [
        select(table.c.event_id, table.c.person_id, column, table.c.role)
        .where(table.c.person_id.is_not(None), table.c.role.is_not(None))
        .distinct()
        for table, column in ((speeches, speeches.c.speaker), (participants, participants.c.name))
    ]
    mentioned = union(*said).subquery()
    rows = conn.execute(
        select(mentioned, events.c.source, events.c.key, events.c.date).join(
            events, events.c.id == mentioned.c.event_id
        )
    )
    found: list[Mention] = []
    for row in rows:
        values: tuple[Any, ...] = tuple(row)
        _event, person_id, text, role, source, key, date = values
        role = normalize_space(role)
        if role and text:
            doc = mention_key(source, key)
            found.append(Mention(person_id, normalize_space(text), role, date, doc))
    return found


def delete_persons(conn: Connection, ids: Sequence[str]) -> None:
    """Remove persons a merge folded away (their keys went to the person they joined)."""
    if not ids:
        return
    for table in (person_names, memberships, person_keys):
        conn.execute(delete(table).where(table.c.person_id.in_(ids)))
    conn.execute(delete(people).where(people.c.id.in_(ids)))


def add_override(conn: Connection, override: Override, now: str) -> None:
    conn.execute(
        insert(person_overrides).values(
            action=override.action,
            person_id=override.person_id,
            other_id=override.other_id,
            names=json.dumps(list(override.names), ensure_ascii=False),
            created=now,
        )
    )


def load_overrides(conn: Connection) -> list[Override]:
    return [
        Override(row.action, row.person_id, row.other_id, tuple(json.loads(row.names)))
        for row in conn.execute(select(person_overrides).order_by(person_overrides.c.id))
    ]


def reroute(conn: Connection, override: Override) -> set[int]:
    """Point the stored mentions an override moves at their new person; return the events.

    A merge moves every mention of ``other_id``; a split the mentions of ``person_id`` printed
    as one of ``names`` (compared as the resolver does, whitespace normalised), which is how the
    directory routes them on every later ingest.
    """
    touched: set[int] = set()
    names = set(override.names)
    for table, column in ((speeches, speeches.c.speaker), (participants, participants.c.name)):
        source = override.other_id if override.action == "merge" else override.person_id
        target = override.person_id if override.action == "merge" else override.other_id
        rows = conn.execute(
            select(table.c.event_id, table.c.position, column).where(table.c.person_id == source)
        ).all()
        moved = [
            {"e": row.event_id, "p": row.position, "v": target}
            for row in rows
            if override.action == "merge" or normalize_space(row[2] or "") in names
        ]
        if moved:
            conn.execute(
                update(table)
                .where(table.c.event_id == bindparam("e"), table.c.position == bindparam("p"))
                .values(person_id=bindparam("v")),
                moved,
            )
            touched.update(row["e"] for row in moved)
    return touched
