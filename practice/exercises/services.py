"""The library, assigning, answering, feedback, agreements and the homework digest."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.accounts.models import Role, User
from practice.appointments.models import Appointment, Attendance
from practice.audit import services as audit
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.exercises import schedule
from practice.exercises.fields import check_answers, check_spec
from practice.exercises.library import add_version
from practice.exercises.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Assignment,
    Completion,
    CompletionStatus,
    Exercise,
    ExerciseVersion,
    Feedback,
    Mode,
    Rhythm,
    Visibility,
)
from practice.framework import AREAS_BY_KEY
from practice.unit_of_work import UserError

log = logging.getLogger(__name__)


class ExerciseError(UserError):
    """Something that cannot be done; the message is safe to show."""


# --- the library ----------------------------------------------------------------------------


def _current_versions():
    return select(ExerciseVersion).join(
        Exercise,
        and_(
            Exercise.id == ExerciseVersion.exercise_id,
            Exercise.current_number == ExerciseVersion.number,
        ),
    )


def visible_exercises_clause(user: User):
    """Built-in and shared exercises for everyone on staff; one's own as well; all for admins."""
    if user.role is Role.ADMIN:
        return True
    return or_(Exercise.owner_id.is_(None), Exercise.shared.is_(True), Exercise.owner_id == user.id)


def library_for(user: User, area: str | None = None) -> list[ExerciseVersion]:
    """The current version of every exercise the user may see, by area and title."""
    query = (
        _current_versions()
        .where(visible_exercises_clause(user))
        .options(selectinload(ExerciseVersion.exercise).selectinload(Exercise.owner))
        .order_by(ExerciseVersion.title)
    )
    if area:
        query = query.where(ExerciseVersion.area == area)
    # In the framework's order: naming the gap first, local services last.
    return sorted(db.session.scalars(query), key=lambda v: AREAS_BY_KEY[v.area].number)


def current_version(exercise: Exercise) -> ExerciseVersion:
    return next(v for v in exercise.versions if v.number == exercise.current_number)


def create_exercise(owner: User, content: dict[str, Any]) -> Exercise:
    """A counselor's own exercise, visible to them until an admin shares it."""
    exercise = Exercise(slug=f"custom-{clock.now():%Y%m%d%H%M%S%f}", owner_id=owner.id)
    db.session.add(exercise)
    exercise.versions = []
    add_version(exercise, {**content, "fields": check_spec(content["fields"])}, owner.id)
    db.session.flush()
    audit.record(owner, "exercise.create", exercise)
    return exercise


def update_exercise(exercise: Exercise, content: dict[str, Any], actor: User) -> ExerciseVersion:
    """Edit by adding a version; what was assigned before keeps the version it had."""
    version = add_version(exercise, {**content, "fields": check_spec(content["fields"])}, actor.id)
    db.session.flush()
    audit.record(actor, "exercise.update", exercise)
    return version


def set_shared(exercise: Exercise, shared: bool, actor: User) -> None:
    """Share a counselor's exercise with the whole practice, or stop sharing it."""
    if exercise.built_in:
        raise ExerciseError("Built-in exercises are always available to everyone.")
    exercise.shared = shared
    db.session.flush()
    audit.record(actor, "exercise.share" if shared else "exercise.unshare", exercise)


# --- assigning ------------------------------------------------------------------------------


def assign(
    couple: Couple, version: ExerciseVersion, data: dict[str, Any], actor: User
) -> Assignment:
    """Give an exercise (this exact version) to the couple or to one partner."""
    if couple.status is CoupleStatus.CLOSED:
        raise ExerciseError("This case is closed. Reopen it to assign exercises.")
    partner = None
    if data.get("partner_id"):
        partner = next((p for p in couple.partners if p.id == data["partner_id"]), None)
        if partner is None:
            raise ExerciseError("Choose one of the couple's partners.")
    if version.mode is not Mode.INDIVIDUAL and partner is not None:
        raise ExerciseError("This exercise is done by the couple, so it goes to both partners.")
    rhythm = Rhythm(data["rhythm"])
    due_on = (
        data["start_on"] if rhythm is Rhythm.ONCE and not data.get("due_on") else data["due_on"]
    )
    if due_on < data["start_on"]:
        raise ExerciseError("The end date comes before the start date.")
    assignment = Assignment(
        couple=couple,
        version=version,
        partner=partner,
        start_on=data["start_on"],
        due_on=due_on,
        rhythm=rhythm,
        times_per_week=data.get("times_per_week") if rhythm is Rhythm.TIMES_PER_WEEK else None,
        note=data.get("note") or "",
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "assignment.create", assignment)
    return assignment


