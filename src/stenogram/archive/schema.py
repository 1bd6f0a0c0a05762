"""The archive's tables, in SQLAlchemy Core, portable to PostgreSQL.

The tables are deliberately plain (one row per printed thing, foreign keys spelled out, text kept
as text) so that the SQLite file opens usefully in Datasette and the same definitions run on
PostgreSQL in server mode. Only portable types are used; timestamps with an offset are kept as ISO
text because SQLite would drop the offset. ``revisions.record`` holds the full JSON of every
revision: the other event tables are the *current* revision, spread out for querying, and can
always be rebuilt from it.

Any change here needs a new Alembic revision in ``migrations/versions`` (a test compares both).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: Key/value facts about the archive itself: the change counter ``seq``.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Publishers (``en.kremlin.ru``), so that Datasette can facet events by source.
sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("language", String(16)),
    Column("first_seen", String(40), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(200), ForeignKey("sources.name"), nullable=False),
    # The identity of the event within its source: source_id, else the URL, else a content key.
    Column("key", String(300), nullable=False),
    Column("source_id", String(200)),
    Column("url", Text),
    Column("language", String(16), nullable=False),
    Column("format", String(64), nullable=False),
    Column("category", Text),
    Column("title", Text, nullable=False),
    Column("summary", Text),
    Column("date", Date),
    Column("time", String(5)),
    Column("place", Text),
    Column("published", String(40)),
    Column("omissions", Integer, nullable=False, default=0),
    Column("speech_count", Integer, nullable=False, default=0),
    Column("word_count", Integer, nullable=False, default=0),
    Column("revision", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
    UniqueConstraint("source", "key", name="uq_events_source_key"),
    Index("ix_events_source_id", "source_id"),
    Index("ix_events_date", "date"),
    Index("ix_events_seq", "seq"),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("stored", String(40), nullable=False),
    Column("origin", Text),
    Column("record", Text, nullable=False),
    # JSON list of the speech ids of this revision, in order, so old permalinks stay resolvable.
    Column("speech_ids", Text, nullable=False),
    UniqueConstraint("event_id", "number", name="uq_revisions_event_number"),
)

speeches = Table(
    "speeches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("attribution", Text),
    Column("speaker", Text),
    Column("role", Text),
    Column("person_id", String(200)),
    Column("publisher_person_id", String(200)),
    Column("text", Text, nullable=False),
    Column("words", Integer, nullable=False),
    Column("key", String(64), nullable=False),
    UniqueConstraint("event_id", "position", name="uq_speeches_event_position"),
    Index("ix_speeches_speaker", "speaker"),
    Index("ix_speeches_person_id", "person_id"),
    # Speech ids are never reused, even after a speech disappears in a later revision.
    sqlite_autoincrement=True,
)

participants = Table(
    "participants",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", Text),
    Column("person_id", String(200)),
    Column("publisher_person_id", String(200)),
    Index("ix_participants_person_id", "person_id"),
)

narrative = Table(
    "narrative",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    # How many speeches come before this text (model.Narrative.position).
    Column("after_speech", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
)

photos = Table(
    "photos",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("number", Integer),
    Column("total", Integer),
    Column("caption", Text),
    Column("credit", Text),
    Column("url", Text),
)

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(200), ForeignKey("sources.name"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(300), nullable=False),
    Column("publisher_id", String(200)),
    Column("url", Text),
    UniqueConstraint("source", "kind", "name", name="uq_tags_source_kind_name"),
)

event_tags = Table(
    "event_tags",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id"), primary_key=True),
    Column("position", Integer, nullable=False),
    Index("ix_event_tags_tag_id", "tag_id"),
)

sections = Table(
    "sections",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Index("ix_sections_name", "name"),
)

people = Table(
    "people",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
)

person_names = Table(
    "person_names",
    metadata,
    Column("person_id", String(200), ForeignKey("people.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    Index("ix_person_names_text", "text"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("person_id", String(200), ForeignKey("people.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("role", Text, nullable=False),
    Column("first_seen", Date),
    Column("last_seen", Date),
    Column("count", Integer, nullable=False),
)

#: Publisher ids of a person (``en.kremlin.ru:119``): how a linked tag finds its person.
person_keys = Table(
    "person_keys",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("person_id", String(200), ForeignKey("people.id"), nullable=False),
    Index("ix_person_keys_person_id", "person_id"),
)

#: Hand fixes of the resolve stage (``persons merge``/``split``), in the order they were made.
#: They are kept apart from ``people`` (which is derived and rewritten by every ingest) so that a
#: re-ingest, or a rebuild of the people from the stored documents, replays them.
person_overrides = Table(
    "person_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action", String(16), nullable=False),
    Column("person_id", String(200), nullable=False),
    Column("other_id", String(200), nullable=False),
    # JSON list of the name forms a split moves (empty for a merge).
    Column("names", Text, nullable=False),
    Column("created", String(40), nullable=False),
)

#: What the crawler fetched: one row per distinct body of a URL (the body itself is a file in
#: ``raw/`` named by its SHA-256), so a page that changes keeps every version it had, and a
#: parser fix is applied by re-parsing these (``stenogram reparse``) without fetching again.
raw_responses = Table(
    "raw_responses",
    metadata,
    Column("id", Integer, primary_key=True),
    # The crawler source (adapter) that fetched it, and whether it is an item or a listing.
    Column("source", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("url", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    # When this body was last fetched or confirmed unchanged (a 304).
    Column("fetched_at", String(40), nullable=False),
    Column("status", Integer, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("content_type", Text),
    Column("size", Integer, nullable=False),
    UniqueConstraint("url", "sha256", name="uq_raw_responses_url_sha256"),
    Index("ix_raw_responses_url", "url"),
)

#: Where each source's crawl stands (JSON), so that an interrupted crawl resumes there.
crawl_state = Table(
    "crawl_state",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated", String(40), nullable=False),
)

#: The crawl frontier: every listing page and item a source's current crawl has to fetch, shared
#: by all the ``stenogram crawl`` processes of that source on one database. A process claims a
#: row by leasing it (owner and expiry); a lease that runs out (its crawler was killed) makes the
#: row claimable again. Times are seconds since the epoch on the database's clock.
frontier = Table(
    "frontier",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(64), nullable=False),
    Column("url", Text, nullable=False),
    # "listing" (a page listing items) or "item" (an event page); items are taken first.
    Column("kind", String(16), nullable=False),
    # The date the listing gave the item (ISO), if it gave one.
    Column("listed_date", String(10)),
    # queued, leased, done or failed.
    Column("state", String(16), nullable=False),
    Column("lease_owner", String(200)),
    Column("lease_until", Float),
    # How many times it was claimed: a page that outlives its crawlers too often is given up.
    Column("attempts", Integer, nullable=False),
    # What the last attempt ended with (done, out of range, the reason it failed).
    Column("last_status", Text),
    UniqueConstraint("source", "url", name="uq_frontier_source_url"),
    Index("ix_frontier_source_state", "source", "state"),
)

#: Per host, when the last request to it (by any crawler of the database) was due, and the delay
#: that was kept before it: the per-host delay holds across processes and machines.
frontier_hosts = Table(
    "frontier_hosts",
    metadata,
    Column("host", String(255), primary_key=True),
    Column("last_request_at", Float, nullable=False),
    Column("crawl_delay", Float, nullable=False),
)

#: The same item published in two languages (kremlin.ru and en.kremlin.ru share item ids): one
#: row each way, so either side finds the other with one lookup. Derived by the pairing step of
#: ingest (:mod:`stenogram.translations`) and rewritten whenever either side gets a revision.
event_translations = Table(
    "event_translations",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("other_event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("paired", String(40), nullable=False),
)

#: Which speech of one language renders which speech of the other, one row each way. No foreign
#: key on the speech ids: a revision deletes and re-inserts an event's speeches (keeping the ids
#: of unchanged turns), and the pairing that follows it rewrites these rows.
speech_translations = Table(
    "speech_translations",
    metadata,
    Column("speech_id", Integer, primary_key=True),
    Column("other_speech_id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("other_event_id", Integer, ForeignKey("events.id"), nullable=False),
    # How sure the alignment is (0..1): speaker agreement, relative position and length.
    Column("confidence", Float, nullable=False),
    Index("ix_speech_translations_event_id", "event_id"),
)

#: The change log: one row per change to an event, appended in the transaction that made it,
#: numbered by the ``seq`` counter in commit order (see :mod:`.changes`). Every search index and
#: response cache follows it. No foreign key: a deleted event's change must outlive its row.
changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("event_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    # Seconds since the epoch: what an index's lag in seconds is measured from.
    Column("committed_at", Float, nullable=False),
)

#: Events being written in the editor (:mod:`stenogram.publish`). Kept apart from ``events`` so
#: that no reader path (pages, search, feeds, exports, API) can see a draft: only publishing writes
#: an event, through the normal store. ``content`` is the editor's JSON (every field of the form);
#: ``state`` is draft, in_review, scheduled, published or withdrawn. The event it became, and the
#: source, id and URL it was published under, stay fixed so that a correction is a new revision of
#: the same event. ``publish_at`` (seconds since the epoch) is when a scheduled draft is due.
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("publish_at", Float),
    Column("public_base", Text),
    Column("event_id", Integer),
    Column("source", String(200)),
    Column("source_id", String(200)),
    Column("reason", Text),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
    Column("created_by", String(200)),
    Column("updated_by", String(200)),
    Index("ix_drafts_state_publish_at", "state", "publish_at"),
)

#: A draft's photos: the re-encoded image (metadata stripped) and its thumbnail, in the database
#: so that every node serves them. Served to readers only once their draft is published.
draft_photos = Table(
    "draft_photos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("drafts.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("caption", Text),
    Column("credit", Text),
    Column("media_type", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("image", LargeBinary, nullable=False),
    Column("thumbnail", LargeBinary, nullable=False),
    Index("ix_draft_photos_draft_id", "draft_id"),
)

#: The public note of each correction of a published event ("corrected on ..."): one row per
#: revision the publisher made after the first.
corrections = Table(
    "corrections",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=False),
    Column("revision", Integer, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
    Column("corrected", String(40), nullable=False),
)

#: Events taken off the archive (unpublished): their identity, the reason, and every revision's
#: record, so that nothing stored is lost although no reader can reach them any more.
withdrawals = Table(
    "withdrawals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, nullable=False),
    Column("source", String(200), nullable=False),
    Column("key", String(300), nullable=False),
    Column("reason", Text, nullable=False),
    Column("withdrawn", String(40), nullable=False),
    # JSON list of every revision's record, oldest first.
    Column("revisions", Text, nullable=False),
    Index("ix_withdrawals_event_id", "event_id"),
)

#: Tables that hold one event's current revision, cleared and rewritten on each new revision.
EVENT_PARTS = (speeches, participants, narrative, photos, event_tags, sections)

#: People who log in to the web app (:mod:`stenogram.accounts`). ``role`` is the number of
#: :class:`stenogram.accounts.Role`; ``password`` an argon2 hash (PHC string), never the password.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("password", Text, nullable=False),
    Column("role", Integer, nullable=False),
    Column("created", String(40), nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    UniqueConstraint("name", name="uq_users_name"),
)

#: Logged-in browser sessions. The cookie holds the token; only its SHA-256 is kept here, so a
#: copy of the database opens no session. Times are seconds since the epoch (database clock).
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Index("ix_user_sessions_user_id", "user_id"),
)

#: Failed log-ins, one row each, per account name and per client address: the rate limit
#: counts them in a window, in the database so that every worker process and node agrees.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    # "account" or "address".
    Column("scope", String(16), nullable=False),
    Column("key", String(200), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_login_failures_scope", "scope", "key", "at"),
)

#: Every write, by whom: a user (``user_id`` and ``actor``), the admin token or the command line
#: (``via``), when (ISO, UTC), what (``action`` on ``target``) and a short ``detail``.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(40), nullable=False),
    Column("user_id", Integer),
    Column("actor", String(100), nullable=False),
    Column("via", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_audit_log_at", "at"),
)
