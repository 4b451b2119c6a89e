"""The declarative base, column types and the per-application engine and session."""

from __future__ import annotations

import enum
import math
import sqlite3
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Enum, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

# Stable constraint names, so migrations can alter and drop them by name on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always handed back timezone-aware.

    SQLite keeps no zone; PostgreSQL's timestamptz does. Both come back as aware UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_by_value(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value in a plain string column, the same on both databases."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


Email = String(254)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
        # savepoints and transactional DDL behave (SQLAlchemy's documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds ASCII letters only; searching "élodie" must find "Élodie",
        # as it does on PostgreSQL.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        _ensure_math_functions(dbapi_connection)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A page that only reads takes no lock: readers never wait for each other or for a
        # writer (WAL). Everything else begins IMMEDIATE, taking the write lock at the start,
        # so two writers wait for each other (busy_timeout) instead of one failing with
        # "database is locked" when it upgrades a read. What a reading page writes at its end
        # (the audit entry of the read) is made in a write transaction of its own: see
        # ``prepare_to_write``.
        deferred = reading()
        connection.info[BEGAN_DEFERRED] = deferred
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


READ_METHODS = frozenset({"GET", "HEAD"})


def reading() -> bool:
    """Whether this is a page request that has not finished reading yet."""
    return has_request_context() and request.method in READ_METHODS and not g.get("done_reading")


def done_reading() -> None:
    """From here on, the request's transactions write (a report's record after its PDF)."""
    g.done_reading = True


def prepare_to_write(session: Session) -> None:
    """Before a reading page commits what it wrote, trade its read snapshot for the write lock.

    On SQLite a transaction that has read cannot always become a writer: if another one
    committed meanwhile, it fails at once with "database is locked". So the read transaction
    is ended and a write transaction begun in its place before the changes are flushed (a
    reading page does not flush early: autoflush is off while it reads). PostgreSQL has no
    such limit.
    """
    if not session.in_transaction() or session.info.get(FLUSHED_WHILE_READING):
        return
    if not isinstance(session.get_bind(), Engine):
        return  # a test's session on an outer transaction, which must stay as it is
    connection = session.connection()
    if connection.info.get(BEGAN_DEFERRED):  # only ever on SQLite
        connection.exec_driver_sql("ROLLBACK")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.info[BEGAN_DEFERRED] = False


BEGAN_DEFERRED = "practice.began_deferred"
FLUSHED_WHILE_READING = "practice.flushed_while_reading"


@event.listens_for(Session, "after_flush")
def _note_early_flush(session: Session, _context: object) -> None:
    if reading():
        session.info[FLUSHED_WHILE_READING] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_early_flush(session: Session, *_args: object) -> None:
    session.info.pop(FLUSHED_WHILE_READING, None)


MATH_FUNCTIONS = {
    "radians": math.radians,
    "sin": math.sin,
    "cos": math.cos,
    "asin": math.asin,
    "sqrt": math.sqrt,
}


def _ensure_math_functions(dbapi_connection: Any) -> None:
    """Distances are measured in SQL; SQLite builds without its math functions get Python's."""
    try:
        dbapi_connection.execute("SELECT asin(sqrt(radians(sin(cos(0)))))")
    except sqlite3.OperationalError:
        for name, function in MATH_FUNCTIONS.items():
            dbapi_connection.create_function(name, 1, function, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str, pool_size: int = 5, max_overflow: int = 5) -> Engine:
    # hide_parameters: a failed statement's error names the statement, never the values
    # (note text, names) it carried, so they cannot reach a log.
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    # Each gunicorn worker serves one request at a time, so a few connections per process
    # suffice; the server's max_connections must cover processes × (pool + overflow).
    # Connections are checked before use and renewed hourly, so a restarted database or a
    # proxy's idle timeout never shows as an error page.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=3600,
        hide_parameters=True,
    )


class Database:
    """One engine and session factory for one application."""

    def __init__(self, url: str, pool_size: int = 5, max_overflow: int = 5) -> None:
        self.engine = make_engine(url, pool_size, max_overflow)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["practice.db"] = self
        app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["practice.db"]


def _get_session() -> Session:
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
        # A page that reads writes only at its end (see prepare_to_write).
        g.db_session.autoflush = not reading()
    return g.db_session


def open_session() -> Session | None:
    """The current context's session if one was opened, without opening one."""
    return g.get("db_session")


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


# The session of the current application context: one per request or CLI command.
session: Session = LocalProxy(_get_session)  # type: ignore[assignment]
