"""Throwaway databases for the tests: a SQLite file, or a database on a PostgreSQL server.

Set PRACTICE_TEST_POSTGRES to a server URL (for example postgresql://postgres@127.0.0.1/postgres)
to run the suite on PostgreSQL; each throwaway database is created there and dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from practice import migrate

POSTGRES_SERVER = os.environ.get("PRACTICE_TEST_POSTGRES")


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def throwaway_database(folder: Path) -> Iterator[str]:
    """Yield the URL of a new, migrated, empty database; drop it afterwards."""
    with empty_database(folder) as url:
        migrate.upgrade(url)
        yield url


@contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """Yield the URL of a new database without a single table; drop it afterwards."""
    if not POSTGRES_SERVER:
        yield f"sqlite:///{folder / f'practice-{uuid.uuid4().hex[:8]}.db'}"
        return
    server = make_url(_psycopg(POSTGRES_SERVER))
    name = f"practice_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
