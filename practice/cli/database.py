"""The schema and the built-in exercise library."""

from __future__ import annotations

import click
from alembic.util.exc import CommandError

from practice import db, migrate
from practice.cli.context import app_context
from practice.directory.transfer import ensure_categories
from practice.exercises.library import sync_library


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the database up to the newest migration."""
    with app_context() as app:
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
    with app_context() as app:
        try:
            migrate.check(app.config["DATABASE_URL"])
        except CommandError as error:
            raise click.ClickException(f"Models and migrations differ: {error}") from None
    click.echo("Models and migrations agree.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a migration for model changes (for developers)."""
    with app_context() as app:
        migrate.revision(app.config["DATABASE_URL"], message)


@click.group("exercises")
def exercises_group() -> None:
    """Exercise library commands."""


@exercises_group.command("sync")
def exercises_sync() -> None:
    """Load the built-in exercise library; changed exercises get a new version."""
    with app_context():
        result = sync_library()
        db.session.commit()
    click.echo(
        f"Library: {len(result.added)} added, {len(result.updated)} new versions, "
        f"{len(result.unchanged)} unchanged."
    )
