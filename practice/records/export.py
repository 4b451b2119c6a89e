"""A couple's whole record as one JSON document, for a records request.

Every table that holds something of the couple is read with one query (children through
their parent's ``couple_id``), so the export costs the same number of queries whatever the
size of the record. Values come through the models, so encrypted text arrives decrypted.

A record prepared for one partner leaves out what that partner may not see in the portal:
the other partner's answers that were not shared and submitted, the other partner's
questionnaires, intake, safety checks and own referrals, and the appointments the other partner had
alone. The counselor still reads it before handing it over.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from practice import clock, db
from practice.accounts.models import User
from practice.agreements.models import Agreement, AgreementVersion
from practice.appointments.models import Addendum, Appointment, NoteVersion, ProgressNote
from practice.audit.models import AuditEntry
from practice.consent.models import ConsentSignature
from practice.couples.models import CaseEvent, Couple, Partner
from practice.exercises.models import ExerciseVersion, Visibility
from practice.feedback.models import SessionRating
from practice.homework.models import Assignment, Completion, CompletionStatus, Feedback
from practice.intake.models import Intake
from practice.measures.models import (
    ContactPreference,
    MeasureResponse,
    SafetyFollowUp,
    SafetyPlan,
    SafetyScreen,
)
from practice.plans.models import ObjectiveMet, PlanAcknowledgement, PlanVersion, TreatmentPlan
from practice.referrals.models import Referral, ReferralEvent

FORMAT = "practice.couple-record/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def row(obj: db.Base, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of a model object, as JSON values."""
    skipped = set(leave_out)
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in inspect(type(obj)).column_attrs
        if attr.key not in skipped
    }


def _all(statement) -> list:
    return list(db.session.scalars(statement))


def _grouped(items: Iterable[db.Base], key: str) -> dict[int, list[dict[str, Any]]]:
    """Rows of child objects by their parent's id."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[getattr(item, key)].append(row(item))
    return groups


def couple_record(couple: Couple, *, for_partner: Partner | None = None) -> dict[str, Any]:
    """The whole record of a couple (both partners), or the part one partner may have."""
    other = None
    if for_partner is not None:
        other = next(p.id for p in couple.partners if p.id != for_partner.id)
    history = _all(select(CaseEvent).where(CaseEvent.couple_id == couple.id).order_by(CaseEvent.id))
    trail = _all(
        select(AuditEntry).where(AuditEntry.couple_id == couple.id).order_by(AuditEntry.id)
    )
    people_ids = {couple.counselor_id} | {e.actor_id for e in (*trail, *history)}
    people = db.session.execute(
        select(User.id, User.name, User.role).where(User.id.in_(people_ids - {None}))
    ).all()
    return {
        "format": FORMAT,
        "exported_at": _plain(clock.now()),
        "prepared_for": None if for_partner is None else {"partner_id": for_partner.id},
        "couple": row(couple),
        "partners": [row(p) for p in couple.partners],
        "people": [
            {"user_id": uid, "name": name, "role": role.value} for uid, name, role in people
        ],
        "case_history": [row(e) for e in history],
        "consent_signatures": [
            {**row(s), "version": s.version.number}
            for s in _all(
                select(ConsentSignature)
                .where(ConsentSignature.couple_id == couple.id)
                .options(joinedload(ConsentSignature.version))
                .order_by(ConsentSignature.id)
            )
        ],
        "appointments": _appointments(couple.id, other),
        **_homework(couple.id, other),
        "agreements": _agreements(couple.id),
        "session_ratings": [
            row(r)
            for r in _all(
                select(SessionRating)
                .where(SessionRating.couple_id == couple.id)
                .order_by(SessionRating.id)
            )
            if other is None or r.partner_id != other
        ],
        **_measures(couple.id, other),
        "referrals": _referrals(couple.id, other),
        "treatment_plan": _plan(couple.id, other),
        # Who opened or changed the record, and when: ids and actions, never content.
        "access_log": [row(entry, leave_out=("prev_hash", "entry_hash")) for entry in trail],
    }


def _appointments(couple_id: int, other: int | None) -> list[dict[str, Any]]:
    """Appointments with their notes, every saved version and the addenda."""
    appointments = _all(
        select(Appointment)
        .where(Appointment.couple_id == couple_id)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    notes = {
        note.appointment_id: note
        for note in _all(select(ProgressNote).where(ProgressNote.couple_id == couple_id))
    }
    of_notes = select(ProgressNote.id).where(ProgressNote.couple_id == couple_id)
    versions = _grouped(
        _all(
            select(NoteVersion)
            .where(NoteVersion.note_id.in_(of_notes))
            .order_by(NoteVersion.number)
        ),
        "note_id",
    )
    addenda = _grouped(
        _all(select(Addendum).where(Addendum.note_id.in_(of_notes)).order_by(Addendum.id)),
        "note_id",
    )

    def with_note(appointment: Appointment) -> dict[str, Any]:
        note = notes.get(appointment.id)
        if note is None:
            return {**row(appointment), "note": None}
        written = {**row(note), "versions": versions[note.id], "addenda": addenda[note.id]}
        return {**row(appointment), "note": written}

    return [with_note(a) for a in appointments if other is None or a.individual_partner_id != other]


def _homework(couple_id: int, other: int | None) -> dict[str, list[dict[str, Any]]]:
    """The exercises as assigned (their fields name the answers), assignments, answers and
    the counselor's feedback on them."""
    assigned = select(Assignment.id).where(Assignment.couple_id == couple_id)
    exercises = _all(
        select(ExerciseVersion)
        .where(
            ExerciseVersion.id.in_(
                select(Assignment.version_id).where(Assignment.couple_id == couple_id)
            )
        )
        .order_by(ExerciseVersion.id)
    )
    # An unsent draft belongs to the partner writing it until it is sent; it is not yet record.
    completions = _all(
        select(Completion)
        .where(
            Completion.assignment_id.in_(assigned),
            Completion.status == CompletionStatus.SUBMITTED,
        )
        .order_by(Completion.id)
    )
    feedback = _grouped(
        _all(
            select(Feedback)
            .where(
                Feedback.completion_id.in_(
                    select(Completion.id).where(Completion.assignment_id.in_(assigned))
                )
            )
            .order_by(Feedback.id)
        ),
        "completion_id",
    )
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for completion in completions:
        if other is None or completion.partner_id != other or _shared(completion):
            answers[completion.assignment_id].append(
                {**row(completion), "feedback": feedback[completion.id]}
            )
    assignments = _all(
        select(Assignment).where(Assignment.couple_id == couple_id).order_by(Assignment.id)
    )
    return {
        "exercises": [row(v) for v in exercises],
        "homework": [{**row(a), "completions": answers[a.id]} for a in assignments],
    }


