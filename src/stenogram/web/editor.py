"""The editor: the press office's pages for writing, reviewing, publishing and correcting events.

Editors write drafts and send them for review; publishers also publish, schedule, correct and
unpublish (:mod:`stenogram.publish` keeps the states; the roles are checked here with
:func:`.auth.require`). Every form carries its CSRF token, every write is noted in the audit log,
and every answer is ``no-store``: these pages show drafts, which no cache may keep. Each page's
data comes from :func:`editor_page`, which its JSON twin serialises as it is.

The transcript preview is rendered by the server (``POST /editor/preview``): without script the
"Preview" button posts the whole form and gets the page back with the preview filled; with the
vendored htmx the transcript field posts it as the editor types and swaps in the preview only.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from ..accounts import Role, User, record_audit
from ..archive import Archive
from ..errors import QueryError
from ..ingest import people_directory
from ..model import TAG_KINDS
from ..publish import State, compose, forms, workflow
from ..publish.model import Draft, DraftContent
from ..publish.photos import MAX_BYTES
from .auth import check_csrf, require
from .respond import archive_of, public_base, render

router = APIRouter(include_in_schema=False)
Editor = Annotated[User, Depends(require(Role.EDITOR))]
Publisher = Annotated[User, Depends(require(Role.PUBLISHER))]
DraftId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PhotoId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_NO_STORE: Final = {"cache-control": "no-store"}
#: Existing names of each tag kind offered as suggestions in the form.
VOCABULARY: Final = 300
_CSRF: Final = [Depends(check_csrf)]


def editor_page(
    archive: Archive,
    user: User,
    found: Draft | None,
    content: DraftContent,
    *,
    preview: bool = True,
) -> dict[str, Any]:
    """What the draft page shows: the form's values, the draft's state and what the user may do
    with it, the vocabularies to pick tags and sections from, and the transcript's preview."""
    state = found.state if found else State.DRAFT
    can_publish = user.role >= Role.PUBLISHER
    return {
        "user": user.name,
        "can_publish": can_publish,
        "draft": found.to_dict() if found else None,
        "state": state.value,
        "form": forms.form_values(content),
        "sections": _sections(archive, content),
        "vocabulary": {
            kind: [name for name, _ in archive.tag_counts(kind, limit=VOCABULARY)[1]]
            for kind in TAG_KINDS
        },
        "actions": _actions(state, can_publish) if found else [],
        "preview": _preview(archive, content).to_dict() if preview else None,
    }


def _sections(archive: Archive, content: DraftContent) -> list[dict[str, Any]]:
    names = [name for name, _ in archive.section_counts()]
    names += [name for name in content.sections if name not in names]
    return [{"name": name, "checked": name in content.sections} for name in names]


def _actions(state: State, can_publish: bool) -> list[str]:
    found = {
        State.DRAFT: ["submit"],
        State.IN_REVIEW: ["reopen"],
        State.SCHEDULED: ["reopen"],
        State.PUBLISHED: [],
        State.WITHDRAWN: [],
    }[state]
    if can_publish and state in workflow.PUBLISHABLE:
        found += ["publish", "schedule"]
    if can_publish and state is State.PUBLISHED:
        found += ["correct", "unpublish"]
    return found


def _preview(archive: Archive, content: DraftContent) -> compose.Preview:
    directory = people_directory(archive)
    known = frozenset(person.id for person in directory.persons())
    return compose.preview(content, directory, known)


def _page(request: Request, found: dict[str, Any], template: str = "editor.html") -> Response:
    response = render(request, template, found)
    response.headers.update(_NO_STORE)
    return response


def _back(draft_id: int) -> Response:
    return RedirectResponse(f"/editor/drafts/{draft_id}", 303)


async def _form(request: Request) -> tuple[FormData, dict[str, str]]:
    form = await request.form()
    return form, {k: v for k, v in form.items() if isinstance(v, str)}


