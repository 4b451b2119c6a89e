"""Two people writing at the same moment: both writes land, nobody sees an error page."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, make_url, select

from practice import db
from practice.access import Role
from practice.accounts import services as accounts
from practice.audit.models import AuditEntry
from practice.db import get_database
from practice.homework.models import Completion
from tests.conftest import make_test_app
from tests.databases import throwaway_database
from tests.factories import CoupleFactory, couple_with_portal, make_assignment, make_exercise

PASSWORD = "concurrency test passphrase"


def test_both_partners_sending_at_once_both_land(tmp_path):
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url)
        with app.app_context():
            counselor = accounts.create_user(
                email="c@example.com", name="C", role=Role.COUNSELOR, password=PASSWORD
            )
            couple = couple_with_portal(
                counselor, (("A", "a@example.com"), ("B", "b@example.com")), PASSWORD
            )
            assignment_id = make_assignment(couple, make_exercise()).id
            db.session.commit()
        clients = []
        for email in ("a@example.com", "b@example.com"):
            client = app.test_client()
            client.post("/sign-in", data={"email": email, "password": PASSWORD})
            clients.append(client)
        start = threading.Barrier(len(clients))
        statuses = []

        def send(client) -> None:
            start.wait()
            response = client.post(
                f"/portal/assignments/{assignment_id}",
                data={"f_heard": "same moment", "f_connected": "5", "submit": "1"},
            )
            statuses.append(response.status_code)

        for _round in range(3):
            threads = [threading.Thread(target=send, args=(c,)) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert 500 not in statuses
        with app.app_context():
            sent = db.session.scalar(select(func.count()).select_from(Completion))
        assert sent == 2  # one each: the later rounds are refused as already done today
        get_database(app).engine.dispose()


def test_pages_are_read_while_another_writer_holds_the_lock_and_their_audit_lands_after(
    tmp_path,
):
    """On SQLite a page that reads takes no lock while it reads: with the write lock held by
    another connection, the caseload answers at once, and a couple page answers as soon as the
    lock is free, with the record of its reading written in a transaction of its own."""
    with throwaway_database(tmp_path) as url:
        if not url.startswith("sqlite"):
            pytest.skip("the write lock is SQLite's; PostgreSQL readers never wait")
        app = make_test_app(url)
        with app.app_context():
            counselor = accounts.create_user(
                email="c@example.com", name="C", role=Role.COUNSELOR, password=PASSWORD
            )
            couple_id = CoupleFactory(counselor=counselor).id
            db.session.commit()
        client = app.test_client()
        client.post("/sign-in", data={"email": "c@example.com", "password": PASSWORD})
        other = sqlite3.connect(
            make_url(url).database, timeout=0, isolation_level=None, check_same_thread=False
        )
        other.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its transaction
        try:
            caseload = client.get("/couples")
            assert caseload.status_code == 200 and "1 couple" in caseload.text
            released = threading.Timer(0.3, other.execute, args=("COMMIT",))
            released.start()
            page = client.get(f"/couples/{couple_id}")
            released.join()
        finally:
            other.close()
        assert page.status_code == 200
        with app.app_context():
            reads = db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.couple_id == couple_id)
            ).all()
        assert "couples.read" in reads
        get_database(app).engine.dispose()
