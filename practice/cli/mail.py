"""E-mail: today's reminders, and the outbox."""

from __future__ import annotations

import smtplib

import click
from flask import Flask

from practice import clock, db
from practice.cli.context import app_context
from practice.homework import reminders
from practice.outbox import services as outbox


@click.group("reminders")
def reminders_group() -> None:
    """E-mail reminders of exercises due."""


@reminders_group.command("send")
def reminders_send() -> None:
    """Queue today's reminders and send the outbox (run it once a day, for example from cron)."""
    with app_context() as app:
        if not outbox.mail_is_on(app.config):
            raise click.ClickException(
                "Reminders are off: set SMTP_HOST (and MAIL_FROM) to send them."
            )
        queued = reminders.queue_due(clock.today(), app.config["PRACTICE_BASE_URL"])
        db.session.commit()
        click.echo(f"{queued} reminder e-mail{'' if queued == 1 else 's'} queued.")
        _send_outbox(app)


@click.group("outbox")
def outbox_group() -> None:
    """E-mail waiting to be sent."""


@outbox_group.command("send")
def outbox_send() -> None:
    """Send every e-mail waiting in the outbox (after a failure, the rest is sent next time)."""
    with app_context() as app:
        _send_outbox(app)


def _send_outbox(app: Flask) -> None:
    try:
        result = outbox.send_pending(app.config, db.session.commit)
    except outbox.MailOff as error:
        raise click.ClickException(str(error)) from None
    except (smtplib.SMTPException, OSError) as error:
        waiting = outbox.pending_count()
        raise click.ClickException(
            f"The mail server refused or dropped the connection ({type(error).__name__}); "
            f"{waiting} e-mail{'' if waiting == 1 else 's'} still waiting for the next run."
        ) from None
    click.echo(f"{result.sent} e-mail{'' if result.sent == 1 else 's'} sent.")
    if result.refused:
        click.echo(
            f"{result.refused} refused for good by the mail server (an unknown address?); "
            "they are not tried again."
        )
