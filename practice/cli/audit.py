"""The audit trail: checking that nobody changed it behind the application's back."""

from __future__ import annotations

import click
from sqlalchemy import select

from practice import db
from practice.audit import chain
from practice.audit.models import AuditEntry
from practice.cli.context import app_context


@click.group("audit")
def audit_group() -> None:
    """Audit trail commands."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the whole audit log; fail naming the first bad entry."""
    with app_context():
        entries = db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
        )
        try:
            verdict = chain.verify(entries)
        finally:
            entries.close()  # it may stop early, at the first bad entry
    if not verdict.intact:
        raise click.ClickException(
            f"The audit log is not intact: entry {verdict.first_bad_id} {verdict.problem}."
        )
    click.echo(f"The audit log is intact: {verdict.entries} entries, each chained to the last.")
