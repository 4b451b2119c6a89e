"""Assigning exercises, answering them, feedback, and each assignment's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.accounts.models import User
from practice.agreements.services import propose_agreement
from practice.audit import services as audit
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.exercises.fields import check_answers
from practice.exercises.models import ExerciseVersion, Mode, Rhythm, Visibility
from practice.homework import schedule
from practice.homework.models import Assignment, Completion, CompletionStatus, Feedback
from practice.measures.services import joint_work_hold
from practice.unit_of_work import UserError


class HomeworkError(UserError):
    """Something that cannot be done with an assignment; the message is safe to show."""


def assign(
    couple: Couple, version: ExerciseVersion, data: dict[str, Any], actor: User
) -> Assignment:
    """Give an exercise (this exact version) to the couple or to one partner."""
    if couple.status is CoupleStatus.CLOSED:
        raise HomeworkError("This case is closed. Reopen it to assign exercises.")
    partner = None
    if data.get("partner_id"):
        partner = next((p for p in couple.partners if p.id == data["partner_id"]), None)
        if partner is None:
            raise HomeworkError("Choose one of the couple's partners.")
    if version.mode is not Mode.INDIVIDUAL and partner is not None:
        raise HomeworkError("This exercise is done by the couple, so it goes to both partners.")
    override = None
    if is_joint_work(version, partner):
        hold = joint_work_hold(couple)
        override = (data.get("override_reason") or "").strip() or None
        if hold is not None and override is None:
            raise HomeworkError(
                f"{hold} To assign it anyway, write why in the box below.", field="override_reason"
            )
        if hold is None:
            override = None
    rhythm = Rhythm(data["rhythm"])
    due_on = (
        data["start_on"] if rhythm is Rhythm.ONCE and not data.get("due_on") else data["due_on"]
    )
    if due_on < data["start_on"]:
        raise HomeworkError("The end date comes before the start date.")
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
        hold_override=override,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "assignment.create", assignment)
    if override is not None:
        audit.record(actor, "assignment.hold_override", assignment)
    return assignment


def is_joint_work(version: ExerciseVersion, partner: Partner | None) -> bool:
    """Joint and turn-based exercises and agreements: what a safety follow-up holds back."""
    return partner is None and (
        version.mode is not Mode.INDIVIDUAL or version.agreement_kind is not None
    )


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


def _with_progress(query):
    """What status, adherence and the digest need of the answers: when and by whom they were
    sent, not what they say (a year of daily answers is thousands of texts to decrypt)."""
    return query.options(
        selectinload(Assignment.version),
        selectinload(Assignment.partner),
        selectinload(Assignment.completions).load_only(
            Completion.assignment_id,
            Completion.partner_id,
            Completion.period_start,
            Completion.status,
            Completion.visibility,
            Completion.submitted_at,
            raiseload=True,
        ),
    )


def assignments_of(couple: Couple) -> list[Assignment]:
    """All of a couple's assignments, newest first, with versions and when answers were sent
    (not the answers themselves)."""
    return list(
        db.session.scalars(
            _with_progress(select(Assignment).where(Assignment.couple_id == couple.id)).order_by(
                Assignment.start_on.desc(), Assignment.id.desc()
            )
        )
    )


def running_for_partner(partner: Partner, start: date, end: date) -> list[Assignment]:
    """The partner's assignments running at some time from ``start`` to ``end``, due first,
    with when their answers were sent and how much feedback each has (not the texts)."""
    return list(
        db.session.scalars(
            _with_progress(
                select(Assignment).where(
                    Assignment.couple_id == partner.couple_id,
                    or_(Assignment.partner_id.is_(None), Assignment.partner_id == partner.id),
                    Assignment.due_on >= start,
                    Assignment.start_on <= end,
                )
            )
            .options(
                selectinload(Assignment.completions)
                .selectinload(Completion.feedback)
                .load_only(Feedback.completion_id, raiseload=True)
            )
            .order_by(Assignment.due_on, Assignment.id)
        )
    )


def _sent_in_period(assignment: Assignment, period: date, who: int | None) -> list[Completion]:
    return [c for c in schedule.answers_that_count(assignment, who) if c.period_start == period]


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
        raise HomeworkError(reason)
    if assignment.partner_id not in (None, partner.id) or assignment.couple_id != partner.couple_id:
        raise HomeworkError("This exercise is not yours to answer.")
    version = assignment.version
    checked = check_answers(version.fields, answers, complete=submit)
    period = schedule.period_start(assignment, today)
    if submit:
        who = schedule.answerer_of(assignment, partner.id)
        if len(_sent_in_period(assignment, period, who)) >= schedule.expected_per_period(
            assignment
        ):
            raise HomeworkError(already_done_message(assignment))
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
            propose_agreement(assignment.couple_id, assignment.id, version, partner, checked)
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
        return bool(_sent_in_period(assignment, completion.period_start, viewer.id))
    return True


def add_feedback(completion: Completion, body: str, actor: User) -> Feedback:
    """The counselor answers a partner's sent answer."""
    if not completion.submitted:
        raise HomeworkError("Drafts cannot be answered.")
    feedback = Feedback(completion=completion, author_id=actor.id, body=body)
    db.session.add(feedback)
    db.session.flush()
    audit.record(actor, "feedback.create", feedback)
    return feedback


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    status: schedule.Status
    adherence: list[tuple[str, schedule.Adherence]]  # (whose, how far)


def adherence_by_answerer(
    assignment: Assignment, names: dict[int, str], today: date
) -> list[tuple[str, schedule.Adherence]]:
    """Each answerer's adherence, named: each partner, or "Together" for the couple as one."""
    return [
        ("Together" if who is None else names[who], schedule.adherence_of(assignment, who, today))
        for who in schedule.answerers(assignment)
    ]


def assignment_rows(
    couple: Couple, assignments: list[Assignment], today: date
) -> list[AssignmentRow]:
    """The couple page's homework list: each assignment's status and adherence."""
    names = {partner.id: partner.name for partner in couple.partners}
    return [
        AssignmentRow(
            assignment=assignment,
            status=schedule.status(assignment, today),
            adherence=adherence_by_answerer(assignment, names, today),
        )
        for assignment in assignments
    ]