def _posted_draft(archive: Archive, fields: dict[str, str]) -> Draft | None:
    """The draft a form posted to the preview or the paste belongs to (None: a new one)."""
    value = fields.get("draft_id", "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 10:
        raise QueryError(f"no draft {value!r}")
    return workflow.draft(archive, int(value))


def _content(form: FormData, fields: dict[str, str]) -> DraftContent:
    ticked = tuple(v for v in form.getlist("sections") if isinstance(v, str))
    return forms.content_from_form(fields, ticked)


async def _write(archive: Archive, user: User, action: str, draft_id: int, call: Any) -> Draft:
    """Run a workflow step off the event loop, then note it in the audit log."""
    done: Draft = await run_in_threadpool(call)
    await run_in_threadpool(record_audit, archive, user, action, f"draft {draft_id}")
    return done


# --- pages ------------------------------------------------------------------------------------


@router.get("/editor")
async def home(request: Request, user: Editor) -> Response:
    listed = workflow.drafts(archive_of(request))
    found = {"user": user.name, "drafts": [d.to_dict() for d in listed]}
    return _page(request, found, "editor_list.html")


@router.get("/editor/new")
async def new(request: Request, user: Editor) -> Response:
    content = DraftContent()
    return _page(request, editor_page(archive_of(request), user, None, content, preview=False))


@router.get("/editor/drafts/{draft_id}")
async def show(request: Request, user: Editor, draft_id: DraftId) -> Response:
    archive = archive_of(request)
    found = workflow.draft(archive, draft_id)
    return _page(request, editor_page(archive, user, found, found.content))


@router.post("/editor/fill", dependencies=_CSRF)
async def fill(request: Request, user: Editor) -> Response:
    """A pasted text version fills the form (nothing is saved until the editor saves)."""
    _, fields = await _form(request)
    pasted = fields.get("text_version", "")
    if not pasted.strip():
        raise QueryError("paste a text version first", document=request.url.path)
    content = compose.from_text_version(pasted.encode("utf-8"))
    archive = archive_of(request)
    return _page(request, editor_page(archive, user, _posted_draft(archive, fields), content))


@router.post("/editor/preview", dependencies=_CSRF)
async def preview(request: Request, user: Editor) -> Response:
    """The form as posted, with the transcript's preview (htmx swaps in ``#preview`` only)."""
    form, fields = await _form(request)
    archive = archive_of(request)
    found = _posted_draft(archive, fields)
    return _page(request, editor_page(archive, user, found, _content(form, fields)))


# --- writes -----------------------------------------------------------------------------------


@router.post("/editor/new", dependencies=_CSRF)
async def create(request: Request, user: Editor) -> Response:
    form, fields = await _form(request)
    content = _content(form, fields)
    archive = archive_of(request)
    made: Draft = await run_in_threadpool(workflow.create, archive, content, user.name)
    await run_in_threadpool(record_audit, archive, user, "draft.create", f"draft {made.id}")
    return _back(made.id)


@router.post("/editor/drafts/{draft_id}", dependencies=_CSRF)
async def save(request: Request, user: Editor, draft_id: DraftId) -> Response:
    form, fields = await _form(request)
    archive = archive_of(request)
    call = partial(workflow.update, archive, draft_id, _content(form, fields), user.name)
    await _write(archive, user, "draft.save", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/submit", dependencies=_CSRF)
async def submit(request: Request, user: Editor, draft_id: DraftId) -> Response:
    archive = archive_of(request)
    call = partial(workflow.submit, archive, draft_id, user.name)
    await _write(archive, user, "draft.submit", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/reopen", dependencies=_CSRF)
async def reopen(request: Request, user: Editor, draft_id: DraftId) -> Response:
    archive = archive_of(request)
    call = partial(workflow.reopen, archive, draft_id, user.name)
    await _write(archive, user, "draft.reopen", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/photos", dependencies=_CSRF)
async def add_photo(request: Request, user: Editor, draft_id: DraftId) -> Response:
    form, fields = await _form(request)
    upload = form.get("photo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise QueryError("choose a photo to upload", document=request.url.path)
    body = await upload.read(MAX_BYTES + 1)
    archive = archive_of(request)
    call = partial(
        workflow.add_photo,
        archive,
        draft_id,
        body,
        fields.get("caption", "").strip(),
        fields.get("credit", "").strip(),
        name=upload.filename,
    )
    await _write(archive, user, "draft.photo", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/publish", dependencies=_CSRF)
async def publish(request: Request, user: Publisher, draft_id: DraftId) -> Response:
    archive = archive_of(request)
    call = partial(workflow.publish, archive, draft_id, public_base(request), user.name)
    await _write(archive, user, "draft.publish", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/schedule", dependencies=_CSRF)
async def schedule(request: Request, user: Publisher, draft_id: DraftId) -> Response:
    _, fields = await _form(request)
    at = forms.moment(fields.get("publish_at", ""))
    archive = archive_of(request)
    call = partial(workflow.schedule, archive, draft_id, at, public_base(request), user.name)
    await _write(archive, user, "draft.schedule", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/correct", dependencies=_CSRF)
async def correct(request: Request, user: Publisher, draft_id: DraftId) -> Response:
    form, fields = await _form(request)
    archive = archive_of(request)
    note = fields.get("note", "")
    call = partial(workflow.correct, archive, draft_id, _content(form, fields), note, user.name)
    await _write(archive, user, "event.correct", draft_id, call)
    return _back(draft_id)


@router.post("/editor/drafts/{draft_id}/unpublish", dependencies=_CSRF)
async def unpublish(request: Request, user: Publisher, draft_id: DraftId) -> Response:
    _, fields = await _form(request)
    archive = archive_of(request)
    reason = fields.get("reason", "")
    call = partial(workflow.unpublish, archive, draft_id, reason, user.name)
    await _write(archive, user, "event.unpublish", draft_id, call)
    return _back(draft_id)


# --- photos -----------------------------------------------------------------------------------


def _image(media_type: str, body: bytes, *, private: bool) -> Response:
    response = Response(body, media_type=media_type)
    if private:
        response.headers.update(_NO_STORE)
    return response


@router.get("/editor/photos/{photo_id}")
async def draft_photo(request: Request, _user: Editor, photo_id: PhotoId) -> Response:
    found = workflow.photo_file(archive_of(request), photo_id, thumbnail=False, public=False)
    return _image(*found, private=True)


@router.get("/editor/photos/{photo_id}/thumbnail")
async def draft_thumbnail(request: Request, _user: Editor, photo_id: PhotoId) -> Response:
    found = workflow.photo_file(archive_of(request), photo_id, thumbnail=True, public=False)
    return _image(*found, private=True)


@router.get("/photos/{photo_id}")
async def photo(request: Request, photo_id: PhotoId) -> Response:
    """A published event's photo (a draft's is no page for readers: 404)."""
    found = workflow.photo_file(archive_of(request), photo_id, thumbnail=False, public=True)
    return _image(*found, private=False)


@router.get("/photos/{photo_id}/thumbnail")
async def thumbnail(request: Request, photo_id: PhotoId) -> Response:
    found = workflow.photo_file(archive_of(request), photo_id, thumbnail=True, public=True)
    return _image(*found, private=False)
