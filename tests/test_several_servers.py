"""Two app servers and a report worker on one PostgreSQL and one Redis, as behind a load
balancer: a person signed in on one server goes on on the other, wrong passwords sent to
both are counted together, and a PDF asked for on one is made by the worker and fetched from
the other."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager

import pytest
import redis

from practice import crypto, db
from practice.access import Role
from practice.accounts import services as accounts
from practice.db import get_database
from tests.conftest import make_test_app
from tests.databases import POSTGRES_SERVER, throwaway_database
from tests.factories import AppointmentFactory, CoupleFactory, signed_note
from tests.processes import CLI, UNDER_FAKETIME, free_port, pause, run_cli, wait_for_exit
from tests.reporting.test_note_pdf import pdf_text

pytestmark = [
    pytest.mark.skipif(UNDER_FAKETIME, reason="gunicorn cannot run under libfaketime"),
    pytest.mark.skipif(
        not POSTGRES_SERVER, reason="several servers share PostgreSQL (PRACTICE_TEST_POSTGRES)"
    ),
]
REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "several servers passphrase"
MARKER = "Seen from the other server 7c2a"


class Browser:
    """A browser: cookies kept, redirects not followed, CSRF tokens read from forms."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirects(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def open(self, url: str, data: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            request = urllib.request.Request(url, data=body)  # noqa: S310 (the test's own server)
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def sign_in(self, server: str, email: str, password: str) -> int:
        _, _, page = self.open(f"{server}/sign-in")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)[1].decode()
        status, _, _ = self.open(
            f"{server}/sign-in", {"email": email, "password": password, "csrf_token": token}
        )
        return status


@contextmanager
def served(env: dict[str, str]):
    """A gunicorn app server (`practice serve`) on a port of its own; its address."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{address}/healthz", timeout=5).close()  # noqa: S310
                break
            except OSError:
                pause(0.1)
        else:
            raise AssertionError("the app server did not start")
        yield address
    finally:
        server.terminate()
        wait_for_exit(server, 30)


def test_two_app_servers_and_a_worker_share_sessions_throttling_and_reports(tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    queue = f"reports-test-{uuid.uuid4().hex}"
    keys = crypto.env_value(crypto.new_keyring())
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url, ENCRYPTION_KEYRING=crypto.parse_env(keys))
        with app.app_context():
            owner, guessed = (
                accounts.create_user(
                    email=f"{who}-{queue}@example.com",
                    name=who.title(),
                    role=Role.COUNSELOR,
                    password=PASSWORD,
                )
                for who in ("owner", "guessed")
            )
            note = signed_note(
                AppointmentFactory(couple=CoupleFactory(counselor=owner)), assessment=MARKER
            )
            owner_email, guessed_email, note_id = owner.email, guessed.email, note.id
            db.session.commit()
        get_database(app).engine.dispose()
        env = {
            **os.environ,
            "PRACTICE_ENV": "testing",  # plain http on the loopback; production needs https
            "SECRET_KEY": "s" * 40,  # the same on every server, or cookies would not carry
            "PRACTICE_ENCRYPTION_KEY": keys,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "REPORT_QUEUE": queue,
            "PRACTICE_INSTANCE_PATH": str(tmp_path),
        }
        with ExitStack() as stack:
            first, second = stack.enter_context(served(env)), stack.enter_context(served(env))
            person = Browser()
            assert person.sign_in(first, owner_email, PASSWORD) == 302
            status, _, caseload = person.open(f"{second}/couples")
            assert status == 200 and b"1 couple" in caseload  # signed in on the other one

            status, headers, _ = person.open(f"{second}/notes/{note_id}/pdf")
            assert status == 302 and headers["Location"].startswith("/reports/")
            waiting = person.open(first + headers["Location"])[2]
            assert b"Your report is being made" in waiting
            worker = run_cli("worker", "--burst", env=env, timeout=120)
            assert worker.returncode == 0, worker.stderr
            ready = person.open(first + headers["Location"])[2]
            assert b"Your report is ready" in ready
            status, _, pdf = person.open(second + headers["Location"] + "/download")
            assert status == 200 and MARKER in pdf_text(pdf)

            guesser = Browser()
            answers = [
                guesser.sign_in(server, guessed_email, "not the password!")
                for server in (first, second) * 4
            ]
            assert answers[:5] == [400] * 5  # counted together: the sixth is made to wait
            assert answers[-1] == 429
            assert guesser.sign_in(first, guessed_email, PASSWORD) == 429
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter("*"):
        if queue.encode() in key:
            store.delete(key)
