"""Accounts: who may write to the archive over the web, and the record of every write.

Readers are anonymous; an editor writes drafts, a publisher publishes and corrects them, an
admin manages users and fixes people. Passwords are argon2 hashes (:mod:`.passwords`), browser
sessions and the log-in rate limit live in the database (:mod:`.sessions`, :mod:`.ratelimit`)
so that every worker process and node agrees on them, and every write leaves a line in the audit
log (:mod:`.audit`). The web layer (:mod:`stenogram.web.auth`) only turns these into cookies,
forms and FastAPI dependencies.
"""

from __future__ import annotations

from .audit import AuditEntry, audit_entries, record_audit
from .roles import Role, User
from .users import UserInfo, add_user, list_users, set_password, set_role

__all__ = [
    "AuditEntry",
    "Role",
    "User",
    "UserInfo",
    "add_user",
    "audit_entries",
    "list_users",
    "record_audit",
    "set_password",
    "set_role",
]
