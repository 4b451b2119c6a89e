"""How many SQL statements a page runs, counted in this process with the server's settings.

The request goes through a Flask test client of an application built from the same
environment as the server, carrying the cookies the benchmark signed in with: the same
account and session, so the count includes what every request pays (the session check).
The page is asked for twice and the second time is counted, as the load sees it: the first
may note the session's activity (at most once a minute) or fill a cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from practice.bench import BenchError
from practice.db import get_database

# Transaction control is not a query of the page's, and SQLite's BEGIN goes through the
# cursor (see practice/db.py) where PostgreSQL's does not: leaving it out counts alike on both.
NOT_QUERIES = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = get_database(app).engine

    def before_cursor_execute(conn, cursor, statement, *args: object) -> None:
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def queries_of(app: Flask, path: str, cookies: dict[str, str]) -> int:
    """The number of statements one request for ``path`` runs, signed in with ``cookies``."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    client.get(path)
    with counting(app) as statements:
        response = client.get(path)
    if not 200 <= response.status_code < 300:
        raise BenchError(f"GET {path} answered {response.status_code} when counting its queries.")
    return len(statements)
