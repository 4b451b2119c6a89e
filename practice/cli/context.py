"""What every command needs: an application built from the environment's settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask

from practice import create_app
from practice.config import ConfigError
from practice.db import get_database
from practice.reporting.services import Report


def make_app(**overrides: Any) -> Flask:
    """The application, or a clear message (not a traceback) when the settings cannot run."""
    try:
        return create_app(overrides or None)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def app_context(**overrides: Any) -> Iterator[Flask]:
    """An application for one short command, its database connections closed afterwards."""
    app = make_app(**overrides)
    try:
        with app.app_context():
            yield app
    finally:
        get_database(app).engine.dispose()


def write_report(output: Path, report: Report) -> None:
    try:
        output.write_bytes(report.pdf)
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}") from None
    click.echo(f"Wrote {output} ({len(report.pdf)} bytes, sha256 {report.sha256}).")
