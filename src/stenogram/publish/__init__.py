"""Publishing: the press office's side. Drafts are written in the editor, reviewed, scheduled
and published into the archive as ordinary events; published events are corrected openly and
can be withdrawn.

Drafts live in their own tables (see :mod:`stenogram.archive.schema`), which no reader path
reads: an event exists for readers only once :func:`.workflow.publish` has written it through the
archive's normal store, in the same transaction that marks the draft published.
"""

from __future__ import annotations

from .model import Draft, DraftContent, DraftPhoto, State
from .workflow import (
    correct,
    corrections,
    create,
    draft,
    drafts,
    publish,
    publish_due,
    schedule,
    submit,
    unpublish,
    update,
)

__all__ = [
    "Draft",
    "DraftContent",
    "DraftPhoto",
    "State",
    "correct",
    "corrections",
    "create",
    "draft",
    "drafts",
    "publish",
    "publish_due",
    "schedule",
    "submit",
    "unpublish",
    "update",
]
