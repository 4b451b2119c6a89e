from __future__ import annotations

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.homework import reminders
from practice.homework import services as homework
from practice.homework.models import ReminderSent
from practice.outbox import services as outbox
from tests.factories import CoupleFactory, make_assignment, make_exercise, partner_with_login

SECRET = "PRIVATE-ANSWER-TEXT-5521"


def send_due(app) -> int:
    """What `practice reminders send` does: queue today's reminders, then send the outbox."""
    queued = reminders.queue_due(clock.today(), app.config["PRACTICE_BASE_URL"])
    db.session.commit()
    outbox.send_pending(app.config, db.session.commit)
    return queued


def test_mail_is_off_unless_configured(app, db_session):
    with pytest.raises(outbox.MailOff):
        outbox.send_pending(app.config, db.session.commit)


def test_due_exercises_are_reminded_once_without_anything_a_partner_wrote(
    app, db_session, smtp_server, mail_settings
):
    inbox, _port = smtp_server
    couple = CoupleFactory(partners=["Lou Park", "Kim Park"])
    lou = partner_with_login(couple, 1)
    partner_with_login(couple, 2)
    assignment = make_assignment(couple, make_exercise(title="Evening check-in"))
    # Kim has already done today's answer, with private words in it.
    homework.save_answers(
        assignment,
        couple.partners[1],
        {"heard": SECRET, "connected": 4},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=couple.partners[1].user,
    )
    assert send_due(app) == 1
    assert len(inbox.messages) == 1
    recipients, body = inbox.messages[0]
    assert recipients == [lou.email]
    assert "Evening check-in" in body and "/portal/" in body
    assert SECRET not in body
    # Sent once: a second run the same day sends nothing more.
    assert send_due(app) == 0
    assert len(db_session.scalars(select(ReminderSent)).all()) == 1


def test_partners_without_a_sign_in_are_not_reminded(app, db_session, smtp_server, mail_settings):
    inbox, _port = smtp_server
    couple = CoupleFactory()
    make_assignment(couple, make_exercise())
    assert send_due(app) == 0
    assert inbox.messages == []
