"""Backups: made while the app runs, encrypted, and restored with a check."""

from __future__ import annotations

from pathlib import Path

import click

from practice import backups
from practice import models as every_model  # noqa: F401 (all tables in the metadata)
from practice.cli.context import make_app
from practice.db import Base, get_database


def _tables() -> list[str]:
    return ["alembic_version", *(table.name for table in Base.metadata.sorted_tables)]


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def backup(path: Path) -> None:
    """Write an encrypted, consistent backup of the database to PATH, while the app runs."""
    app = make_app()
    keys = app.config["ENCRYPTION_KEYRING"]
    try:
        size = backups.make_backup(app.config["DATABASE_URL"], path, keys)
    except (backups.BackupError, OSError) as error:
        raise click.ClickException(f"No backup made: {error}") from None
    finally:
        get_database(app).engine.dispose()
    click.echo(f"Wrote {path} ({size} bytes, encrypted with key {keys.current}).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def restore(path: Path) -> None:
    """Restore a backup into the (empty) database of DATABASE_URL; check it and count rows."""
    app = make_app()
    get_database(app).engine.dispose()  # the restore opens its own connections
    try:
        restored = backups.restore(
            path, app.config["DATABASE_URL"], _tables(), app.config["ENCRYPTION_KEYRING"]
        )
    except backups.BackupError as error:
        raise click.ClickException(f"Nothing restored: {error}") from None
    click.echo(f"Restored {path}; integrity check: {restored.integrity}.")
    for table, count in restored.rows.items():
        click.echo(f"  {table}: {count}")
    if restored.integrity != "ok":
        raise click.ClickException("The restored database failed its integrity check.")