def _shared(completion: Completion) -> bool:
    """Answers the other partner could read in the portal."""
    return (
        completion.visibility is Visibility.SHARED
        and completion.status is CompletionStatus.SUBMITTED
    )


def _agreements(couple_id: int) -> list[dict[str, Any]]:
    versions = _grouped(
        _all(
            select(AgreementVersion)
            .join(Agreement)
            .where(Agreement.couple_id == couple_id)
            .order_by(AgreementVersion.number)
        ),
        "agreement_id",
    )
    agreements = _all(
        select(Agreement).where(Agreement.couple_id == couple_id).order_by(Agreement.id)
    )
    return [{**row(a), "versions": versions[a.id]} for a in agreements]


def _measures(couple_id: int, other: int | None) -> dict[str, list[dict[str, Any]]]:
    measures = _all(
        select(MeasureResponse)
        .where(MeasureResponse.couple_id == couple_id)
        .order_by(MeasureResponse.taken_on, MeasureResponse.id)
    )
    screens = _all(
        select(SafetyScreen).where(SafetyScreen.couple_id == couple_id).order_by(SafetyScreen.id)
    )
    intakes = _all(select(Intake).where(Intake.couple_id == couple_id).order_by(Intake.id))
    contacts = _all(select(ContactPreference).where(ContactPreference.couple_id == couple_id))
    plans = _all(select(SafetyPlan).where(SafetyPlan.couple_id == couple_id))
    follow_ups = _all(
        select(SafetyFollowUp)
        .where(SafetyFollowUp.couple_id == couple_id)
        .order_by(SafetyFollowUp.id)
    )
    return {
        "measures": [row(m) for m in measures if other is None or m.partner_id != other],
        "safety_checks": [row(s) for s in screens if other is None or s.partner_id != other],
        "intakes": [row(i) for i in intakes if other is None or i.partner_id != other],
        "contact_preferences": [row(c) for c in contacts if other is None or c.partner_id != other],
        "safety_plans": [row(p) for p in plans if other is None or p.partner_id != other],
        "safety_follow_ups": [row(f) for f in follow_ups if other is None or f.partner_id != other],
    }


def _plan(couple_id: int, other: int | None) -> dict[str, Any] | None:
    """The plan's versions, acknowledgements and objectives met; a partner's export leaves
    out the goals written for the other partner, and the other's acknowledgements."""
    plan = db.session.scalar(select(TreatmentPlan).where(TreatmentPlan.couple_id == couple_id))
    if plan is None:
        return None
    versions = _all(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.number)
    )
    acknowledgements = _all(
        select(PlanAcknowledgement)
        .where(PlanAcknowledgement.plan_id == plan.id)
        .order_by(PlanAcknowledgement.id)
    )
    met = _all(select(ObjectiveMet).where(ObjectiveMet.plan_id == plan.id))
    return {
        **row(plan),
        "versions": [
            {**row(v), "goals": [g for g in v.goals if other is None or g["partner_id"] != other]}
            for v in versions
        ],
        "acknowledgements": [
            row(a) for a in acknowledgements if other is None or a.partner_id != other
        ],
        "objectives_met": [row(m) for m in met],
    }


def _referrals(couple_id: int, other: int | None) -> list[dict[str, Any]]:
    events = _grouped(
        _all(
            select(ReferralEvent)
            .join(Referral)
            .where(Referral.couple_id == couple_id)
            .order_by(ReferralEvent.id)
        ),
        "referral_id",
    )
    referrals = _all(select(Referral).where(Referral.couple_id == couple_id).order_by(Referral.id))
    return [
        {**row(r), "events": events[r.id]}
        for r in referrals
        if other is None or r.partner_id != other
    ]
