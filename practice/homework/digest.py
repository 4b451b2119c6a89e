"""What happened with the homework since a moment (the last appointment): for the notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from practice import clock
from practice.agreements.models import Agreement
from practice.couples.models import Couple
from practice.homework import schedule
from practice.homework.models import Assignment


@dataclass(frozen=True)
class DigestLine:
    title: str
    detail: str


@dataclass(frozen=True)
class Digest:
    since: datetime | None
    lines: list[DigestLine]

    def as_text(self) -> str:
        head = (
            f"Homework since the appointment of {clock.local_day(self.since):%d %b %Y}:"
            if self.since
            else "Homework so far:"
        )
        return "\n".join([head, *(f"- {line.title}: {line.detail}" for line in self.lines)])


def digest(
    couple: Couple,
    assignments: list[Assignment],
    agreements: list[Agreement],
    since: datetime | None,
    today: date,
) -> Digest:
    """What was sent or missed, and what was agreed, since a moment (everything, when None)."""
    names = {partner.id: partner.name for partner in couple.partners}
    since_day = clock.local_day(since) if since else None
    lines = []
    for assignment in assignments:
        if assignment.start_on > today or (since_day and assignment.due_on < since_day):
            continue
        parts = []
        for who in schedule.answerers(assignment):
            counted = schedule.answers_that_count(assignment, who)
            sent = [c for c in counted if since is None or c.submitted_at >= since]
            missed = schedule.missed_between(assignment, counted, since_day, today)
            label = "together" if who is None else names[who]
            parts.append(f"{label} {len(sent)} sent" + (f", {missed} missed" if missed else ""))
        status = schedule.status(assignment, today).value
        lines.append(DigestLine(assignment.version.title, f"{status}; " + "; ".join(parts)))
    for agreement in agreements:
        in_force = agreement.in_force
        if in_force and (since is None or in_force.accepted_at >= since):
            revisit = (
                f", to revisit {agreement.revisit_on:%d %b %Y}" if agreement.revisit_on else ""
            )
            lines.append(DigestLine(agreement.title, f"agreed by both{revisit}"))
        if agreement.pending is not None:
            what = "changes proposed" if in_force else "proposed"
            who = names[agreement.pending.proposed_by_id]
            lines.append(
                DigestLine(agreement.title, f"{what} by {who}, waiting for the other partner")
            )
    return Digest(since=since, lines=lines)
