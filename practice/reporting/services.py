"""Making a report: rendering its context and keeping a record of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from practice import db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.reporting.models import GeneratedReport
from practice.reporting.render import render_pdf

# How reports write dates and times (in the practice's time zone).
DAY = "%d %b %Y"
WHEN = "%d %b %Y at %H:%M"


@dataclass(frozen=True)
class Report:
    kind: str
    filename: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def build(
    kind: str, filename: str, context: dict[str, object], extra: dict[str, bytes] | None = None
) -> Report:
    """Render a report from a context already read from the database (and its charts)."""
    return Report(kind, filename, render_pdf(kind, context, extra))


def record(
    report: Report,
    actor: User | None,
    subject_id: int | None,
    period: tuple[date | None, date | None] = (None, None),
    *,
    couple_id: int | None = None,
    purpose: str | None = None,
) -> GeneratedReport:
    """Note that a report was made, by whom, for what, and its SHA-256 (in the audit trail
    too, under the couple it is about, with its purpose when it has one other than the
    clinical record: "report.progress.outside")."""
    entry = GeneratedReport(
        kind=report.kind,
        subject_id=subject_id,
        period_from=period[0],
        period_to=period[1],
        sha256=report.sha256,
        generated_by_id=actor.id if actor is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    action = f"report.{report.kind}" + (f".{purpose}" if purpose else "")
    audit.record(actor, action, entry, couple_id=couple_id)
    return entry
