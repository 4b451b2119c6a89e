"""Months of invented history for the demo couples: appointments, signed notes, measures."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from practice.accounts.models import User
from practice.appointments import services as appointments
from practice.appointments.models import Attendance, NoteFormat
from practice.couples.models import Couple
from practice.measures import services as measures
from practice.measures.definitions import CHECKIN, CSI4

NOTE_LINES = [
    (
        "Both described a calmer week; one evening argument about spending ended early.",
        "Couple used the pause signal once; repair attempt accepted the next morning.",
        "Continue the ten-minute daily check-in; bring the budget draft next time.",
    ),
    (
        "Partners reported two missed check-ins due to late shifts.",
        "Commitment is there; scheduling is the obstacle rather than motivation.",
        "Move the check-in to breakfast; each writes one promise kept this week.",
    ),
    (
        "Discussed the weekend visit to family; raised voices early in the session.",
        "Escalation pattern familiar; both could name their part once slowed down.",
        "Practise summarising before answering; review the pause agreement.",
    ),
    (
        "Shared a budget meeting summary; agreed a monthly savings amount.",
        "Clear progress on finances; less blame in how they describe money.",
        "Keep the monthly meeting; start the parenting routine chart.",
    ),
]


def _csi4_answers(level: float) -> dict[str, int]:
    """CSI-4 answers that add up to roughly ``level`` (0–21)."""
    happiness = max(0, min(6, round(level * 6 / 21)))
    rest = max(0, min(15, round(level) - happiness))
    base, extra = divmod(rest, 3)
    values = [min(5, base + (1 if index < extra else 0)) for index in range(3)]
    return dict(zip(CSI4.item_keys, [happiness, *values], strict=True))


def _checkin_answers(level: float, rng: random.Random) -> dict[str, int]:
    return {
        key: max(0, min(10, round(level + rng.uniform(-1.5, 1.5)))) for key in CHECKIN.item_keys
    }


def add_history(couple: Couple, counselor: User, *, weeks: int, seed: int, at: time) -> None:
    """Weekly appointments with signed notes, and partners' measures trending up."""
    rng = random.Random(seed)  # noqa: S311 (invented demo data, not security)
    today = date.today()
    first_day = today - timedelta(weeks=weeks)
    for week in range(weeks):
        day = first_day + timedelta(weeks=week)
        appointment = appointments.schedule(
            couple,
            {
                "day": day,
                "start_time": at,
                "duration_minutes": 50,
                "format": "in_person" if week % 3 else "video",
                "place": "Room 2",
            },
            counselor,
        )
        roll = rng.random()
        if roll < 0.07:
            attendance = {"attendance": Attendance.CANCELLED.value}
        elif roll < 0.12:
            attendance = {
                "attendance": Attendance.ONE_PARTNER.value,
                "attending_partner_id": couple.partners[0].id,
            }
        else:
            attendance = {"attendance": Attendance.BOTH.value}
        appointments.record_attendance(appointment, attendance, counselor)
        if attendance["attendance"] == Attendance.CANCELLED.value:
            continue
        data, assessment, plan = NOTE_LINES[week % len(NOTE_LINES)]
        note = appointments.start_note(appointment, counselor, NoteFormat.DAP)
        content = {
            "format": "dap",
            "data_section": data,
            "subjective": "",
            "objective": "",
            "assessment": assessment,
            "plan": plan,
            "areas": rng.sample(["communication", "empathy", "boundaries", "commitment_repair"], 2),
            "interventions": "Speaker-listener turns; repair script rehearsal.",
            "homework_reviewed": "Daily check-in log.",
            "risk_observed": False,
            "risk_details": "",
        }
        appointments.sign(note, content, note.version, counselor)
        progress = week / max(1, weeks - 1)
        for index, partner in enumerate(couple.partners):
            start, gain = ((9.0, 8.0), (8.0, 4.0))[index]
            level = start + gain * progress + rng.uniform(-1, 1)
            if week % 2 == 0:
                measures.record_response(partner, CSI4, _csi4_answers(level), day, counselor)
            measures.record_response(
                partner, CHECKIN, _checkin_answers(3 + 5 * progress + index, rng), day, counselor
            )
    # The next appointment, next week.
    appointments.schedule(
        couple,
        {
            "day": today + timedelta(days=(7 - today.weekday()) % 7 or 7),
            "start_time": at,
            "duration_minutes": 50,
            "format": "in_person",
            "place": "Room 2",
        },
        counselor,
    )


def upcoming(couple: Couple, counselor: User, *, in_days: int, hour: int) -> None:
    """A video appointment a few days ahead, at a local hour."""
    appointments.schedule(
        couple,
        {
            "day": date.today() + timedelta(days=in_days),
            "start_time": time(hour, 0),
            "duration_minutes": 50,
            "format": "video",
            "place": "Video link sent by e-mail",
        },
        counselor,
    )
