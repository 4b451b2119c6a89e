"""One couple's invented course of work, as rows: partners, appointments with signed notes,
measures, a safety check, homework and its answers, an agreement and a referral.

A case runs from its intake day to today (or its closing day): an appointment most weeks,
a check-in from both partners at every session and a CSI-4 at every other, a new block of
homework every three weeks (a daily check-in five times a week and one exercise from the
library) with most of it done, and scores that drift upwards, as in a case that is helping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from practice.access import Role
from practice.accounts.models import User
from practice.agreements.models import Agreement, AgreementStatus, AgreementVersion
from practice.appointments.models import (
    Appointment,
    AppointmentFormat,
    Attendance,
    NoteFormat,
    NoteStatus,
    NoteVersion,
    ProgressNote,
)
from practice.appointments.services import content_hash
from practice.clock import from_local
from practice.couples.models import CaseEvent, CaseEventKind, Couple, CoupleStatus, Partner
from practice.exercises.models import ExerciseVersion, Mode, Rhythm, Visibility
from practice.homework.models import Assignment, Completion, CompletionStatus, Feedback
from practice.measures import scoring
from practice.measures.definitions import CHECKIN, CSI4
from practice.measures.models import MeasureResponse, SafetyScreen
from practice.referrals.models import Referral, ReferralEvent, ReferralStatus
from practice.seed.bulk import Batches, Ids
from practice.seed.people import CONCERNS, GOALS, PRONOUNS, person_name, phone

NOTE_TEXT = (
    (
        "Both described a calmer week with one short argument about chores.",
        "The pause signal is being used; repair comes sooner than before.",
        "Keep the daily check-in; bring the budget draft next time.",
    ),
    (
        "Late shifts meant two check-ins were missed.",
        "Motivation is steady; the schedule is the obstacle.",
        "Move the check-in to breakfast; each notes one promise kept.",
    ),
    (
        "A visit to family raised old tensions early in the session.",
        "The usual escalation, but both could name their own part once slowed down.",
        "Practise summarising before answering; review the pause agreement.",
    ),
)
AREAS = ("communication", "empathy", "boundaries", "commitment_repair")
SHORT_ANSWERS = (
    "You felt left out when plans were made without you.",
    "Work was heavy and you wanted quiet, not advice.",
    "A walk after dinner, phones at home.",
    "Cooking together on Sunday.",
)
LONG_ANSWERS = (
    "We talked for ten minutes after dinner and it felt easier than last week.",
    "I noticed I interrupted less. We finished the conversation without raising our voices.",
    "It was hard to find the time, but we managed three evenings.",
)
SAFE_SCREEN = {"humiliated": 0, "afraid": 0, "raped": 0, "kicked": 0}
POSITIVE_SCREEN = {"humiliated": 1, "afraid": 0, "raped": 0, "kicked": 0}


@dataclass(frozen=True)
class Library:
    """The built-in exercises a seeded case uses."""

    check_in: ExerciseVersion
    pause: ExerciseVersion
    others: tuple[ExerciseVersion, ...]


@dataclass(frozen=True)
class Case:
    """What the seed decides for one couple before writing it."""

    counselor_id: int
    intake: date
    status: CoupleStatus
    zip_code: str
    portal: bool  # whether the first partner has a portal sign-in
    weekly: bool  # every week, without gaps (the couple with the most history)


def answers_for(version: ExerciseVersion, rng: random.Random, today: date) -> dict[str, Any]:
    """Plausible answers to an exercise's fields, in the form the app stores them."""
    answers: dict[str, Any] = {}
    for field in version.fields:
        kind, key = field["type"], field["key"]
        if kind == "short_text":
            answers[key] = rng.choice(SHORT_ANSWERS)
        elif kind == "long_text":
            answers[key] = rng.choice(LONG_ANSWERS)
        elif kind == "rating":
            answers[key] = rng.randint(3, 9)
        elif kind == "yes_no":
            answers[key] = rng.random() < 0.8
        elif kind == "number":
            low = field.get("min") if field.get("min") is not None else 1
            high = field.get("max") if field.get("max") is not None else 60
            answers[key] = rng.randint(low, min(high, low + 30))
        elif kind == "date":
            answers[key] = (today + timedelta(days=rng.randint(7, 30))).isoformat()
        else:  # checklist
            options = list(field.get("options", []))
            answers[key] = rng.sample(options, k=rng.randint(1, len(options))) if options else []
    return answers


