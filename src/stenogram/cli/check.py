"""``check``: whether, where and by whom a quote was said, and how the quote differs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from .common import (
    ArchiveOption,
    DatabaseOption,
    IndexOption,
    JsonOption,
    _settings,
    _stdout,
    _user_errors,
    _write_json,
    app,
)

if TYPE_CHECKING:
    from ..check import CheckResult, Match
    from ..check.result import Piece

#: How each run of a marked passage shows in a terminal: words the quote dropped struck
#: through in [-...-], words it added in {+...+} (wdiff's marks, readable without colour).
_STYLES = {"dropped": "red strike", "added": "green", "skipped": "dim"}


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def check(
    ctx: typer.Context,
    quote: Annotated[str, typer.Argument(help="The quote as it circulates.", show_default=False)],
    speaker: Annotated[
        str | None,
        typer.Option("--speaker", metavar="NAME", help="Who the quote is attributed to."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="When it is said to have been said."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many passages to show.")] = 5,
    as_json: JsonOption = False,
    archive: ArchiveOption = None,
    database: DatabaseOption = None,
    index: IndexOption = None,
) -> None:
    """Check a quote: the passages it comes from, and a verdict (exact, close, stitched,
    paraphrase, other_speaker, other_date, translation, not_found)."""
    from .. import queries

    when = _date(date)
    with _user_errors():
        result = queries.check_archive(
            _settings(ctx, archive), quote, speaker=speaker, date=when, limit=limit
        )
    if as_json:
        _write_json(result.to_json())
    else:
        _stdout().print(_human(result))


def _human(result: CheckResult) -> Text:
    out = Text()
    out.append(result.verdict.replace("_", " "), style="bold")
    out.append(f"  score {result.score:.2f}\n")
    for note in result.notes:
        out.append(f"note: {note}\n", style="dim")
    for n, found in enumerate(result.matches, 1):
        out.append(f"\n{n}. ")
        out.append_text(_provenance(found))
        out.append_text(_marked(found))
        out.append("\n")
    return out


def _provenance(found: Match) -> Text:
    who = ", ".join(x for x in (found.speaker, found.role) if x) or "no speaker named"
    where = ", ".join(x for x in (found.date, found.place) if x)
    tags = [f"part {found.part}"] if found.part else []
    if found.original is not None:
        tags.append("original" if found.original else "translation")
    head = Text(who, style="bold")
    head.append(f" — {where}" if where else "")
    head.append(f"  [{', '.join(tags)}]" if tags else "")
    head.append(f"  score {found.score:.2f}\n   {found.title}\n")
    head.append(f"   {found.url}" + (f"  {found.source_url}" if found.source_url else "") + "\n")
    return head


def _marked(found: Match) -> Text:
    """The passage with the quote's differences marked (see ``_STYLES``)."""
    text = Text("   ")
    pieces = found.pieces()
    for n, piece in enumerate(pieces):
        if piece.kind == "same":
            text.append(piece.passage)
        elif piece.kind == "skipped":
            text.append("[…]", style=_STYLES["skipped"])
        else:
            if piece.passage:
                text.append(f"[-{piece.passage}-]", style=_STYLES["dropped"])
            if piece.quote:
                text.append_text(_inserted(piece.quote, text.plain, pieces[n + 1 :], piece.passage))
    return text


def _inserted(quote: str, before: str, after: list[Piece], replacing: str) -> Text:
    """Words the quote adds, spaced from the words around them (an insertion sits between
    two words of the passage, with no space of its own)."""
    lead = "" if replacing or before.endswith((" ", "\n")) else " "
    follows = after[0].passage if after else ""
    trail = " " if follows and not follows[0].isspace() and not replacing else ""
    return Text(f"{lead}{{+{quote}+}}{trail}", style=_STYLES["added"])