def close_assignment(assignment: Assignment, actor: User) -> None:
    """Stop an assignment early; partners see that it was closed."""
    if assignment.closed_at is None:
        assignment.closed_at = clock.now()
        db.session.flush()
        audit.record(actor, "assignment.close", assignment)


def _with_everything(query):
    return query.options(
        selectinload(Assignment.version),
        selectinload(Assignment.partner),
        selectinload(Assignment.completions)
        .selectinload(Completion.feedback)
        .selectinload(Feedback.author),
    )


def assignments_of(couple: Couple) -> list[Assignment]:
    """All of a couple's assignments, newest first, with versions and answers."""
    return list(
        db.session.scalars(
            _with_everything(select(Assignment).where(Assignment.couple_id == couple.id)).order_by(
                Assignment.start_on.desc(), Assignment.id.desc()
            )
        )
    )


def assignments_for_partner(partner: Partner) -> list[Assignment]:
    """The assignments a partner can see: the couple's, and those given to them alone."""
    return list(
        db.session.scalars(
            _with_everything(
                select(Assignment).where(
                    Assignment.couple_id == partner.couple_id,
                    or_(Assignment.partner_id.is_(None), Assignment.partner_id == partner.id),
                )
            ).order_by(Assignment.due_on, Assignment.id)
        )
    )


# --- answering ------------------------------------------------------------------------------


def _submitted_in_period(
    assignment: Assignment, period: date, partner: Partner | None
) -> list[Completion]:
    return [
        c
        for c in assignment.completions
        if c.submitted
        and c.period_start == period
        and (partner is None or c.partner_id == partner.id)
    ]


def own_draft(assignment: Assignment, partner: Partner) -> Completion | None:
    return next(
        (c for c in assignment.completions if c.partner_id == partner.id and not c.submitted),
        None,
    )


def save_answers(
    assignment: Assignment,
    partner: Partner,
    answers: dict[str, Any],
    *,
    visibility: Visibility | None,
    submit: bool,
    today: date,
    actor: User,
) -> Completion:
    """Save a partner's draft, or send it; sending an agreement exercise proposes the agreement."""
    if reason := schedule.why_closed(assignment, today):
        raise ExerciseError(reason)
    if assignment.partner_id not in (None, partner.id) or assignment.couple_id != partner.couple_id:
        raise ExerciseError("This exercise is not yours to answer.")
    version = assignment.version
    checked = check_answers(version.fields, answers, complete=submit)
    period = schedule.period_start(assignment, today)
    if submit:
        counted = None if version.mode is Mode.TOGETHER else partner
        if len(_submitted_in_period(assignment, period, counted)) >= schedule.expected_per_period(
            assignment
        ):
            raise ExerciseError(already_done_message(assignment))
    chosen = visibility_for(assignment, visibility)
    completion = own_draft(assignment, partner)
    if completion is None:
        completion = Completion(
            assignment=assignment, partner_id=partner.id, status=CompletionStatus.DRAFT
        )
        db.session.add(completion)
    completion.answers = checked
    completion.visibility = chosen
    completion.period_start = period
    completion.updated_at = clock.now()
    if submit:
        completion.status = CompletionStatus.SUBMITTED
        completion.submitted_at = clock.now()
        if version.agreement_kind is not None:
            propose_agreement(assignment, partner, checked)
    db.session.flush()
    audit.record(actor, "completion.submit" if submit else "completion.save", completion)
    return completion


def offers_privacy_choice(assignment: Assignment) -> bool:
    """Whether a partner chooses who reads an answer: only where the exercise allows it, the
    answer is their own (not the couple's), and the other partner could read it at all."""
    return (
        assignment.version.privacy_choice
        and assignment.version.mode is not Mode.TOGETHER
        and assignment.partner_id is None
    )


def visibility_for(assignment: Assignment, chosen: Visibility | None) -> Visibility:
    if assignment.partner_id is not None:
        return Visibility.COUNSELOR  # given to one partner: the other never sees it
    if offers_privacy_choice(assignment):
        return chosen or Visibility.COUNSELOR  # the careful default
    return Visibility.SHARED


def already_done_message(assignment: Assignment) -> str:
    if assignment.rhythm is Rhythm.ONCE:
        return "This exercise has already been done."
    if assignment.rhythm is Rhythm.DAILY:
        return "Today's answer has already been sent. Come back tomorrow."
    return "This week's answers have all been sent. Come back next week."


