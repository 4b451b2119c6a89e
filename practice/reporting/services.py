"""Building reports from the records, and keeping a record of each one made."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from practice import clock, db
from practice.accounts.models import User
from practice.appointments.models import ProgressNote
from practice.appointments.services import FORMAT_SECTIONS
from practice.clock import to_local
from practice.framework import AREAS_BY_KEY
from practice.reporting.models import GeneratedReport
from practice.reporting.render import render_pdf

SECTION_LABELS = {
    "data_section": "Data",
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}
WHEN = "%d %b %Y at %H:%M"


@dataclass(frozen=True)
class Report:
    kind: str
    filename: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def note_context(note: ProgressNote) -> dict[str, object]:
    """What the signed-note report shows: the note, its signature and addenda."""
    appointment = note.appointment
    couple = appointment.couple
    return {
        "couple_name": couple.display_name,
        "appointment_when": to_local(appointment.starts_at).strftime(WHEN),
        "individual": appointment.individual_partner.name
        if appointment.individual_partner
        else None,
        "note_format": note.format.label,
        "author": note.author.name,
        "sections": [
            (SECTION_LABELS[name], getattr(note, name)) for name in FORMAT_SECTIONS[note.format]
        ],
        "areas": [AREAS_BY_KEY[key].label for key in note.areas if key in AREAS_BY_KEY],
        "interventions": note.interventions,
        "homework_reviewed": note.homework_reviewed,
        "risk_observed": note.risk_observed,
        "risk_details": note.risk_details,
        "signed_by": note.signed_by.name,
        "signed_when": to_local(note.signed_at).strftime(WHEN),
        "content_hash": note.content_hash,
        "addenda": [
            {
                "reason": addendum.reason,
                "body": addendum.body,
                "signed_by": addendum.signed_by.name,
                "signed_when": to_local(addendum.signed_at).strftime(WHEN),
                "content_hash": addendum.content_hash,
            }
            for addendum in note.addenda
        ],
    }


def note_filename(note: ProgressNote) -> str:
    return f"note-{note.id}-{to_local(note.appointment.starts_at):%Y%m%d}.pdf"


def build(
    kind: str, filename: str, context: dict[str, object], extra: dict[str, bytes] | None = None
) -> Report:
    """Render a report from a context already read from the database (and its charts)."""
    return Report(kind, filename, render_pdf(kind, context, extra))


def note_report(note: ProgressNote) -> Report:
    """The PDF of a signed note."""
    if not note.is_signed:
        raise ValueError("only signed notes are printed")
    return build("note", note_filename(note), note_context(note))


def record(
    report: Report,
    actor: User | None,
    subject_id: int | None,
    period: tuple[date | None, date | None] = (None, None),
) -> GeneratedReport:
    """Note that a report was made, by whom, for what, and its SHA-256."""
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
    return entry


def worksheet_context(version, assignment=None) -> dict[str, object]:
    """A blank form of an exercise version, with the assignment's details when there is one."""
    context: dict[str, object] = {
        "title": version.title,
        "for_whom": "Exercise worksheet",
        "dates": None,
        "minutes": version.minutes,
        "rhythm": version.rhythm.label.lower(),
        "mode": version.mode.label,
        "purpose": version.purpose,
        "note": None,
        "instructions": version.instructions,
        "fields": version.fields,
    }
    if assignment is not None:
        context["for_whom"] = (
            assignment.partner.name if assignment.partner else assignment.couple.display_name
        )
        context["dates"] = f"{assignment.start_on:%d %b %Y} to {assignment.due_on:%d %b %Y}"
        context["rhythm"] = assignment.rhythm.label.lower()
        context["note"] = assignment.note or None
    return context


def worksheet(version, assignment=None) -> Report:
    name = f"worksheet-{version.exercise_id}-v{version.number}.pdf"
    return build("worksheet", name, worksheet_context(version, assignment))


def handout_context(services_listed, for_whom: str, counselor: str) -> dict[str, object]:
    """Chosen services with how to reach them, for partners to take home."""
    return {
        "for_whom": for_whom,
        "counselor": counselor,
        "services": [
            {
                "name": service.name,
                "organization": service.organization,
                "description": service.description,
                "addresses": [place.address for place in service.locations if place.address],
                "online": service.online,
                "phones": list(dict.fromkeys(service.phones)),
                "email": service.email,
                "url": service.url,
                "hours": service.hours,
                "languages": service.languages,
                "fees": service.fees,
            }
            for service in services_listed
        ],
    }


