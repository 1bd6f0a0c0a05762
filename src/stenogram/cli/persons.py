"""``persons``: list and look up people, and the ``merge``/``split`` fixes to them.

A sub-app of its own because ``persons NAME`` and ``persons merge A B`` share one word position,
which needs the custom group below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from ..model import Person
from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    JsonOption,
    _columns,
    _settings,
    _user_errors,
    _write_json,
    app,
)

if TYPE_CHECKING:
    # Imported by the commands when they run: see the package docstring.
    from ..queries import PersonSummary

_FIND = "find"


class _NameOrCommand(TyperGroup):
    """``persons NAME`` beside ``persons merge A B``: a first word that names no subcommand is a
    person to look up (click would otherwise read an optional NAME argument as "merge").

    Typed loosely because typer vendors click in some releases and not in others, so the click
    types have no stable public name.
    """

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            args = [_FIND, *args]
        return super().resolve_command(ctx, args)


persons_app = typer.Typer(
    cls=_NameOrCommand,
    invoke_without_command=True,
    subcommand_metavar="[NAME | merge A B | split ID NAME...]",
    help="People: everyone with counts; NAME for one in detail; merge and split to fix them.",
)
app.add_typer(persons_app, name="persons")


@persons_app.callback()
def _persons(
    ctx: typer.Context,
    as_json: JsonOption = False,
    doubtful: Annotated[
        bool, typer.Option("--doubtful", help="Pairs that may be one person, and why.")
    ] = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """People: everyone with counts; NAME for one in detail; merge and split to fix them."""
    if ctx.invoked_subcommand is not None:
        return
    from .. import queries

    with _user_errors():
        settings = _settings(ctx, archive)
        if doubtful:
            pairs = queries.doubtful_persons(settings)
            if not pairs and not as_json:
                typer.echo("no doubtful pairs: every name form fits one person")
            for pair in pairs:
                if as_json:
                    _write_json(pair.to_dict())
                else:
                    typer.echo(
                        f"{pair.a} ({pair.a_name}) ~ {pair.b} ({pair.b_name}): {pair.reason}"
                    )
            return
        found = queries.list_persons(settings)
    if as_json:
        for summary in found:
            _write_json(summary.to_dict())
    else:
        _print_person_table(found)


def _json_flag(ctx: typer.Context, as_json: bool) -> bool:
    """``persons --json NAME`` and ``persons NAME --json`` mean the same."""
    return as_json or bool(ctx.parent and ctx.parent.params.get("as_json"))


@persons_app.command(_FIND, hidden=True)
def _find_person(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A person id or any form of the name.")],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """One person (or every person the name may mean): names, roles over time, counts."""
    from .. import queries

    with _user_errors():
        found = queries.list_persons(_settings(ctx, archive), name)
    if _json_flag(ctx, as_json):
        for summary in found:
            _write_json(summary.to_dict())
    else:
        typer.echo("\n\n".join(_person_detail(summary) for summary in found))


@persons_app.command("merge")
def _merge(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="The person id that stays.")],
    b: Annotated[str, typer.Argument(help="The person id folded into A.")],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Fold person B into person A; kept across re-ingests."""
    from ..ingest import merge_persons

    with _user_errors():
        person = merge_persons(_settings(ctx, archive), a, b)
    _print_changed_person(person, _json_flag(ctx, as_json))


@persons_app.command("split")
def _split(
    ctx: typer.Context,
    person_id: Annotated[str, typer.Argument(metavar="ID", help="The person to split.")],
    names: Annotated[
        list[str], typer.Argument(metavar="NAME...", help="Name forms (as printed) to move.")
    ],
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Move the name forms NAME... of person ID to a new person; kept across re-ingests."""
    from ..ingest import split_person

    with _user_errors():
        person = split_person(_settings(ctx, archive), person_id, names)
    _print_changed_person(person, _json_flag(ctx, as_json))


def _print_changed_person(person: Person, as_json: bool) -> None:
    from ..queries import person_record

    if as_json:
        _write_json(person_record(person))
    else:
        typer.echo(f"{person.name} [{person.id}]: " + "; ".join(n.text for n in person.names))


def _latest_role(person: Person) -> str:
    dated = [m for m in person.memberships if m.last_seen is not None]
    if dated:
        return max(dated, key=lambda m: (m.last_seen, m.count)).role
    return person.memberships[-1].role if person.memberships else ""


def _print_person_table(found: Sequence[PersonSummary]) -> None:
    rows = [
        (
            s.person.id,
            s.person.name,
            str(s.activity.events),
            str(s.activity.speeches),
            str(s.activity.words),
            _latest_role(s.person),
        )
        for s in found
    ]
    typer.echo(_columns(("id", "name", "events", "speeches", "words", "latest role"), rows))


def _person_detail(summary: PersonSummary) -> str:
    person, activity = summary.person, summary.activity
    lines = [
        f"{person.name} [{person.id}]",
        f"  events {activity.events} · speeches {activity.speeches} · words {activity.words:,}",
        "  names: " + "; ".join(f"{n.text} ({n.language}, {n.kind})" for n in person.names),
    ]
    if person.memberships:
        lines.append("  roles:")
        for m in person.memberships:
            since = m.first_seen.isoformat() if m.first_seen else "?"
            until = m.last_seen.isoformat() if m.last_seen else "?"
            times = "1 event" if m.count == 1 else f"{m.count} events"
            lines.append(f"    {since} – {until}  {m.role} ({times})")
    if person.publisher_ids:
        lines.append("  publisher ids: " + ", ".join(person.publisher_ids))
    return "\n".join(lines)
