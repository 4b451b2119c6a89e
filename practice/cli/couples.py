"""A couple's whole record from the command line, for a records request."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from practice import db
from practice.audit import services as audit
from practice.cli.context import app_context
from practice.couples.models import Couple
from practice.records import export


@click.group("couple")
def couple_group() -> None:
    """A couple's record."""


@couple_group.command("export")
@click.argument("couple_id", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option(
    "--for-partner",
    "partner_id",
    type=int,
    help="prepare the record for one partner: leave out what only the other may see",
)
def export_record(couple_id: int, output: Path, partner_id: int | None) -> None:
    """Write a couple's whole record as JSON (notes, answers, measures, history...)."""
    with app_context():
        couple = db.session.get(Couple, couple_id)
        if couple is None:
            raise click.ClickException(f"No couple has the id {couple_id}.")
        partner = None
        if partner_id is not None:
            partner = next((p for p in couple.partners if p.id == partner_id), None)
            if partner is None:
                raise click.ClickException(f"Couple {couple_id} has no partner {partner_id}.")
        record = export.couple_record(couple, for_partner=partner)
        audit.record(None, "couple.export", partner or couple, couple_id=couple_id)
        db.session.commit()
    # The file holds clinical text: readable by its owner only.
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(record, file, indent=2, ensure_ascii=False)
    appointments, homework = len(record["appointments"]), len(record["homework"])
    click.echo(
        f"Wrote {output}: record of couple {couple_id}, {appointments} appointments, "
        f"{homework} assignments."
    )
