"""Recording e-mail with the change that causes it, and sending it after the commit.

A message is sent, then marked sent and committed, one at a time: if the sender stops halfway
(a lost connection, a killed process), what was sent stays marked and the rest waits for the
next run, so nothing is lost and nothing already delivered is sent again. A message the
server refuses for good (a 5xx answer: an unknown address) is marked refused and skipped, so
one mistyped address never holds up everybody else's mail.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import func, select

from practice import clock, db
from practice.outbox.models import OutboxMessage

log = logging.getLogger(__name__)


class MailOff(RuntimeError):
    """No SMTP server is configured."""


def enqueue(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Record an e-mail to send once the current transaction commits."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    return message


def _waiting():
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.refused_at.is_(None))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*_waiting()))


@dataclass(frozen=True)
class SendResult:
    sent: int
    refused: int  # refused for good by the mail server, not to be tried again


def mail_is_on(config: Mapping[str, object]) -> bool:
    return bool(config.get("SMTP_HOST"))


def send_pending(config: Mapping[str, object], commit: Callable[[], None]) -> SendResult:
    """Send every waiting message, oldest first, committing after each one."""
    if not mail_is_on(config):
        raise MailOff("Mail is off: set SMTP_HOST (and MAIL_FROM) to send e-mail.")
    waiting = list(
        db.session.scalars(select(OutboxMessage).where(*_waiting()).order_by(OutboxMessage.id))
    )
    if not waiting:
        return SendResult(0, 0)
    sent = refused = 0
    with _connect(config) as smtp:
        for message in waiting:
            message.attempts += 1
            try:
                smtp.send_message(_email(message, config))
            except (smtplib.SMTPException, OSError) as error:
                message.last_error = type(error).__name__
                if not _refused_for_good(error):
                    commit()
                    log.warning("outbox message %s not sent: %s", message.id, message.last_error)
                    raise  # the server or the connection failed: the rest waits for next time
                message.refused_at = clock.now()
                message.body = ""
                commit()
                refused += 1
                log.warning("outbox message %s refused: %s", message.id, message.last_error)
                continue
            message.sent_at = clock.now()
            # A body may hold a sign-in link; once the server has it, it is not kept here.
            message.body = ""
            commit()
            sent += 1
            log.info("outbox message %s sent", message.id)
    return SendResult(sent, refused)


def _refused_for_good(error: Exception) -> bool:
    """A permanent (5xx) answer about this message, as opposed to a failing server."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _connect(config: Mapping[str, object]) -> smtplib.SMTP:
    smtp = smtplib.SMTP(str(config["SMTP_HOST"]), int(config["SMTP_PORT"]), timeout=30)
    if config.get("SMTP_STARTTLS"):
        smtp.starttls()
    if config.get("SMTP_USERNAME"):
        smtp.login(str(config["SMTP_USERNAME"]), str(config["SMTP_PASSWORD"]))
    return smtp


def _email(message: OutboxMessage, config: Mapping[str, object]) -> EmailMessage:
    email = EmailMessage()
    email["From"] = str(config["MAIL_FROM"])
    email["To"] = message.recipient
    email["Subject"] = message.subject
    # The same id on a repeat, so a mail server can recognise a message it already has.
    host = urlsplit(str(config.get("PRACTICE_BASE_URL", ""))).hostname or "practice.invalid"
    email["Message-ID"] = f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{host}>"
    email.set_content(message.body)
    return email
