"""The `practice` command: everything an operator does."""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from practice import create_app, db, migrate
from practice.config import ConfigError
from practice.db import get_database
from practice.logs import ACCESS_LOG_FORMAT, AccessLogger, DevRequestHandler
from practice.outbox import services as outbox


def _app(**overrides: Any) -> Flask:
    try:
        return create_app(overrides or None)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def _app_context(**overrides: Any) -> Iterator[Flask]:
    """An application for one short command, its database connections closed afterwards."""
    app = _app(**overrides)
    try:
        with app.app_context():
            yield app
    finally:
        get_database(app).engine.dispose()


@click.group()
def main() -> None:
    """Practice: case management for couples counselors."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Set up the database with fictional demo data (once) and serve on this machine."""
    from practice import demo as demo_data

    app = _app(PRACTICE_ENV="development")
    migrate.upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        created = demo_data.load_once()
        db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present.")
    click.echo(f"\nPractice is running at http://{host}:{port}/\n")
    click.echo("Demo sign-ins (all fictional):")
    for account in demo_data.SIGN_INS:
        click.echo(f"  {account.role:<10} {account.email:<32} password: {account.password}")
    click.echo("\nPress Ctrl+C to stop.")
    app.run(
        host=host, port=port, debug=False, use_reloader=False, request_handler=DevRequestHandler
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve with gunicorn, the production server."""
    from gunicorn.app.base import BaseApplication

    app = _app()

    class PracticeServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            # Paths only, secrets hidden: see practice/logs.py.
            self.cfg.set("logger_class", AccessLogger)
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)

        def load(self) -> Flask:
            return app

    PracticeServer().run()


@main.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the database up to the newest migration."""
    from practice.directory.transfer import ensure_categories
    from practice.exercises.library import sync_library

    with _app_context() as app:
        migrate.upgrade(app.config["DATABASE_URL"])
        result = sync_library()
        ensure_categories()
        db.session.commit()
    click.echo(
        f"Database is up to date. Exercise library: {len(result.added)} added, "
        f"{len(result.updated)} new versions."
    )


@db_group.command("check")
def db_check() -> None:
    """Fail when the models and the migrations differ."""
    from alembic.util.exc import CommandError

    with _app_context() as app:
        try:
            migrate.check(app.config["DATABASE_URL"])
        except CommandError as error:
            raise click.ClickException(f"Models and migrations differ: {error}") from None
    click.echo("Models and migrations agree.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a migration for model changes (for developers)."""
    with _app_context() as app:
        migrate.revision(app.config["DATABASE_URL"], message)


@main.group("exercises")
def exercises_group() -> None:
    """Exercise library commands."""


@exercises_group.command("sync")
def exercises_sync() -> None:
    """Load the built-in exercise library; changed exercises get a new version."""
    from practice.exercises.library import sync_library

    with _app_context():
        result = sync_library()
        db.session.commit()
    click.echo(
        f"Library: {len(result.added)} added, {len(result.updated)} new versions, "
        f"{len(result.unchanged)} unchanged."
    )


@main.group("directory")
def directory_group() -> None:
    """Referral directory (Open Referral HSDS 3.0) commands."""


@directory_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def directory_import(path: Path) -> None:
    """Import an HSDS 3.0 tabular data package (a folder or a .zip), whole or not at all."""
    from practice.directory import transfer
    from practice.directory.package import PackageRejected

    with _app_context():
        try:
            result = transfer.import_package(path)
        except PackageRejected as error:
            db.session.rollback()
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise click.ClickException(f"Package refused; nothing was imported.\n{lines}") from None
        db.session.commit()
    click.echo(f"Imported {path}: {result.summary()}")


@directory_group.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def directory_export(path: Path) -> None:
    """Write the directory as an HSDS 3.0 tabular data package (a folder, or PATH.zip)."""
    from practice.directory import transfer

    with _app_context():
        try:
            counts = transfer.export_package(path)
        except OSError as error:
            raise click.ClickException(f"Cannot write {path}: {error.strerror}") from None
    click.echo(f"Exported {sum(counts.values())} records to {path}.")


@main.group("report")
def report_group() -> None:
    """PDF reports."""


@report_group.command("note")
@click.argument("note_id", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_note(note_id: int, output: Path) -> None:
    """Write a signed progress note as a PDF."""
    from practice.appointments.models import ProgressNote
    from practice.reporting import services

    with _app_context():
        note = db.session.get(ProgressNote, note_id)
        if note is None or not note.is_signed:
            raise click.ClickException(f"No signed note has the id {note_id}.")
        report = services.note_report(note)
        services.record(report, None, note_id)
        db.session.commit()
    _write(output, report)


def _couple_report(kind: str, couple_id: int, start, end, output: Path) -> None:
    from practice import clock
    from practice.couples.models import Couple
    from practice.reporting import services

    with _app_context():
        couple = db.session.get(Couple, couple_id)
        if couple is None:
            raise click.ClickException(f"No couple has the id {couple_id}.")
        start = start.date() if start else couple.intake_date
        end = end.date() if end else clock.today()
        build = services.progress_context if kind == "progress" else services.summary_context
        context, extra = build(couple, start, end)
        report = services.build(kind, output.name, context, extra)
        services.record(report, None, couple_id, (start, end))
        db.session.commit()
    _write(output, report)


@report_group.command("progress")
@click.argument("couple_id", type=int)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="first day (intake)")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="last day (today)")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_progress(couple_id: int, start, end, output: Path) -> None:
    """Write the couple progress report for a period."""
    _couple_report("progress", couple_id, start, end, output)


@report_group.command("summary")
@click.argument("couple_id", type=int)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="first day (intake)")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="last day (today)")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_summary(couple_id: int, start, end, output: Path) -> None:
    """Write the summary to give the couple, for a period."""
    _couple_report("summary", couple_id, start, end, output)


