"""The `practice` command: everything an operator does, one module per group of commands."""

from __future__ import annotations

import click

from practice.cli import (
    audit,
    backups,
    bench,
    couples,
    database,
    directory,
    keys,
    mail,
    reports,
    seed,
    server,
    users,
)


@click.group()
def main() -> None:
    """Practice: case management for couples counselors."""


for command in (
    server.demo,
    server.serve,
    server.worker,
    database.db_group,
    database.exercises_group,
    directory.directory_group,
    reports.report_group,
    couples.couple_group,
    mail.reminders_group,
    mail.outbox_group,
    users.user_group,
    audit.audit_group,
    keys.keys_group,
    backups.backup,
    backups.restore,
    seed.seed_command,
    bench.bench,
):
    main.add_command(command)