def visible_to_partner(completion: Completion, viewer: Partner) -> bool:
    """Whether a partner may read an answer: their own; or a sent, shared one of the couple's,
    and, for exercises done in turns, only once the viewer has sent theirs for that period."""
    if completion.partner_id == viewer.id:
        return True
    assignment = completion.assignment
    if not completion.submitted or completion.visibility is not Visibility.SHARED:
        return False
    if assignment.couple_id != viewer.couple_id or assignment.partner_id not in (None, viewer.id):
        return False
    if assignment.version.mode is Mode.TURNS:
        return bool(_submitted_in_period(assignment, completion.period_start, viewer))
    return True


def add_feedback(completion: Completion, body: str, actor: User) -> Feedback:
    """The counselor answers a partner's sent answer."""
    if not completion.submitted:
        raise ExerciseError("Drafts cannot be answered.")
    feedback = Feedback(completion=completion, author_id=actor.id, body=body)
    db.session.add(feedback)
    db.session.flush()
    audit.record(actor, "feedback.create", feedback)
    return feedback


# --- agreements -----------------------------------------------------------------------------


def _revisit_on(content: dict[str, Any]) -> date | None:
    value = content.get("revisit_on")
    return date.fromisoformat(value) if isinstance(value, str) else None


def propose_agreement(
    assignment: Assignment, partner: Partner, content: dict[str, Any]
) -> Agreement:
    agreement = Agreement(
        couple_id=assignment.couple_id,
        assignment=assignment,
        kind=assignment.version.agreement_kind,
        title=assignment.version.title,
        status=AgreementStatus.PROPOSED,
        revisit_on=_revisit_on(content),
    )
    db.session.add(agreement)
    db.session.add(
        AgreementVersion(agreement=agreement, number=1, content=content, proposed_by_id=partner.id)
    )
    return agreement


def accept_agreement(agreement: Agreement, partner: Partner, actor: User) -> None:
    """The other partner co-signs the pending proposal; it is then the version in force."""
    pending = agreement.pending
    if pending is None:
        raise ExerciseError("There is no proposal waiting for an answer.")
    if pending.proposed_by_id == partner.id:
        raise ExerciseError("Your partner needs to accept what you proposed.")
    pending.accepted_by_id = partner.id
    pending.accepted_at = clock.now()
    agreement.status = AgreementStatus.IN_FORCE
    agreement.revisit_on = _revisit_on(pending.content)
    db.session.flush()
    audit.record(actor, "agreement.accept", agreement)


def amend_agreement(
    agreement: Agreement, partner: Partner, answers: dict[str, Any], actor: User
) -> AgreementVersion:
    """Propose a changed text. What is in force stays in force until the change is accepted."""
    check_may_amend(agreement, partner)
    content = check_answers(agreement.assignment.version.fields, answers, complete=True)
    if agreement.pending is not None:
        agreement.pending.replaced_at = clock.now()
    version = AgreementVersion(
        agreement=agreement,
        number=agreement.latest.number + 1,
        content=content,
        proposed_by_id=partner.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "agreement.amend", agreement)
    return version


def check_may_amend(agreement: Agreement, partner: Partner) -> None:
    pending = agreement.pending
    if pending is not None and pending.proposed_by_id == partner.id:
        raise ExerciseError("Wait for your partner to answer your proposal.")


def agreements_of(couple_id: int) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.couple_id == couple_id)
            .options(
                selectinload(Agreement.versions).selectinload(AgreementVersion.proposed_by),
                selectinload(Agreement.versions).selectinload(AgreementVersion.accepted_by),
                selectinload(Agreement.assignment).selectinload(Assignment.version),
            )
            .order_by(Agreement.created_at.desc(), Agreement.id.desc())
        )
    )


def revisits_due(couple_ids: Sequence[int], today: date, within_days: int = 7) -> list[Agreement]:
    """Agreements in force whose revisit date has come, or comes within a week."""
    if not couple_ids:
        return []
    return list(
        db.session.scalars(
            select(Agreement)
            .where(
                Agreement.couple_id.in_(couple_ids),
                Agreement.status == AgreementStatus.IN_FORCE,
                Agreement.revisit_on <= today + timedelta(days=within_days),
            )
            .order_by(Agreement.revisit_on)
        )
    )


# --- since the last appointment -------------------------------------------------------------


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
            f"Homework since the appointment of {self.since:%d %b %Y}:"
            if self.since
            else "Homework so far:"
        )
        return "\n".join([head, *(f"- {line.title}: {line.detail}" for line in self.lines)])


