"""Nothing a client wrote, and no sign-in token, ever reaches a log."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from practice import db
from practice.logs import DevRequestHandler
from tests.databases import POSTGRES_SERVER, throwaway_database
from tests.factories import CoupleFactory
from tests.processes import CLI, UNDER_FAKETIME, free_port, pause

MARKER = "Zephyrine-Quillon-4471"  # a partner's name nobody else has
TOKEN = "tok3n-Secret-9f8e7d6c5b4a"


def _refuse_partner_updates(session) -> None:
    """Make the database refuse any change to a partner, quoting the refused name if it can."""
    if POSTGRES_SERVER:
        session.execute(
            text(
                "CREATE FUNCTION refuse_partner() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused name %', NEW.name; END $$"
            )
        )
        session.execute(
            text(
                "CREATE TRIGGER refuse_partner BEFORE UPDATE ON partners "
                "FOR EACH ROW EXECUTE FUNCTION refuse_partner()"
            )
        )
    else:
        session.execute(
            text(
                "CREATE TRIGGER refuse_partner BEFORE UPDATE ON partners "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )


def test_a_failing_write_leaves_no_trace_of_what_was_typed(client, auth, db_session, caplog):
    couple = CoupleFactory(partners=["Ona Field", "Pim Field"])
    auth.login(couple.counselor)
    _refuse_partner_updates(db_session)
    caplog.set_level(logging.DEBUG)
    response = client.post(
        f"/couples/{couple.id}/edit",
        data={
            "partner_a-name": MARKER,
            "partner_b-name": "Pim Field",
            "intake_date": couple.intake_date.isoformat(),
            "status": "active",
        },
    )
    assert response.status_code == 500
    assert MARKER not in response.text
    assert "unhandled error on POST" in caplog.text  # the operator still learns where and what
    assert "sqlalchemy.exc." in caplog.text  # the kind of failure, without its message
    assert MARKER not in caplog.text


def test_database_errors_name_the_statement_but_not_its_values(db_session):
    with pytest.raises(DBAPIError) as raised:
        db.session.execute(
            text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": MARKER}
        )
    assert "no_such_table" in str(raised.value)
    assert MARKER not in str(raised.value)


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(UNDER_FAKETIME, reason="gunicorn cannot run under libfaketime")
def test_the_production_access_log_shows_paths_without_tokens_or_queries(tmp_path):
    port = free_port()
    with throwaway_database(tmp_path) as url:
        env = {
            **os.environ,
            "PRACTICE_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path),
        }
        server = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(f"http://127.0.0.1:{port}/sign-in")
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    pause(0.2)
            assert _get(f"http://127.0.0.1:{port}/invitation/{TOKEN}?email={MARKER}") == 410
            assert _get(f"http://127.0.0.1:{port}/sign-in?next=/directory%3Fq%3D{MARKER}") == 200
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=10) as page:
                server_header = page.headers.get("Server", "")
        finally:
            server.terminate()
            output, _ = server.communicate()
    assert '"GET /invitation/[hidden] HTTP/1.1" 410' in output
    assert '"GET /sign-in HTTP/1.1" 200' in output
    assert TOKEN not in output and MARKER not in output
    assert not any(char.isdigit() for char in server_header)  # no software version


def test_the_development_server_log_hides_them_too(app, caplog):
    server = make_server("127.0.0.1", 0, app, request_handler=DevRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        _get(f"http://127.0.0.1:{server.server_port}/invitation/{TOKEN}?who={MARKER}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    assert "GET /invitation/[hidden] HTTP/1.1" in caplog.text
    assert TOKEN not in caplog.text and MARKER not in caplog.text