# --- the couple progress report -----------------------------------------------------------

DAY = "%d %b %Y"


def _measures(couple, start: date, end: date) -> tuple[list[dict], dict[str, bytes]]:
    """Each progress measure for a period: a table, a chart, change and divergence flags."""
    from sqlalchemy import select

    from practice.measures import charts, scoring
    from practice.measures.definitions import PROGRESS_MEASURES
    from practice.measures.models import MeasureResponse
    from practice.reporting.render import ASSET_BASE

    def within(day: date) -> bool:
        return start <= day <= end

    responses = [
        r
        for r in db.session.scalars(
            select(MeasureResponse)
            .where(MeasureResponse.couple_id == couple.id)
            .order_by(MeasureResponse.taken_on, MeasureResponse.id)
        )
        if within(r.taken_on)
    ]
    extra: dict[str, bytes] = {}
    measures = []
    for measure in PROGRESS_MEASURES:
        series = []
        rows = []
        latest = {}
        for partner in couple.partners:
            mine = [
                r for r in responses if r.measure_key == measure.key and r.partner_id == partner.id
            ]
            series.append((partner.name, tuple((r.taken_on, r.total) for r in mine)))
            if mine:
                change = scoring.change(measure, mine[0].total, mine[-1].total)
                latest[partner.id] = mine[-1]
                rows.append(
                    {
                        "partner": partner.name,
                        "first": f"{mine[0].total:g}",
                        "latest": f"{mine[-1].total:g}",
                        "change": f"{change.difference:+g}",
                        "count": len(mine),
                    }
                )
            else:
                rows.append(
                    {
                        "partner": partner.name,
                        "first": "—",
                        "latest": "—",
                        "change": "—",
                        "count": 0,
                    }
                )
        flags = []
        if len(latest) == 2:
            one, other = latest.values()
            if scoring.totals_diverge(measure, one.total, other.total):
                flags.append(
                    f"The partners' latest scores are {measure.divergence:g} or more apart."
                )
            items = scoring.diverging_items(measure, one.answers, other.answers)
            if items:
                names = [item.short for item in measure.items if item.key in items]
                flags.append(
                    f"They differ by {measure.item_divergence:g} or more on: {', '.join(names)}."
                )
        chart_url = None
        if any(points for _name, points in series):
            chart_url = f"{ASSET_BASE}generated/{measure.key}.svg"
            extra[chart_url] = charts.progress_chart(measure.key, tuple(series), True)
        measures.append(
            {
                "title": measure.title,
                "rows": rows,
                "flags": flags,
                "chart": chart_url,
                "cutoff": measure.cutoff_meaning,
                "source": measure.source if measure.citation_required else "",
            }
        )
    return measures, extra


def _adherence(couple, start: date, end: date) -> list[dict]:
    """Homework done and missed in a period, by framework area and by who answers."""

    from practice.homework import schedule
    from practice.homework import services as homework

    adherence_rows = []
    names = {p.id: p.name for p in couple.partners}
    by_area: dict[tuple[str, str], list[int]] = {}
    for assignment in homework.assignments_of(couple):
        if assignment.due_on < start or assignment.start_on > end:
            continue
        for who in schedule.answerers(assignment):
            sent = [
                c
                for c in assignment.completions
                if c.submitted and (who is None or c.partner_id == who)
            ]
            result = schedule.adherence(assignment, sent, min(end, clock.today()))
            key = (
                AREAS_BY_KEY[assignment.version.area].label,
                "Together" if who is None else names[who],
            )
            done, missed = by_area.get(key, [0, 0])
            by_area[key] = [done + result.done, missed + result.missed]
    for (area, who), (done, missed) in sorted(by_area.items()):
        due = done + missed
        adherence_rows.append(
            {
                "area": area,
                "who": who,
                "done": done,
                "missed": missed,
                "percent": f"{round(100 * done / due)}%" if due else "—",
            }
        )
    return adherence_rows