def _csi4(level: float) -> dict[str, int]:
    happiness = max(0, min(6, round(level * 6 / 21)))
    rest = max(0, min(15, round(level) - happiness))
    base, extra = divmod(rest, 3)
    values = [min(5, base + (1 if index < extra else 0)) for index in range(3)]
    return dict(zip(CSI4.item_keys, [happiness, *values], strict=True))


class CaseWriter:
    """Turns each couple's invented history into rows, gathered in ``batches``."""

    def __init__(
        self,
        batches: Batches,
        ids: Ids,
        library: Library,
        *,
        password_hash: str,
        today: date,
        services: list[tuple[str, str]],
    ) -> None:
        self.batches, self.ids, self.library = batches, ids, library
        self.password_hash, self.today = password_hash, today
        self.services = services  # (HSDS id, name) of services a referral may name

    def _row(self, model: type, row_id: int | None = None, **values: Any) -> int:
        table = model.__table__
        row_id = row_id or self.ids.take(table)
        self.batches.add(table, id=row_id, **values)
        return row_id

    def write(self, case: Case, number: int, rng: random.Random) -> tuple[int, str | None]:
        """Write one couple; return its id and the e-mail of a partner who can sign in."""
        family = None if rng.random() < 0.3 else person_name(rng).split()[1]
        opened = from_local(case.intake, time(9, 0))
        end = self.today
        closed_on = None
        if case.status is CoupleStatus.CLOSED:
            closed_on = max(case.intake, self.today - timedelta(days=rng.randint(7, 60)))
            end = closed_on
        couple_id = self._row(
            Couple,
            counselor_id=case.counselor_id,
            presenting_concerns=rng.choice(CONCERNS),
            goals=rng.choice(GOALS),
            intake_date=case.intake,
            zip_code=case.zip_code,
            status=case.status,
            closed_on=closed_on,
            closing_reason="Goals met; ending by agreement." if closed_on else None,
            created_at=opened,
            updated_at=opened,
        )
        self._row(
            CaseEvent,
            couple_id=couple_id,
            at=opened,
            actor_id=case.counselor_id,
            kind=CaseEventKind.OPENED,
            summary="Case opened",
        )
        partners, portal_email = [], None
        for position in (1, 2):
            email = f"partner-{number:06d}-{position}@clients.seed.example.org"
            user_id = None
            if case.portal and position == 1:
                user_id = self._row(
                    User,
                    email=email,
                    name=person_name(rng, family),
                    role=Role.CLIENT,
                    password_hash=self.password_hash,
                    is_disabled=False,
                    created_at=opened,
                    last_sign_in_at=None,
                    totp_secret=None,
                    totp_enabled_at=None,
                    totp_last_step=None,
                )
                portal_email = email
            partners.append(
                self._row(
                    Partner,
                    couple_id=couple_id,
                    position=position,
                    name=person_name(rng, family),
                    pronouns=rng.choice(PRONOUNS),
                    email=email,
                    phone=phone(rng),
                    user_id=user_id,
                )
            )
        screen_day = from_local(case.intake, time(20, 0))
        for partner_id in partners:
            self._row(
                SafetyScreen,
                couple_id=couple_id,
                partner_id=partner_id,
                answers=POSITIVE_SCREEN if rng.random() < 0.03 else SAFE_SCREEN,
                positive=False,
                taken_at=screen_day,
                reviewed_at=None,
                reviewed_by_id=None,
            )
        self._sessions(couple_id, partners, case, end, rng)
        self._homework(couple_id, partners, case, end, rng)
        if case.status is not CoupleStatus.CLOSED:
            self._upcoming(couple_id, case, rng)
        return couple_id, portal_email

    def _sessions(
        self, couple_id: int, partners: list[int], case: Case, end: date, rng: random.Random
    ) -> None:
        hour = rng.choice((9, 10, 11, 14, 15, 16, 17, 18))
        weeks = max(1, (end - case.intake).days // 7)
        for week in range(weeks):
            if not case.weekly and rng.random() < 0.25:
                continue  # a week without a session
            day = case.intake + timedelta(weeks=week)
            starts_at = from_local(day, time(hour, 0))
            roll = rng.random()
            attendance = (
                Attendance.CANCELLED
                if roll < 0.06
                else Attendance.ONE_PARTNER
                if roll < 0.1
                else Attendance.BOTH
            )
            appointment_id = self._row(
                Appointment,
                couple_id=couple_id,
                starts_at=starts_at,
                duration_minutes=50,
                format=AppointmentFormat.VIDEO if week % 3 == 0 else AppointmentFormat.IN_PERSON,
                place="Room 2",
                individual_partner_id=None,
                attendance=attendance,
                attending_partner_id=partners[0] if attendance is Attendance.ONE_PARTNER else None,
                created_by_id=case.counselor_id,
                created_at=starts_at - timedelta(days=7),
            )
            if attendance is Attendance.CANCELLED:
                continue
            self._note(couple_id, appointment_id, case, starts_at, week, rng)
            progress = week / max(1, weeks - 1)
            for index, partner_id in enumerate(partners):
                level = (9.0 + index) + 6.0 * progress + rng.uniform(-1.5, 1.5)
                checkin = {
                    key: max(0, min(10, round(3 + 5 * progress + rng.uniform(-1.5, 1.5))))
                    for key in CHECKIN.item_keys
                }
                measured = [(CHECKIN, checkin)] + ([(CSI4, _csi4(level))] if week % 2 == 0 else [])
                for measure, answers in measured:
                    self._row(
                        MeasureResponse,
                        couple_id=couple_id,
                        partner_id=partner_id,
                        measure_key=measure.key,
                        answers=answers,
                        total=scoring.total(measure, answers),
                        taken_on=day,
                        entered_by_id=case.counselor_id,
                        entered_at=starts_at,
                    )

    def _note(
        self,
        couple_id: int,
        appointment_id: int,
        case: Case,
        starts_at: Any,
        week: int,
        rng: random.Random,
    ) -> None:
        data, assessment, plan = NOTE_TEXT[week % len(NOTE_TEXT)]
        signed_at = starts_at + timedelta(hours=2)
        content = {
            "format": "dap",
            "data_section": data,
            "subjective": "",
            "objective": "",
            "assessment": assessment,
            "plan": plan,
            "areas": rng.sample(AREAS, 2),
            "interventions": "Speaker-listener turns; repair script rehearsal.",
            "homework_reviewed": "Daily check-in log.",
            "risk_observed": False,
            "risk_details": "",
        }
        fields = {key: value for key, value in content.items() if key != "format"}
        note_id = self.ids.take(ProgressNote.__table__)
        signature = {
            "note": note_id,
            "appointment": appointment_id,
            "content": content,
            "signed_by": case.counselor_id,
            "signed_at": signed_at.isoformat(),
        }
        self._row(
            ProgressNote,
            note_id,
            appointment_id=appointment_id,
            couple_id=couple_id,
            author_id=case.counselor_id,
            format=NoteFormat.DAP,
            **fields,
            status=NoteStatus.SIGNED,
            version=1,
            created_at=signed_at,
            updated_at=signed_at,
            signed_at=signed_at,
            signed_by_id=case.counselor_id,
            content_hash=content_hash(signature),  # as signing computes it, so it verifies
        )
        self._row(
            NoteVersion,
            note_id=note_id,
            number=1,
            content=content,
            saved_at=signed_at,
            saved_by_id=case.counselor_id,
            signed=True,
        )

    def _homework(
        self, couple_id: int, partners: list[int], case: Case, end: date, rng: random.Random
    ) -> None:
        start = case.intake + timedelta(days=7)
        agreement_made = False
        # Blocks follow one another to the end of the case; the last one is still running.
        while start < end:
            due = start + timedelta(days=20)
            check_in = self._assign(
                couple_id, self.library.check_in, case, start, due, Rhythm.TIMES_PER_WEEK, 5
            )
            for offset in range(min(21, (end - start).days)):
                day = start + timedelta(days=offset)
                for partner_id in partners:
                    if offset % 7 < 5 and rng.random() < 0.8:
                        week_start = start + timedelta(weeks=offset // 7)
                        self._answer(check_in, partner_id, week_start, day, rng)
            exercise = rng.choice(self.library.others)
            once = self._assign(couple_id, exercise, case, start, due, Rhythm.ONCE, None)
            senders = partners[:1] if exercise.mode is Mode.TOGETHER else partners
            for partner_id in senders:
                done = start + timedelta(days=rng.randint(1, 14))
                if done < end and rng.random() < 0.85:
                    completion_id = self._answer(once, partner_id, start, done, rng, exercise)
                    if rng.random() < 0.2:
                        self._row(
                            Feedback,
                            completion_id=completion_id,
                            author_id=case.counselor_id,
                            body="Thank you: a clear answer. Let us talk about it next time.",
                            created_at=from_local(done + timedelta(days=1), time(12, 0)),
                        )
            if not agreement_made and rng.random() < 0.4:
                self._agreement(couple_id, partners, case, start, rng)
                agreement_made = True
            start += timedelta(days=21)
        if rng.random() < 0.25:
            self._referral(couple_id, partners, case, rng)

    def _assign(
        self,
        couple_id: int,
        version: ExerciseVersion,
        case: Case,
        start: date,
        due: date,
        rhythm: Rhythm,
        times_per_week: int | None,
    ) -> int:
        return self._row(
            Assignment,
            couple_id=couple_id,
            version_id=version.id,
            partner_id=None,
            start_on=start,
            due_on=due,
            rhythm=rhythm,
            times_per_week=times_per_week,
            note="",
            created_by_id=case.counselor_id,
            created_at=from_local(start, time(9, 0)),
            closed_at=None,
        )

    def _answer(
        self,
        assignment_id: int,
        partner_id: int,
        period_start: date,
        day: date,
        rng: random.Random,
        version: ExerciseVersion | None = None,
    ) -> int:
        sent = from_local(day, time(20, 30))
        return self._row(
            Completion,
            assignment_id=assignment_id,
            partner_id=partner_id,
            period_start=period_start,
            answers=answers_for(version or self.library.check_in, rng, day),
            status=CompletionStatus.SUBMITTED,
            visibility=Visibility.SHARED,
            created_at=sent,
            updated_at=sent,
            submitted_at=sent,
        )

    def _agreement(
        self, couple_id: int, partners: list[int], case: Case, start: date, rng: random.Random
    ) -> None:
        pause = self.library.pause
        proposed = from_local(start + timedelta(days=2), time(21, 0))
        agreement_id = self._row(
            Agreement,
            couple_id=couple_id,
            assignment_id=None,
            version_id=pause.id,
            kind=pause.agreement_kind,
            title=pause.title,
            status=AgreementStatus.IN_FORCE,
            revisit_on=start + timedelta(days=60),
            created_at=proposed,
        )
        self._row(
            AgreementVersion,
            agreement_id=agreement_id,
            number=1,
            content=answers_for(pause, rng, start),
            proposed_by_id=partners[0],
            proposed_at=proposed,
            accepted_by_id=partners[1],
            accepted_at=proposed + timedelta(days=1),
            replaced_at=None,
        )

    def _referral(
        self, couple_id: int, partners: list[int], case: Case, rng: random.Random
    ) -> None:
        if not self.services:
            return
        hsds_id, name = rng.choice(self.services)
        made = from_local(case.intake + timedelta(days=14), time(12, 0))
        status = rng.choice((ReferralStatus.SUGGESTED, ReferralStatus.CONTACTED))
        referral_id = self._row(
            Referral,
            couple_id=couple_id,
            partner_id=None if rng.random() < 0.7 else partners[1],
            service_hsds_id=hsds_id,
            service_name=name,
            reason="Support alongside our sessions.",
            shared=True,
            status=status,
            created_by_id=case.counselor_id,
            created_at=made,
        )
        self._row(
            ReferralEvent,
            referral_id=referral_id,
            status=status,
            note="",
            actor_id=case.counselor_id,
            at=made,
        )

    def _upcoming(self, couple_id: int, case: Case, rng: random.Random) -> None:
        day = self.today + timedelta(days=rng.randint(1, 13))
        starts_at = from_local(day, time(rng.choice((9, 11, 15, 17)), 0))
        self._row(
            Appointment,
            couple_id=couple_id,
            starts_at=starts_at,
            duration_minutes=50,
            format=AppointmentFormat.IN_PERSON,
            place="Room 2",
            individual_partner_id=None,
            attendance=None,
            attending_partner_id=None,
            created_by_id=case.counselor_id,
            created_at=from_local(self.today, time(9, 0)),
        )