@report_group.command("benchmark")
@click.option("--weeks", default=52, show_default=True, type=click.IntRange(1, 104))
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20))
def report_benchmark(weeks: int, runs: int) -> None:
    """Time the progress report of a long case (in a throwaway database) against WeasyPrint."""
    import tempfile

    from practice.reporting import benchmark

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/benchmark.db"
        migrate.upgrade(url)
        app = _app(PRACTICE_ENV="testing", DATABASE_URL=url)
        try:
            with app.app_context():
                couple_id = benchmark.build_case(weeks)
                db.session.commit()
                figures = benchmark.run(couple_id, runs)
        finally:
            get_database(app).engine.dispose()
    ratio = figures["report_s"] / figures["weasyprint_s"]
    click.echo(
        f"progress report, {weeks} weekly appointments: {figures['report_s']:.2f} s "
        f"(median of {runs}); WeasyPrint alone on the same HTML: "
        f"{figures['weasyprint_s']:.2f} s; ratio {ratio:.2f}; "
        f"{figures['pages_bytes']} bytes"
    )


@report_group.command("worksheet")
@click.argument("exercise_id", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_worksheet(exercise_id: int, output: Path) -> None:
    """Write a printable blank form of a library exercise."""
    from practice.exercises.models import Exercise
    from practice.exercises.services import current_version
    from practice.reporting import services

    with _app_context():
        exercise = db.session.get(Exercise, exercise_id)
        if exercise is None:
            raise click.ClickException(f"No exercise has the id {exercise_id}.")
        report = services.worksheet(current_version(exercise))
        services.record(report, None, exercise_id)
        db.session.commit()
    _write(output, report)


@report_group.command("handout")
@click.option("--service", "hsds_ids", multiple=True, required=True, help="HSDS id; repeat it")
@click.option("--for", "for_whom", default="Local services", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def report_handout(hsds_ids: tuple[str, ...], for_whom: str, output: Path) -> None:
    """Write a handout of chosen directory services."""
    from practice.directory.search import services_by_id
    from practice.reporting import services

    with _app_context():
        found = services_by_id(list(hsds_ids))
        missing = [hsds_id for hsds_id in hsds_ids if hsds_id not in found]
        if missing:
            raise click.ClickException(f"Not in the directory: {', '.join(missing)}")
        context = services.handout_context([found[i] for i in hsds_ids], for_whom, "your counselor")
        report = services.build("handout", "services.pdf", context)
        services.record(report, None, None)
        db.session.commit()
    _write(output, report)


def _write(output: Path, report) -> None:
    try:
        output.write_bytes(report.pdf)
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}") from None
    click.echo(f"Wrote {output} ({len(report.pdf)} bytes, sha256 {report.sha256}).")


@main.group("reminders")
def reminders_group() -> None:
    """E-mail reminders of exercises due."""


@reminders_group.command("send")
def reminders_send() -> None:
    """Queue today's reminders and send the outbox (run it once a day, for example from cron)."""
    from practice import clock
    from practice.homework import reminders

    with _app_context() as app:
        if not outbox.mail_is_on(app.config):
            raise click.ClickException(
                "Reminders are off: set SMTP_HOST (and MAIL_FROM) to send them."
            )
        queued = reminders.queue_due(clock.today(), app.config["PRACTICE_BASE_URL"])
        db.session.commit()
        click.echo(f"{queued} reminder e-mail{'' if queued == 1 else 's'} queued.")
        _send_outbox(app)


@main.group("outbox")
def outbox_group() -> None:
    """E-mail waiting to be sent."""


@outbox_group.command("send")
def outbox_send() -> None:
    """Send every e-mail waiting in the outbox (after a failure, the rest is sent next time)."""
    with _app_context() as app:
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


@main.group("user")
def user_group() -> None:
    """Staff account commands."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "counselor"]), required=True)
@click.option("--name", required=True)
def user_create(email: str, role: str, name: str) -> None:
    """Create a staff account; the password is asked for, or read from standard input."""
    from practice.accounts import services
    from practice.accounts.models import Role

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with _app_context():
        try:
            user = services.create_user(email=email, name=name, role=Role(role), password=password)
            db.session.commit()
        except services.AccountError as error:
            raise click.ClickException(str(error)) from None
        except SQLAlchemyError as error:
            raise click.ClickException(
                f"Could not save the account: {error.__class__.__name__}"
            ) from None
        click.echo(f"Created {role} {user.email} (id {user.id}).")


@user_group.command("disable")
@click.argument("email")
def user_disable(email: str) -> None:
    """Disable an account and end its sessions."""
    from practice.accounts import services

    with _app_context():
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account has the e-mail {email}.")
        services.set_disabled(user, True)
        db.session.commit()
        click.echo(f"Disabled {user.email}; its sessions have ended.")
