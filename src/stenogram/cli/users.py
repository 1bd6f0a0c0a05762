"""``users``: the accounts of the web app (``add``, ``passwd``, ``role``, ``list``).

A password is never an argument (it would sit in the shell's history and in ``ps``): it is
asked for twice at a terminal, or read as the first line of standard input when that is a pipe
(``printf '%s\\n' "$PASSWORD" | stenogram users add alice --role editor``).
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from ..errors import QueryError
from .common import (
    ArchiveOption,
    DatabaseOption,
    JsonOption,
    _columns,
    _settings,
    _user_errors,
    _write_json,
    app,
)

users_app = typer.Typer(
    name="users",
    help="Accounts of the web app: add, passwd, role, list.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(users_app)

NameArgument = Annotated[str, typer.Argument(help="The user's name (kept in lower case).")]
RoleOption = Annotated[
    str, typer.Option("--role", help="reader, editor, publisher or admin.", show_default=True)
]


def read_password() -> str:
    """Twice at a terminal (they must agree), else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise QueryError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _print(info_dict: dict[str, object], as_json: bool) -> None:
    if as_json:
        _write_json(info_dict)
    else:
        typer.echo(f"{info_dict['name']}: {info_dict['role']}")


@users_app.command("add")
def _add(
    ctx: typer.Context,
    name: NameArgument,
    role: RoleOption = "editor",
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Add a user with a ROLE; the password is asked for (or read from standard input)."""
    from ..accounts import Role, add_user
    from ..ingest import open_settings

    with _user_errors():
        wanted = Role.named(role)
        password = read_password()
        with open_settings(_settings(ctx, archive), create=True) as opened:
            info = add_user(opened, name, password, wanted)
    _print(info.to_dict(), as_json)


@users_app.command("passwd")
def _passwd(
    ctx: typer.Context,
    name: NameArgument,
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Give a user a new password; their open sessions end."""
    from ..accounts import set_password
    from ..ingest import open_settings

    with _user_errors():
        password = read_password()
        with open_settings(_settings(ctx, archive)) as opened:
            info = set_password(opened, name, password)
    _print(info.to_dict(), as_json)


@users_app.command("role")
def _role(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[str, typer.Argument(help="reader, editor, publisher or admin.")],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Give a user another role, in force from their next request."""
    from ..accounts import Role, set_role
    from ..ingest import open_settings

    with _user_errors():
        wanted = Role.named(role)
        with open_settings(_settings(ctx, archive)) as opened:
            info = set_role(opened, name, wanted)
    _print(info.to_dict(), as_json)


@users_app.command("list")
def _list(
    ctx: typer.Context,
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
) -> None:
    """Every user: name, role, since when, disabled or not (never a password or its hash)."""
    from ..accounts import list_users
    from ..ingest import open_settings

    with _user_errors(), open_settings(_settings(ctx, archive)) as opened:
        found = list_users(opened)
    if as_json:
        for info in found:
            _write_json(info.to_dict())
        return
    rows = [(u.name, u.role.label, u.created, "disabled" if u.disabled else "") for u in found]
    typer.echo(_columns(("name", "role", "created", "state"), rows))
