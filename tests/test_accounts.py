"""Users, passwords, the log-in rate limit and the audit log: the library, the ``users``
commands, and the limit as two app instances on one database see it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from typer.testing import CliRunner

from authutil import client, form_token, log_in, password_of, seeded
from stenogram.accounts import Role, add_user, audit_entries, list_users, set_role
from stenogram.archive.schema import users
from stenogram.cli import app
from stenogram.errors import QueryError
from stenogram.ingest import open_settings
from stenogram.settings import Settings


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, shared_dir: Path, module_database: str | None
) -> Settings:
    folder = tmp_path_factory.mktemp("accounts")
    return seeded(
        folder,
        shared_dir,
        module_database,
        login_failures_per_account=3,
        login_failures_per_address=5,
        admin_token="automation-token",
    )


def _stored_hash(settings: Settings, name: str) -> str:
    with open_settings(settings) as archive, archive.reading(primary=True) as conn:
        return str(conn.scalar(select(users.c.password).where(users.c.name == name)))


def test_failed_log_ins_lock_the_account_across_two_app_instances(settings: Settings) -> None:
    with open_settings(settings) as archive:
        add_user(archive, "target", "the right password", Role.EDITOR)
    one = client(settings, client=("10.0.0.1", 1000))
    two = client(settings, client=("10.0.0.2", 1000))  # another worker, another address
    assert log_in(one, "target", "wrong one") == 401
    assert log_in(two, "target", "wrong two") == 401
    assert log_in(one, "target", "wrong three") == 401
    # The limit (3) is reached whichever instance counted: even the right password waits now.
    token = form_token(two.get("/login").text)
    refused = two.post(
        "/login", data={"name": "target", "password": "the right password", "csrf_token": token}
    )
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 900
    assert "too many failed log-ins for this account" in refused.text
    # Other accounts are not locked out by it.
    assert log_in(one, "editor", password_of(Role.EDITOR)) == 303


def test_failed_log_ins_from_one_address_are_limited(settings: Settings) -> None:
    one = client(settings, client=("10.0.0.9", 1000))
    two = client(settings, client=("10.0.0.9", 2000))
    for number in range(5):
        assert log_in((one, two)[number % 2], f"guess-{number}", "wrong password") == 401
    assert log_in(one, "publisher", password_of(Role.PUBLISHER)) == 429
    assert (
        log_in(client(settings, client=("10.0.0.10", 1)), "publisher", password_of(Role.PUBLISHER))
        == 303
    )


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(
    settings: Settings,
) -> None:
    behind = dataclasses.replace(settings, trusted_proxies=("10.9.9.9",))
    proxy = client(behind, client=("10.9.9.9", 1))
    for number in range(5):
        forwarded = {"x-forwarded-for": f"1.2.3.4, 10.0.6.{number % 2}"}
        proxy.headers.update(forwarded)
        assert log_in(proxy, f"nobody-{number}", "wrong password") == 401
    # 10.0.6.0 failed three times, 10.0.6.1 twice: both under the limit of 5, as a third
    # client is, whatever it writes in front of the header.
    proxy.headers.update({"x-forwarded-for": "10.0.6.2"})
    assert log_in(proxy, "publisher", password_of(Role.PUBLISHER)) == 303
    # Not trusted: the header is ignored, and the sender's own address counts.
    direct = client(settings, client=("10.0.7.1", 1), headers={"x-forwarded-for": "10.0.6.3"})
    for number in range(5):
        assert log_in(direct, f"nobody-{number}", "wrong password") == 401
    assert log_in(direct, "publisher", password_of(Role.PUBLISHER)) == 429


def test_a_success_clears_the_account_count(settings: Settings) -> None:
    with open_settings(settings) as archive:
        add_user(archive, "forgetful", "remembered at last", Role.EDITOR)
    # Three failures in all, more than the limit allows, but each success starts the count again.
    for attempt in range(3):
        web = client(settings, client=(f"10.0.1.{attempt}", 1))
        assert log_in(web, "forgetful", "not it") == 401
        assert log_in(web, "forgetful", "remembered at last") == 303


def test_a_session_opened_on_one_instance_holds_on_another(settings: Settings) -> None:
    """No ``session_secret`` is set: the key made on first use is kept in the database, so
    every worker signs and checks cookies alike."""
    assert settings.session_secret is None
    one, two = client(settings, client=("10.0.5.1", 1)), client(settings, client=("10.0.5.1", 1))
    assert log_in(one, "editor", password_of(Role.EDITOR)) == 303
    two.cookies = one.cookies
    assert two.get("/login.json").json()["user"] == "editor"


def test_an_outdated_hash_is_replaced_at_log_in(settings: Settings) -> None:
    with open_settings(settings) as archive:
        add_user(archive, "old-timer", "an old password", Role.EDITOR)
        weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("an old password")
        with archive.writing() as conn:
            conn.execute(update(users).where(users.c.name == "old-timer").values(password=weak))
    assert log_in(client(settings, client=("10.0.2.1", 1)), "old-timer", "an old password") == 303
    stored = _stored_hash(settings, "old-timer")
    assert stored != weak and not PasswordHasher().check_needs_rehash(stored)
    assert PasswordHasher().verify(stored, "an old password")


def test_names_roles_and_password_rules(settings: Settings) -> None:
    with open_settings(settings) as archive:
        made = add_user(archive, "  Mixed.Case ", "long enough!", Role.PUBLISHER)
        assert made.name == "mixed.case" and made.role is Role.PUBLISHER
        with pytest.raises(QueryError, match="exists already"):
            add_user(archive, "MIXED.case", "long enough!", Role.EDITOR)
        with pytest.raises(QueryError, match="at least 10"):
            add_user(archive, "shorty", "short", Role.EDITOR)
        with pytest.raises(QueryError, match="user name"):
            add_user(archive, "no spaces please", "long enough!", Role.EDITOR)
        assert set_role(archive, "mixed.case", Role.EDITOR).role is Role.EDITOR
        assert "shorty" not in {u.name for u in list_users(archive)}
    with pytest.raises(QueryError, match="roles: reader, editor, publisher, admin"):
        Role.named("superuser")


def _users(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["users", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_the_users_commands(settings: Settings) -> None:
    where = ["--archive", str(settings.archive)]
    code, out, err = _users(
        "add", "clerk", "--role", "editor", "--json", *where, stdin="clerk's password\n"
    )
    assert code == 0, err
    assert orjson.loads(out) | {"created": None} == {
        "id": orjson.loads(out)["id"],
        "name": "clerk",
        "role": "editor",
        "created": None,
        "disabled": False,
    }
    assert log_in(client(settings, client=("10.0.3.1", 1)), "clerk", "clerk's password") == 303
    assert _users("passwd", "clerk", *where, stdin="clerk's new password\n")[0] == 0
    assert log_in(client(settings, client=("10.0.3.2", 1)), "clerk", "clerk's new password") == 303
    assert _users("role", "clerk", "publisher", *where)[1].strip() == "clerk: publisher"
    code, out, _ = _users("list", "--json", *where)
    listed = {row["name"]: row for row in map(orjson.loads, out.splitlines())}
    assert listed["clerk"]["role"] == "publisher" and "password" not in listed["clerk"]
    assert "$argon2" not in out and "$argon2" not in _users("list", *where)[1]
    # Refusals: a one-line message and the error's exit code, never a traceback.
    code, _, err = _users("role", "clerk", "boss", *where)
    assert code == QueryError.exit_code
    assert err.startswith("error: boss: no such role; roles: reader")
    code, _, err = _users("passwd", "nobody-here", *where, stdin="whatever password\n")
    assert code == 2 and "no such user" in err
    code, _, err = _users("add", "clerk", *where, stdin="clerk's password\n")
    assert code == QueryError.exit_code and "exists already" in err
    # The password is never an argument.
    assert _users("add", "other", "--password", "x" * 12, *where)[0] == 2
    with open_settings(settings) as archive:
        done = [(e.action, e.target, e.via) for e in audit_entries(archive, 0, 100)[1]]
    assert ("user.add", "clerk", "cli") in done and ("user.passwd", "clerk", "cli") in done
    assert ("user.role", "clerk", "cli") in done


def test_people_fixes_from_the_command_line_are_audited(settings: Settings) -> None:
    with open_settings(settings) as archive:
        keep, fold = (p.id for p in archive.persons()[-2:])
    merged = CliRunner().invoke(
        app, ["persons", "merge", keep, fold, "--archive", str(settings.archive)]
    )
    assert merged.exit_code == 0, merged.stderr
    with open_settings(settings) as archive:
        last = audit_entries(archive, 0, 1)[1][0]
    assert (last.action, last.target, last.actor, last.via) == (
        "persons.merge",
        keep,
        "command line",
        "cli",
    )
    assert fold in last.detail


def test_the_admin_api_keeps_its_token_and_is_audited(settings: Settings) -> None:
    web = client(settings, client=("10.0.4.1", 1))
    people = web.get("/api/persons?per_page=100").json()["persons"]
    into, other = people[0]["person_id"], people[-1]["person_id"]
    body = {"into": into, "other": other}
    # An admin's browser session is not the API's key: the API wants the token.
    assert log_in(web, "admin", password_of(Role.ADMIN)) == 303
    assert web.post("/api/admin/persons/merge", json=body).status_code == 401
    headers = {"Authorization": "Bearer automation-token"}
    assert web.post("/api/admin/persons/merge", json=body, headers=headers).status_code == 200
    entries = web.get("/admin/audit.json").json()["entries"]
    assert (entries[0]["action"], entries[0]["actor"], entries[0]["via"]) == (
        "persons.merge",
        "admin token",
        "api",
    )
