"""Two people writing at the same moment: both writes land, nobody sees an error page."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from practice import db
from practice.access import Role
from practice.accounts import services as accounts
from practice.db import get_database
from practice.homework.models import Completion
from tests.conftest import make_test_app
from tests.databases import throwaway_database
from tests.factories import couple_with_portal, make_assignment, make_exercise

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
