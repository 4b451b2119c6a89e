"""Shared pieces of the security checks (SECURITY.md, rows 2, 3, 4 and 20).

Each module builds its data once (a "world") on a connection of its own, inside a transaction
rolled back at the end of the module; each test runs on that connection inside a savepoint,
as tests/test_access.py does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import Connection

from practice import clock, db
from practice.access import ROLES_OF, audience_of
from practice.accounts import sessions
from practice.accounts.models import User
from practice.db import get_database
from tests.conftest import FrozenClock, sessions_on


@pytest.fixture(scope="module")
def world_moment():
    """The whole module lives at one frozen moment: the world is built at it, tests run at it."""
    return clock.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def frozen_clock(world_moment) -> Iterator[FrozenClock]:
    clock.freeze(world_moment)
    yield FrozenClock()
    clock.unfreeze()


@contextmanager
def world_on_connection(
    app: Flask, moment, build: Callable[[], Any]
) -> Iterator[tuple[Connection, Any]]:
    """Build a world once on a connection of its own; roll it all back afterwards.

    ``build`` runs inside an app context and returns plain values (ids, strings): the objects
    it made belong to a session that is gone by the time the tests run.
    """
    connection = get_database(app).engine.connect()
    transaction = connection.begin()
    clock.freeze(moment)
    try:
        with sessions_on(app, connection), app.app_context():
            built = build()
            db.session.commit()  # into the connection's transaction, rolled back below
    finally:
        clock.unfreeze()
    try:
        yield connection, built
    finally:
        transaction.rollback()
        connection.close()


def world_fixtures(build: Callable[[], Any]) -> tuple[Any, Any, Any]:
    """The fixtures of a module with a world of its own, to assign in that module:
    ``world_connection`` (the world, built once for the module on its own connection),
    ``db_connection`` (that connection, in place of each test's own; see tests/conftest.py)
    and ``world`` (the plain values ``build`` returned)."""

    @pytest.fixture(scope="module", name="world_connection")
    def world_connection(app, world_moment) -> Iterator[tuple[Connection, Any]]:
        with world_on_connection(app, world_moment, build) as built:
            yield built

    @pytest.fixture(name="db_connection")
    def db_connection(world_connection) -> Connection:
        return world_connection[0]

    @pytest.fixture(name="world")
    def world(world_connection, client) -> Any:
        return world_connection[1]

    return world_connection, db_connection, world


def sign_in_directly(client, user: User) -> None:
    """A real server-side session, made without the sign-in form (tested elsewhere)."""
    token = sessions.start_session(user)
    with client.session_transaction() as session:
        session["sid"] = token
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def url(app: Flask, endpoint: str, **values: object) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def may_reach(app: Flask, endpoint: str, user: User) -> bool:
    """Whether the route's declared audience includes the user's role at all."""
    audience = audience_of(app, endpoint)
    return audience is not None and (
        audience.value == "public" or user.role in ROLES_OF.get(audience, set())
    )