def _agreements(couple) -> list[dict]:
    """Agreements in force, with who signed them and their text."""

    from practice.agreements import services as agreements

    rows = []
    for agreement in agreements.agreements_of(couple.id):
        version = agreement.in_force
        if version is None:
            continue
        labels = {f["key"]: f["label"] for f in agreement.version.fields}
        rows.append(
            {
                "title": agreement.title,
                "signed": f"{version.proposed_by.name} and {version.accepted_by.name}",
                "revisit": agreement.revisit_on.strftime(DAY) if agreement.revisit_on else "",
                "content": [
                    (labels.get(k, k), ", ".join(v) if isinstance(v, list) else v)
                    for k, v in version.content.items()
                ],
            }
        )
    return rows


def progress_context(couple, start: date, end: date) -> tuple[dict[str, object], dict[str, bytes]]:
    """Everything the progress report shows for a period, and the charts it embeds."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from practice.appointments.models import Appointment, Attendance
    from practice.measures.services import endorsed_items, safety_screens_of
    from practice.referrals.services import referrals_of

    def within(day: date) -> bool:
        return start <= day <= end

    appointments = [
        a
        for a in db.session.scalars(
            select(Appointment)
            .where(Appointment.couple_id == couple.id)
            .options(selectinload(Appointment.note).selectinload(ProgressNote.addenda))
            .order_by(Appointment.starts_at)
        )
        if within(to_local(a.starts_at).date())
    ]
    attended = sum(a.attendance in (Attendance.BOTH, Attendance.ONE_PARTNER) for a in appointments)
    measures, extra = _measures(couple, start, end)
    adherence_rows = _adherence(couple, start, end)
    agreements = _agreements(couple)
    notes = [
        {
            "when": to_local(a.starts_at).strftime(DAY),
            "assessment": a.note.assessment,
            "plan": a.note.plan,
            "addenda": [
                {"when": to_local(x.signed_at).strftime(DAY), "reason": x.reason, "body": x.body}
                for x in a.note.addenda
            ],
        }
        for a in appointments
        if a.note is not None and a.note.is_signed
    ]
    referral_rows = [
        {
            "service": r.service_name,
            "for_whom": r.partner.name if r.partner else "the couple",
            "status": r.status.label,
            "when": to_local(r.events[-1].at).strftime(DAY),
        }
        for r in referrals_of(couple)
    ]
    safety = [
        {
            "when": to_local(s.taken_at).strftime(DAY),
            "partner": s.partner.name,
            "result": (
                "positive: "
                + "; ".join(endorsed_items(s))
                + (f"; followed up {to_local(s.reviewed_at):%d %b %Y}" if s.reviewed_at else "")
            )
            if s.positive
            else "no concerns answered",
        }
        for s in safety_screens_of(couple)
        if within(to_local(s.taken_at).date())
    ]
    context = {
        "couple_name": couple.display_name,
        "period": f"{start:%d %b %Y} to {end:%d %b %Y}",
        "counselor": couple.counselor.name,
        "status": couple.status.label,
        "goals": couple.goals,
        "attendance": {
            "summary": f"{attended} of {len(appointments)} appointments attended.",
            "rows": [
                {
                    "when": to_local(a.starts_at).strftime(WHEN),
                    "format": a.format.label,
                    "attendance": a.attendance_label,
                }
                for a in appointments
            ],
        },
        "measures": measures,
        "adherence": adherence_rows,
        "agreements": agreements,
        "notes": notes,
        "referrals": referral_rows,
        "safety": safety,
    }
    return context, extra


# --- the summary for the couple -------------------------------------------------------------


def summary_context(couple, start: date, end: date) -> tuple[dict[str, object], dict[str, bytes]]:
    """What the couple may take home. By construction it holds no clinical notes, nothing
    about the safety check, no answers at all (only how often exercises were done), and only
    referrals shared with both partners."""
    from practice.appointments.services import upcoming_for
    from practice.directory.search import services_by_id
    from practice.homework import services as homework
    from practice.referrals.services import referrals_of

    measures, extra = _measures(couple, start, end)
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
            sent_on = completion.submitted_at.date() if completion.submitted_at else None
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
        "agreements": _agreements(couple),
        "next_appointment": to_local(upcoming[0].starts_at).strftime(WHEN) if upcoming else None,
        "open_exercises": open_titles,
        "services": handout["services"],
    }
    return context, extra
