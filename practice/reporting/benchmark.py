"""How long the progress report of a long case takes, next to WeasyPrint alone.

`practice report benchmark` builds a throwaway database with a year of weekly appointments
(signed notes), measures every week from both partners and a long daily exercise, then times
the whole report (reading, charts, template, PDF) and WeasyPrint alone on the same HTML.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from practice import clock, db
from practice.access import Role
from practice.accounts import services as accounts
from practice.appointments import services as appointments
from practice.appointments.models import Appointment, Attendance, NoteFormat
from practice.couples import services as couples
from practice.couples.models import Couple
from practice.exercises import services as exercises
from practice.exercises.library import sync_library
from practice.homework import services as homework
from practice.measures import services as measures
from practice.measures.charts import progress_chart
from practice.measures.definitions import CHECKIN, CSI4
from practice.reporting import progress, render


def build_case(weeks: int) -> int:
    """A fictional couple with ``weeks`` of history; returns the couple's id."""
    counselor = accounts.create_user(
        email="bench@example.com", name="Bench Counselor", role=Role.COUNSELOR
    )
    today = clock.today()
    start = today - timedelta(weeks=weeks)
    couple = couples.create_couple(
        counselor,
        {
            "partner_a": {"name": "Avery Bench", "pronouns": "", "email": None, "phone": ""},
            "partner_b": {"name": "Rowan Bench", "pronouns": "", "email": None, "phone": ""},
            "presenting_concerns": "",
            "goals": "Calmer talks; a weekly money meeting.",
            "intake_date": start,
            "status": "active",
            "closed_on": None,
            "closing_reason": None,
        },
    )
    content = {
        "format": "dap",
        "data_section": "Both described the week.",
        "subjective": "",
        "objective": "",
        "assessment": "Steady progress with repair attempts.",
        "plan": "Continue the daily check-in.",
        "areas": ["communication"],
        "interventions": "Speaker-listener turns.",
        "homework_reviewed": "Check-in log.",
        "risk_observed": False,
        "risk_details": "",
    }
    for week in range(weeks):
        day = start + timedelta(weeks=week)
        appointment = Appointment(
            couple=couple,
            starts_at=datetime.combine(day, clock_time(17), tzinfo=UTC),
            duration_minutes=50,
            format=appointments.AppointmentFormat.IN_PERSON,
            place="Room 2",
            attendance=Attendance.BOTH,
            created_by_id=counselor.id,
        )
        db.session.add(appointment)
        db.session.flush()
        note = appointments.start_note(appointment, counselor, NoteFormat.DAP)
        appointments.sign(note, content, note.version, counselor)
        for partner in couple.partners:
            level = 2 + 3 * week // max(1, weeks)
            measures.record_response(
                partner, CSI4, dict.fromkeys(CSI4.item_keys, level), day, counselor
            )
            if week % 2 == 0:
                measures.record_response(
                    partner, CHECKIN, dict.fromkeys(CHECKIN.item_keys, 6), day, counselor
                )
    sync_library()
    version = next(
        v for v in exercises.library_for(counselor) if v.exercise.slug == "promises-kept"
    )
    days = min(75, weeks * 7)
    assignment = homework.assign(
        couple,
        version,
        {"start_on": today - timedelta(days=days), "due_on": today, "rhythm": "daily"},
        counselor,
    )
    for offset in range(days):
        for partner in couple.partners:
            homework.save_answers(
                assignment,
                partner,
                {"promise": "Home by six", "kept": True},
                visibility=None,
                submit=True,
                today=today - timedelta(days=days - offset),
                actor=counselor,
            )
    db.session.flush()
    return couple.id


def run(couple_id: int, runs: int) -> dict[str, float]:
    """Median seconds for the whole report and for WeasyPrint alone on its HTML."""
    from weasyprint import CSS, HTML  # only when timing: importing WeasyPrint takes a while

    couple = db.session.get(Couple, couple_id)
    whole, bare = [], []
    for _ in range(runs):
        progress_chart.cache_clear()  # time the charts and the PDF, as a first request would
        render._CACHE.clear()
        started = time.perf_counter()
        context, extra = progress.progress_context(couple, couple.intake_date, clock.today())
        pdf = render.render_pdf("progress", context, extra)
        whole.append(time.perf_counter() - started)
        html = render.render_html("progress", context)
        fetcher = render.BundledOnlyFetcher(extra)
        started = time.perf_counter()
        HTML(string=html, base_url=render.ASSET_BASE, url_fetcher=fetcher).write_pdf(
            stylesheets=[
                CSS(url=render.ASSET_BASE + "_shared/print.css", url_fetcher=fetcher),
                CSS(url=render.ASSET_BASE + "progress/print.css", url_fetcher=fetcher),
            ]
        )
        bare.append(time.perf_counter() - started)
    return {
        "report_s": statistics.median(whole),
        "weasyprint_s": statistics.median(bare),
        "pages_bytes": len(pdf),
    }
