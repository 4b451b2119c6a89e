"""Months of invented history for the demo couples: appointments, signed notes, measures."""

from __future__ import annotations

import random
from datetime import time, timedelta

from practice import clock, db
from practice.accounts.models import User
from practice.agreements import services as agreements
from practice.appointments import services as appointments
from practice.appointments.models import Attendance, NoteFormat
from practice.clock import from_local
from practice.couples.models import Couple
from practice.exercises.models import ExerciseVersion, Visibility
from practice.homework import services as homework
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
    today = clock.today()
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
            "day": clock.today() + timedelta(days=in_days),
            "start_time": time(hour, 0),
            "duration_minutes": 50,
            "format": "video",
            "place": "Video link sent by e-mail",
        },
        counselor,
    )


def add_homework(couple: Couple, counselor: User, library: dict[str, ExerciseVersion]) -> None:
    """Three weeks of homework for a couple: a daily check-in, an intake exercise done by both,
    a pause agreement in force and a budget meeting waiting for an answer."""
    rng = random.Random(couple.id)  # noqa: S311 (invented demo data, not security)
    today = clock.today()
    first, second = couple.partners
    start = today - timedelta(days=15)
    naming = homework.assign(
        couple,
        library["naming-the-gap"],
        {
            "start_on": start - timedelta(days=30),
            "due_on": start - timedelta(days=20),
            "rhythm": "once",
        },
        counselor,
    )
    for partner, words in (
        (first, "We talk about the children and the bills, never about us."),
        (second, "I come home tired and go straight to my phone. I miss how we used to laugh."),
    ):
        _send(
            naming,
            partner,
            {"distance": words, "small_change": "Ten minutes together after dinner", "hope": 6},
            visibility=Visibility.SHARED,
            submit=True,
            today=start - timedelta(days=25),
            actor=partner.user or counselor,
        )
    check_in = homework.assign(
        couple,
        library["daily-check-in"],
        {
            "start_on": start,
            "due_on": start + timedelta(days=20),
            "rhythm": "times_per_week",
            "times_per_week": 5,
            "note": "After dinner, phones in the other room.",
        },
        counselor,
    )
    for offset in range(15):
        day = start + timedelta(days=offset)
        for partner in couple.partners:
            # Five days of each week at most, and now and then a day missed.
            if offset % 7 >= 5 or rng.random() < 0.2:
                continue
            completion = _send(
                check_in,
                partner,
                {
                    "spoke_minutes": 5,
                    "heard": rng.choice(REPEAT_BACKS),
                    "confirmed": True,
                    "connected": rng.randint(4, 9),
                },
                visibility=None,
                submit=True,
                today=day,
                actor=partner.user or counselor,
            )
            if offset == 3:
                homework.add_feedback(
                    completion,
                    "A clear repeat-back. Try naming the feeling you heard, too.",
                    counselor,
                )
    pause = homework.assign(
        couple,
        library["pause-agreement"],
        {"start_on": start, "due_on": start + timedelta(days=7), "rhythm": "once"},
        counselor,
    )
    _send(
        pause,
        first,
        {
            "signal": "A hand on the table",
            "break_minutes": 30,
            "during": "One of us walks; the other makes tea.",
            "return": "Whoever asked for the pause starts again",
            "revisit_on": today + timedelta(days=5),
        },
        visibility=None,
        submit=True,
        today=start + timedelta(days=1),
        actor=first.user or counselor,
    )
    db.session.flush()
    agreement = next(a for a in agreements.agreements_of(couple.id) if a.pending)
    agreements.accept_agreement(agreement, second, second.user or counselor)
    agreement.in_force.accepted_at = from_local(start + timedelta(days=2), time(21, 0))
    budget = homework.assign(
        couple,
        library["budget-meeting"],
        {
            "start_on": today - timedelta(days=6),
            "due_on": today + timedelta(days=14),
            "rhythm": "weekly",
        },
        counselor,
    )
    _send(
        budget,
        second,
        {
            "goal": "A cushion of three months' rent",
            "reviewed": ["income", "spending"],
            "decisions": "Cook at home four nights; move 200 a month to savings.",
            "revisit_on": today + timedelta(days=7),
        },
        visibility=None,
        submit=True,
        today=today - timedelta(days=2),
        actor=second.user or counselor,
    )


def _send(assignment, partner, answers, **options):
    """Send answers as on the day they were written, in the evening."""
    completion = homework.save_answers(assignment, partner, answers, **options)
    moment = from_local(options["today"], time(20, 30))
    completion.created_at = completion.updated_at = completion.submitted_at = moment
    for agreement in agreements.agreements_of(assignment.couple_id):
        for version in agreement.versions:
            if version.proposed_by_id == partner.id and version.accepted_at is None:
                version.proposed_at = moment
    return completion


REPEAT_BACKS = [
    "You felt left out when I planned the weekend without asking.",
    "Work was heavy today and you wanted quiet, not advice.",
    "You were glad I called at lunch; it made the afternoon easier.",
    "You worry about money when the car needs repairs.",
]
