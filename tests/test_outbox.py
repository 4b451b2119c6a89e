"""The outbox: mail is recorded with its change and sent after the commit; a send that dies
halfway loses nothing and sends nothing twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from practice import db
from practice.access import Role
from practice.accounts import services as accounts
from practice.couples.models import CoupleStatus
from practice.db import get_database
from practice.outbox import services as outbox
from practice.outbox.models import OutboxMessage
from tests.conftest import Inbox, make_test_app
from tests.databases import throwaway_database
from tests.factories import CoupleFactory, couple_with_portal, make_assignment, make_exercise
from tests.processes import CLI, free_port, run_cli, wait_for_exit

PASSWORD = "outbox test passphrase"
PARTNERS = ("ada.moss@example.com", "bo.reed@example.com", "cy.lark@example.com")


class KillingInbox:
    """A mail server that can kill the sender the moment its second message arrives."""

    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.kill_on_second: int | None = None  # the sender's process id

    async def handle_DATA(self, server, session, envelope):
        if self.kill_on_second is not None and len(self.recipients) == 1:
            os.kill(self.kill_on_second, signal.SIGKILL)  # before the server says it has it
            return "421 Going away"
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def _three_partners_due_today(url: str) -> None:
    app = make_test_app(url)
    with app.app_context():
        counselor = accounts.create_user(
            email="outbox.counselor@example.com", name="C", role=Role.COUNSELOR, password=PASSWORD
        )
        exercise = make_exercise(title="Evening check-in")
        for index, email in enumerate(PARTNERS):
            couple = couple_with_portal(
                counselor,
                ((f"P{index}", email), (f"Q{index}", f"q{index}@x.example.com")),
                PASSWORD,
            )
            make_assignment(couple, exercise, partner_id=couple.partners[0].id)
        db.session.commit()
    get_database(app).engine.dispose()


def _counts(url: str) -> tuple[int, int]:
    app = make_test_app(url)
    with app.app_context():
        sent = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_not(None))
        )
        waiting = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
        )
    get_database(app).engine.dispose()
    return sent, waiting


def test_a_send_killed_halfway_loses_nothing_and_sends_nothing_twice(tmp_path):
    inbox = KillingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with throwaway_database(tmp_path) as url:
            _three_partners_due_today(url)
            env = {
                **os.environ,
                "PRACTICE_ENV": "testing",
                "DATABASE_URL": url,
                "PRACTICE_INSTANCE_PATH": str(tmp_path),
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(port),
                "SMTP_STARTTLS": "false",
                "MAIL_FROM": "practice@example.com",
            }
            first = subprocess.Popen([*CLI, "reminders", "send"], env=env)
            inbox.kill_on_second = first.pid
            assert wait_for_exit(first, timeout=120) == -signal.SIGKILL
            assert len(inbox.recipients) == 1
            assert _counts(url) == (1, 2)  # the one delivered is marked; two wait

            inbox.kill_on_second = None
            second = run_cli("outbox", "send", env=env)
            assert second.returncode == 0, second.stderr
            assert "2 e-mails sent." in second.stdout
            assert sorted(inbox.recipients) == sorted(PARTNERS)  # each once, none twice
            assert _counts(url) == (3, 0)
            again = run_cli("reminders", "send", env=env)
            assert "0 reminder e-mails queued." in again.stdout  # reminded once a day
            assert len(inbox.recipients) == 3
    finally:
        controller.stop()


def test_mail_waits_in_the_outbox_until_its_transaction_commits(app, db_session):
    outbox.enqueue("dee.hart@example.com", "Subject", "Body")
    db_session.rollback()  # the change it belonged to did not happen: neither does the mail
    assert outbox.pending_count() == 0


def test_a_partners_sign_in_link_is_e_mailed_after_the_commit(
    app, client, auth, db_session, smtp_server, mail_settings
):
    inbox, _port = smtp_server
    couple = CoupleFactory(partners=["Juno Bay", "Kit Bay"])
    couple.partners[0].email = "juno.bay@example.com"
    auth.login(couple.counselor)
    shown = client.post(
        f"/couples/{couple.id}/partners/{couple.partners[0].id}/invitation",
        follow_redirects=True,
    )
    assert "on its way by e-mail to juno.bay@example.com" in shown.text
    token = re.search(r'value="http[^"]+/invitation/([^"]+)"', shown.text)[1]
    link = f"{app.config['PRACTICE_BASE_URL']}/invitation/{token}"  # the site's own address
    assert inbox.messages == []  # recorded with the invitation, not sent from the request
    (waiting,) = db_session.scalars(select(OutboxMessage)).all()
    assert waiting.recipient == "juno.bay@example.com" and link in waiting.body
    assert outbox.send_pending(app.config, db.session.commit).sent == 1
    ((recipients, body),) = inbox.messages
    assert recipients == ["juno.bay@example.com"] and link in body.replace("=\n", "")
    assert "Kit Bay" not in body
    db_session.refresh(waiting)
    assert waiting.sent_at is not None and waiting.body == ""  # the link is not kept


def test_a_refused_invitation_queues_no_mail(client, auth, db_session, mail_settings):
    couple = CoupleFactory(status=CoupleStatus.CLOSED)
    couple.partners[0].email = "lee.moss@example.com"
    auth.login(couple.counselor)
    client.post(f"/couples/{couple.id}/partners/{couple.partners[0].id}/invitation")
    assert outbox.pending_count() == 0


class RefusingInbox(Inbox):
    """A mail server that knows every address but one."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("typo"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_one_unknown_address_never_holds_up_the_rest(app, db_session, mail_settings, monkeypatch):
    inbox = RefusingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    try:
        outbox.enqueue("typo.mos@example.com", "Reminder", "First in line, mistyped")
        outbox.enqueue("pia.sand@example.com", "Reminder", "Second in line")
        db_session.commit()
        result = outbox.send_pending(app.config, db.session.commit)
        again = outbox.send_pending(app.config, db.session.commit)
    finally:
        controller.stop()
    assert (result.sent, result.refused) == (1, 1)
    assert [recipients for recipients, _body in inbox.messages] == [["pia.sand@example.com"]]
    assert (again.sent, again.refused) == (0, 0)  # the refused one is not tried again
    assert outbox.pending_count() == 0