def last_attended_appointment(couple: Couple, before: datetime | None = None) -> Appointment | None:
    """The latest appointment someone attended (before a moment, when given)."""
    query = select(Appointment).where(
        Appointment.couple_id == couple.id,
        Appointment.attendance.in_([Attendance.BOTH, Attendance.ONE_PARTNER]),
    )
    if before is not None:
        query = query.where(Appointment.starts_at < before)
    return db.session.scalar(query.order_by(Appointment.starts_at.desc()).limit(1))


def digest(
    couple: Couple,
    assignments: list[Assignment],
    agreements: list[Agreement],
    since: datetime | None,
    today: date,
) -> Digest:
    """What was sent or missed, and what was agreed, since a moment (everything, when None)."""
    names = {partner.id: partner.name for partner in couple.partners}
    since_day = since.date() if since else None
    lines = []
    for assignment in assignments:
        if assignment.start_on > today or (since_day and assignment.due_on < since_day):
            continue
        parts = []
        for who in schedule.answerers(assignment):
            sent = [
                c
                for c in assignment.completions
                if c.submitted
                and (who is None or c.partner_id == who)
                and (since is None or c.submitted_at >= since)
            ]
            missed = schedule.missed_between(
                assignment, all_sent_by(assignment, who), since_day, today
            )
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


def all_sent_by(assignment: Assignment, who: int | None) -> list[Completion]:
    return [
        c for c in assignment.completions if c.submitted and (who is None or c.partner_id == who)
    ]


def digest_for(couple: Couple, today: date, before: datetime | None = None) -> Digest:
    """The homework digest since the last attended appointment (before a moment, if given)."""
    last = last_attended_appointment(couple, before)
    return digest(
        couple,
        assignments_of(couple),
        agreements_of(couple.id),
        last.starts_at if last else None,
        today,
    )


# --- what a page shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    status: schedule.Status
    adherence: list[tuple[str, schedule.Adherence]]  # (whose, how far)


def assignment_rows(
    couple: Couple, assignments: list[Assignment], today: date
) -> list[AssignmentRow]:
    names = {partner.id: partner.name for partner in couple.partners}
    rows = []
    for assignment in assignments:
        sent = [c for c in assignment.completions if c.submitted]
        rows.append(
            AssignmentRow(
                assignment=assignment,
                status=schedule.status(assignment, today),
                adherence=[
                    (
                        "Together" if who is None else names[who],
                        schedule.adherence(
                            assignment,
                            [c for c in sent if who is None or c.partner_id == who],
                            today,
                        ),
                    )
                    for who in schedule.answerers(assignment)
                ],
            )
        )
    return rows


@dataclass(frozen=True)
class PortalItem:
    assignment: Assignment
    adherence: schedule.Adherence
    closed_reason: str | None
    has_draft: bool
    new_feedback: int


@dataclass(frozen=True)
class PortalOverview:
    this_week: list[PortalItem]
    waiting_for_me: list[Agreement]
    in_force: list[Agreement]
    revisit_due: list[Agreement]


def portal_overview(partner: Partner, today: date) -> PortalOverview:
    """A partner's home: this week's exercises, agreements to answer, agreements to revisit."""
    items = []
    for assignment in assignments_for_partner(partner):
        if assignment.due_on < today - timedelta(days=2) or assignment.start_on > today + timedelta(
            days=7
        ):
            continue
        mine = [
            c
            for c in assignment.completions
            if c.submitted
            and (assignment.version.mode is Mode.TOGETHER or c.partner_id == partner.id)
        ]
        items.append(
            PortalItem(
                assignment=assignment,
                adherence=schedule.adherence(assignment, mine, today),
                closed_reason=schedule.why_closed(assignment, today),
                has_draft=own_draft(assignment, partner) is not None,
                new_feedback=sum(
                    len(c.feedback) for c in assignment.completions if c.partner_id == partner.id
                ),
            )
        )
    agreements = agreements_of(partner.couple_id)
    soon = today + timedelta(days=7)
    return PortalOverview(
        this_week=items,
        waiting_for_me=[
            a for a in agreements if a.pending and a.pending.proposed_by_id != partner.id
        ],
        in_force=[a for a in agreements if a.status is AgreementStatus.IN_FORCE],
        revisit_due=[
            a
            for a in agreements
            if a.status is AgreementStatus.IN_FORCE and a.revisit_on and a.revisit_on <= soon
        ],
    )
