"""Read statements built once and run straight on the driver's cursor, for the page views.

Why: SQLAlchemy's execute path (cache key, result metadata, event hooks, row processing) costs
~0.1 ms a statement, several times what SQLite takes for a lookup by key, and an event page
runs about ten. The statement is still written in SQLAlchemy Core and compiled once per
dialect, so its SQL and parameter style stay the dialect's own and it runs unchanged on
PostgreSQL; what is skipped is only result processing, so this is for statements whose
columns come back as stored (integers and text: no dates, no JSON types).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler


class Prepared:
    """One select with named parameters (``bindparam("id")``), compiled per dialect on first use."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, SQLCompiler] = {}

    def rows(self, conn: Connection, **params: Any) -> list[tuple[Any, ...]]:
        """The rows as plain tuples, in the transaction ``conn`` holds."""
        compiled = self._compiled.get(conn.dialect.name)
        if compiled is None:
            built = self.statement.compile(dialect=conn.dialect)
            assert isinstance(built, SQLCompiler)
            compiled = self._compiled[conn.dialect.name] = built
        args: Any = params
        if compiled.positional:
            args = tuple(params[name] for name in compiled.positiontup or ())
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.string, args)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def first(self, conn: Connection, **params: Any) -> tuple[Any, ...] | None:
        found = self.rows(conn, **params)
        return found[0] if found else None

    def scalar(self, conn: Connection, **params: Any) -> Any:
        row = self.first(conn, **params)
        return row[0] if row else None
