"""With Redis, reports are made by a worker: the page that asked answers at once and follows
the report; only the person who asked gets it; Redis never holds the report's text."""

from __future__ import annotations

import uuid

import pytest
import redis
from rq import SimpleWorker
from sqlalchemy import select

from practice import db
from practice.access import Role
from practice.accounts import services as accounts
from practice.audit.models import AuditEntry
from practice.db import get_database
from practice.reporting import jobs
from practice.reporting.models import GeneratedReport
from tests.conftest import make_test_app
from tests.databases import throwaway_database
from tests.factories import AppointmentFactory, CoupleFactory, signed_note
from tests.reporting.test_note_pdf import pdf_text

REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD = "report worker passphrase"
MARKER = "Worker-made assessment 5e1d"


@pytest.fixture
def redis_server():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return REDIS_URL


def test_a_worker_makes_the_report_for_the_one_who_asked(tmp_path, redis_server):
    queue_name = f"reports-test-{uuid.uuid4().hex}"  # this run's own queue
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url, REDIS_URL=redis_server, REPORT_QUEUE=queue_name)
        with app.app_context():
            owner = accounts.create_user(
                email="owner@example.com", name="O", role=Role.COUNSELOR, password=PASSWORD
            )
            accounts.create_user(
                email="other@example.com", name="X", role=Role.COUNSELOR, password=PASSWORD
            )
            couple = CoupleFactory(counselor=owner)
            note = signed_note(AppointmentFactory(couple=couple), assessment=MARKER)
            note_id, couple_id = note.id, couple.id
            db.session.commit()
        asker, other = app.test_client(), app.test_client()
        asker.post("/sign-in", data={"email": "owner@example.com", "password": PASSWORD})
        other.post("/sign-in", data={"email": "other@example.com", "password": PASSWORD})

        asked = asker.get(f"/notes/{note_id}/pdf")
        assert asked.status_code == 302 and asked.headers["Location"].startswith("/reports/")
        waiting = asker.get(asked.headers["Location"])
        assert "Your report is being made" in waiting.text
        assert '<meta http-equiv="refresh" content="1">' in waiting.text
        assert other.get(asked.headers["Location"]).status_code == 404
        store = redis.Redis.from_url(redis_server)
        stored = b"".join(str(store.hgetall(key)).encode() for key in store.scan_iter("rq:job:*"))
        assert MARKER.encode() not in stored  # the content crosses Redis sealed

        with app.app_context():
            SimpleWorker([jobs.queue(app)], connection=jobs.connection(app)).work(burst=True)
        ready = asker.get(asked.headers["Location"])
        assert "Your report is ready" in ready.text and "refresh" not in ready.text
        download = asker.get(asked.headers["Location"] + "/download")
        assert download.mimetype == "application/pdf"
        assert MARKER in pdf_text(download.data)
        assert other.get(asked.headers["Location"] + "/download").status_code == 404
        with app.app_context():
            assert db.session.scalar(select(GeneratedReport.kind)) == "note"
            actions = db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.couple_id == couple_id)
            ).all()
            assert "report.note" in actions
        job_id = asked.headers["Location"].rsplit("/", 1)[1]
        for key in store.scan_iter("rq:*"):
            if queue_name.encode() in key or job_id.encode() in key:
                store.delete(key)  # this run's own keys only
        get_database(app).engine.dispose()


def test_without_redis_a_report_page_address_is_not_found(client, auth):
    auth.login(CoupleFactory().counselor)
    assert client.get(f"/reports/{uuid.uuid4()}").status_code == 404
    assert client.get("/reports/not-a-job/download").status_code == 404
