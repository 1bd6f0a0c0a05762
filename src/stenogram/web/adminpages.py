"""The admin pages: what an admin logged in with a browser may do (the admin API keeps its
token for automation; see :mod:`.api`).

``/admin`` lists the users and offers the people fixes and an upload to ingest; each form posts
to a handler that needs the admin role and the form's CSRF token, calls the same write as the
admin API (:mod:`.admin`), which notes it in the audit log with the admin's name, and sends the
browser on to the result. ``/admin/audit`` is the audit log (JSON twin: ``/admin/audit.json``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from ..accounts import Role, User, audit_entries, list_users
from ..errors import QueryError
from . import admin as admin_writes
from . import data
from .auth import check_csrf, require
from .params import Page, PerPage
from .respond import archive_of, render, settings_of

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(require(Role.ADMIN))]
#: Lines of the audit log the admin home shows; the whole log is on /admin/audit.
RECENT = 10
_NO_STORE = {"cache-control": "no-store"}


def _author(request: Request, user: User) -> admin_writes.Author:
    return admin_writes.Author(archive_of(request), user, "web")


def admin_home(request: Request, user: User, done: dict[str, Any] | None = None) -> dict[str, Any]:
    archive = archive_of(request)
    _total, recent = audit_entries(archive, 0, RECENT)
    return {
        "user": user.name,
        "users": [u.to_dict() for u in list_users(archive)],
        "recent": [e.to_dict() for e in recent],
        "done": done,
    }


def _page(request: Request, template: str, found: dict[str, Any]) -> Response:
    response = render(request, template, found)
    response.headers.update(_NO_STORE)
    return response


@router.get("/admin")
def home(request: Request, user: Admin) -> Response:
    return _page(request, "admin.html", admin_home(request, user))


@router.get("/admin/audit")
def audit(request: Request, _user: Admin, page: Page = 1, per_page: PerPage = 50) -> Response:
    return _page(
        request, "audit.html", data.audit_page(archive_of(request), data.paging(page, per_page))
    )


async def _fields(request: Request, *names: str) -> list[str]:
    form = await request.form()
    values = [form.get(name) for name in names]
    missing = [
        n for n, v in zip(names, values, strict=True) if not isinstance(v, str) or not v.strip()
    ]
    if missing:
        raise QueryError(f"the form needs {', '.join(missing)}", document=request.url.path)
    return [str(v).strip() for v in values]


@router.post("/admin/persons/merge", dependencies=[Depends(check_csrf)])
async def merge(request: Request, user: Admin) -> Response:
    into, other = await _fields(request, "into", "other")
    author = _author(request, user)
    done = await run_in_threadpool(admin_writes.merge, settings_of(request), into, other, author)
    return RedirectResponse(f"/persons/{done['person']['id']}", 303)


@router.post("/admin/persons/split", dependencies=[Depends(check_csrf)])
async def split(request: Request, user: Admin) -> Response:
    person, names = await _fields(request, "person", "names")
    forms = [line.strip() for line in names.splitlines() if line.strip()]
    author = _author(request, user)
    done = await run_in_threadpool(admin_writes.split, settings_of(request), person, forms, author)
    return RedirectResponse(f"/persons/{done['person']['id']}", 303)


@router.post("/admin/ingest", dependencies=[Depends(check_csrf)])
async def ingest(request: Request, user: Admin) -> Response:
    form = await request.form()
    upload = form.get("document")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise QueryError("choose a document to ingest", document=request.url.path)
    settings = settings_of(request)
    body = await upload.read(settings.max_document_bytes + 1)
    if len(body) > settings.max_document_bytes:
        raise admin_writes.TooLarge("the document is too large", document=upload.filename)
    author = _author(request, user)
    done = await run_in_threadpool(
        admin_writes.ingest_bytes, settings, body, upload.filename, author
    )
    found = admin_home(request, user, {"ingested": upload.filename, **done})
    return _page(request, "admin.html", found)
