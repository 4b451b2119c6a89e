from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import Connection, event
from sqlalchemy.orm import sessionmaker

from practice import clock, create_app, crypto, db
from practice.accounts.models import User
from practice.db import get_database
from practice.directory.taxonomy import CATEGORIES, DOMESTIC_VIOLENCE_TERM
from tests.databases import throwaway_database
from tests.factories import PASSWORD, CoupleFactory, add_service, partner_with_login
from tests.processes import free_port

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# One data key for the whole run, in the environment so that every app and every `practice`
# process started by a test reads what the others wrote (production requires one as well).
os.environ.setdefault("PRACTICE_ENCRYPTION_KEY", crypto.env_value(crypto.new_keyring()))


def make_test_app(database_url: str, **overrides: object) -> Flask:
    return create_app(
        {
            "PRACTICE_ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET,
            "WTF_CSRF_ENABLED": False,
            "FAST_PASSWORD_HASHING": True,  # cheap Argon2 parameters, for the tests alone
            **overrides,
        }
    )


class FrozenClock:
    """The practice's clock, stopped for one test; the test moves it on when time must pass."""

    def now(self) -> datetime:
        return clock.now()

    def today(self) -> date:
        return clock.today()

    def advance(self, **delta: float) -> datetime:
        return clock.advance(timedelta(**delta))

    def set(self, moment: datetime) -> None:
        clock.freeze(moment)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[FrozenClock]:
    """Stop the clock at the moment the test starts, so "today" cannot change under it.

    The moment is the machine's real one: CI runs the suite at 02:30 UTC (still yesterday in
    the practice's time zone) and on the night the clocks change, and every test must pass.
    """
    clock.freeze(clock.now().replace(microsecond=0))
    yield FrozenClock()
    clock.unfreeze()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    application = make_test_app(database_url)
    yield application
    get_database(application).engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request as a real one: its own app context, session and Flask-Login user.

    The test itself holds an app context (for factories and services); without this, Flask
    would reuse it for requests and share ``g`` (and the signed-in user) between them.
    """

    def open(self, *args: object, **kwargs: object):
        if not has_app_context():  # a redirect followed from inside an isolated request
            return super().open(*args, **kwargs)
        db.session.flush()  # let the request see what the test has set up
        kwargs.setdefault("buffered", True)  # read file responses whole, closing the file
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()  # and let the test see what the request changed
        return response


@pytest.fixture
def db_connection(app: Flask) -> Iterator[Connection]:
    """The test's own connection, in a transaction rolled back at the end."""
    connection = get_database(app).engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@contextmanager
def sessions_on(app: Flask, connection: Connection) -> Iterator[None]:
    """Make every session of the app (the test's and its requests') use ``connection``, with
    a savepoint where the code would commit."""
    database = get_database(app)
    original = database.sessionmaker
    database.sessionmaker = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        yield
    finally:
        database.sessionmaker = original


@pytest.fixture
def db_session(app: Flask, db_connection: Connection) -> Iterator[object]:
    """Run the test inside a savepoint that is rolled back; commits become savepoints."""
    savepoint = db_connection.begin_nested()
    try:
        with sessions_on(app, db_connection), app.app_context():
            yield db.session
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture
def client(app: Flask, db_session: object) -> FlaskClient:
    app.test_client_class = IsolatedClient
    app.extensions["practice.limiter"].reset()  # each test starts with no failures counted
    return app.test_client()


@pytest.fixture
def couple(db_session):
    """A couple, Ines and Omar Fox, both signed up to the portal."""
    couple = CoupleFactory(partners=["Ines Fox", "Omar Fox"])
    partner_with_login(couple, 1)
    partner_with_login(couple, 2)
    return couple


@pytest.fixture
def directory(db_session):
    """Six services around New York (one inactive, one online, one for domestic violence)."""
    return {
        "manhattan": add_service(
            "Midtown Couples Clinic",
            at=(40.7505, -73.9934),
            category=CATEGORIES["couples_therapy"][0],
            languages=["Spanish"],
        ),
        "newark": add_service("Newark Family Center", at=(40.7357, -74.1724), sliding=True),
        "philadelphia": add_service("Philadelphia Counseling", at=(39.9526, -75.1652)),
        "online": add_service("Talk Online", online=True, free=True),
        "closed": add_service("Closed Down Clinic", at=(40.7484, -73.9967), status="inactive"),
        "dv": add_service("Safe Harbor", at=(40.76, -73.98), category=DOMESTIC_VIOLENCE_TERM),
    }


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: User, password: str = PASSWORD):
        response = self.client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, "sign-in failed"
        return response

    def logout(self):
        return self.client.post("/sign-out")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(app: Flask) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    engine = get_database(app).engine

    def before_cursor_execute(conn, cursor, statement, *args: object) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def portal_pages(client: FlaskClient, paths: tuple[str, ...]) -> dict[str, str]:
    """The pages a partner sees, each as its HTML with the form tokens taken out (they change
    on every visit), to compare before and after the other partner writes something."""
    import re

    token = re.compile(r'(name="csrf_token"[^>]*value=|csrf-token" content=)"[^"]*"')
    return {path: token.sub(r'\1""', client.get(path).text) for path in paths}


def visible_text(html: str) -> str:
    """The words of a page as a reader sees them: no tags, white space folded."""
    import re
    from html import unescape

    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([:;,.)])", r"\1", words)


# --- mail -----------------------------------------------------------------------------------


class Inbox:
    """A real SMTP server on the loopback address that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mail_settings(app, smtp_server):
    _inbox, port = smtp_server
    settings = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_STARTTLS": False,
        "MAIL_FROM": "practice@example.com",
    }
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    yield
    app.config.update(saved)
