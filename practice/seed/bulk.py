"""Writing many rows fast: ids handed out in Python, rows sent in large batches.

The ORM would flush one object graph at a time and ask the database for every new id. Load
data is written through SQLAlchemy Core instead: each table's ids are counted on from the
highest one already there, so rows can name each other before any of them is written, and
each table is inserted in batches of a few thousand rows (one statement per batch, with
SQLAlchemy's "insertmanyvalues"). The column types still apply, so text that must be
encrypted is encrypted exactly as the app does it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from practice import db

BATCH = 5_000


class Ids:
    """The next free id of each table, counted on from the database's highest."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: Table) -> int:
        name = table.name
        if name not in self._next:
            highest = db.session.scalar(select(func.max(table.c.id))) or 0
            self._next[name] = highest + 1
        value = self._next[name]
        self._next[name] = value + 1
        return value


class Batches:
    """Rows gathered per table and written in batches, parents before children."""

    def __init__(self, order: Iterable[Table]) -> None:
        self._order = list(order)
        self._rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.written: dict[str, int] = defaultdict(int)

    def add(self, table: Table, **row: Any) -> None:
        self._rows[table.name].append(row)

    def pending(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    def flush(self) -> None:
        """Write everything gathered so far, table by table in dependency order."""
        for table in self._order:
            rows = self._rows.pop(table.name, [])
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(table), rows[start : start + BATCH])
            self.written[table.name] += len(rows)
        assert not self._rows, f"rows for tables outside the order: {sorted(self._rows)}"


def reset_sequences(tables: Iterable[Table]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids written by hand."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the next id from the highest one in the table
    for table in tables:
        if "id" not in table.c:
            continue  # a table keyed otherwise has no sequence
        highest = db.session.scalar(select(func.max(table.c.id))) or 0
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence(:name, 'id'), :next, false)"),
            {"name": table.name, "next": highest + 1},
        )


def analyze() -> None:
    """Refresh the query planner's statistics: after a bulk load they describe empty tables,
    and the planner would scan whole tables where an index finds a few rows."""
    db.session.execute(text("ANALYZE"))
