"""The referral directory: HSDS 3.0 packages in and out."""

from __future__ import annotations

from pathlib import Path

import click

from practice import db
from practice.cli.context import app_context
from practice.directory import transfer
from practice.directory.package import PackageRejected


@click.group("directory")
def directory_group() -> None:
    """Referral directory (Open Referral HSDS 3.0) commands."""


@directory_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def directory_import(path: Path) -> None:
    """Import an HSDS 3.0 tabular data package (a folder or a .zip), whole or not at all."""
    with app_context():
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
    with app_context():
        try:
            counts = transfer.export_package(path)
        except OSError as error:
            raise click.ClickException(f"Cannot write {path}: {error.strerror}") from None
    click.echo(f"Exported {sum(counts.values())} records to {path}.")
