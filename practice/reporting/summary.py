"""The summary for the couple: what they may take home."""

from __future__ import annotations

from datetime import date

from practice import clock
from practice.appointments.services import upcoming_for
from practice.clock import to_local
from practice.directory.search import services_by_id
from practice.homework import services as homework
from practice.referrals.services import referrals_of
from practice.reporting.printables import handout_context
from practice.reporting.progress import agreements_section, measures_section
from practice.reporting.services import WHEN


def summary_context(couple, start: date, end: date) -> tuple[dict[str, object], dict[str, bytes]]:
    """What the couple may take home. By construction it holds no clinical notes, nothing
    about the safety check, no answers at all (only how often exercises were done), and only
    referrals shared with both partners."""
    measures, extra = measures_section(couple, start, end)
    for measure in measures:
        measure["flags"] = []  # divergence flags are for the counselor to raise in person
    names = {partner.id: partner.name for partner in couple.partners}
    done_rows = []
    open_titles = []
    for assignment in homework.assignments_of(couple):
        if assignment.partner_id is not None:
            continue  # given to one partner: not the other's business
        if assignment.due_on >= clock.today() and assignment.closed_at is None:
            open_titles.append(assignment.version.title)
        counts: dict[str, int] = {}
        for completion in assignment.completions:
            # The practice's date of sending, as in the progress report for the same period.
            sent_on = clock.local_day(completion.submitted_at) if completion.submitted_at else None
            if completion.submitted and sent_on and start <= sent_on <= end:
                who = (
                    "Together"
                    if assignment.version.mode.value == "together"
                    else names[completion.partner_id]
                )
                counts[who] = counts.get(who, 0) + 1
        for who, done in sorted(counts.items()):
            done_rows.append({"title": assignment.version.title, "who": who, "done": done})
    upcoming = [
        a
        for a in upcoming_for(couple.counselor, limit=50)
        if a.couple_id == couple.id and a.individual_partner_id is None
    ]
    shared = [r for r in referrals_of(couple) if r.shared and r.partner_id is None]
    listed = services_by_id([r.service_hsds_id for r in shared])
    handout = handout_context(
        [listed[r.service_hsds_id] for r in shared if r.service_hsds_id in listed], "", ""
    )
    context = {
        "couple_name": couple.display_name,
        "period": f"{start:%d %b %Y} to {end:%d %b %Y}",
        "counselor": couple.counselor.name,
        "measures": measures,
        "exercises": done_rows,
        "agreements": agreements_section(couple),
        "next_appointment": to_local(upcoming[0].starts_at).strftime(WHEN) if upcoming else None,
        "open_exercises": open_titles,
        "services": handout["services"],
    }
    return context, extra
