"""Write the plan, work out each objective's status from the record, and let partners
acknowledge what they are shown."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.orm import selectinload

from practice import clock, db
from practice.accounts.models import User
from practice.agreements.models import Agreement, AgreementStatus
from practice.audit import services as audit
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.exercises.models import AgreementKind, Exercise, ExerciseVersion
from practice.measures.definitions import MEASURES
from practice.measures.models import MeasureResponse
from practice.plans.models import (
    ObjectiveKind,
    ObjectiveMet,
    ObjectiveStatus,
    PlanAcknowledgement,
    PlanVersion,
    TreatmentPlan,
    shown_fingerprint,
)
from practice.unit_of_work import UserError

REVIEW_NOTICE = timedelta(days=7)  # a review shows on the counselor's home a week ahead


class PlanError(UserError):
    """A plan that cannot be saved as it is."""


def plan_of(couple_id: int) -> TreatmentPlan | None:
    """The couple's plan with its versions (two queries), or None before one is written."""
    return db.session.scalar(
        select(TreatmentPlan)
        .where(TreatmentPlan.couple_id == couple_id)
        .options(selectinload(TreatmentPlan.versions).selectinload(PlanVersion.written_by))
    )


def new_key() -> str:
    """A short stable name for a goal or an objective, kept across versions."""
    return secrets.token_hex(4)


def save_plan(couple: Couple, goals: list[dict[str, Any]], review_on: date, actor: User):
    """Keep a new version of the couple's plan."""
    if not goals:
        raise PlanError("Write at least one goal.", "goals")
    if review_on < clock.today():
        raise PlanError("The review date cannot be in the past.", "review_on")
    partner_ids = {p.id for p in couple.partners}
    for goal in goals:
        if goal["partner_id"] is not None and goal["partner_id"] not in partner_ids:
            raise PlanError("Choose who the goal is for.", "goals")
        goal["key"] = goal.get("key") or new_key()
        for objective in goal["objectives"]:
            objective["key"] = objective.get("key") or new_key()
    plan = plan_of(couple.id)
    if plan is None:
        plan = TreatmentPlan(couple_id=couple.id, review_on=review_on)
        db.session.add(plan)
        number = 1
    else:
        plan.review_on = review_on
        number = plan.current.number + 1
    version = PlanVersion(
        plan=plan, number=number, goals=goals, review_on=review_on, written_by_id=actor.id
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "plan.save", version, couple_id=couple.id)
    return version


# --- status from the record ----------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveView:
    key: str
    kind: ObjectiveKind
    wording: str  # the objective as a sentence
    status: ObjectiveStatus
    evidence: str  # what the status was read from


@dataclass(frozen=True)
class GoalView:
    key: str
    title: str
    partner: Partner | None  # None: the couple's goal
    objectives: list[ObjectiveView]
    exercises: list[int]
    areas: list[str]


def objective_wording(objective: dict[str, Any]) -> str:
    kind = ObjectiveKind(objective["kind"])
    if kind is ObjectiveKind.MEASURE:
        measure = MEASURES[objective["measure"]]
        side = "at or above" if measure.higher_is_better else "at or below"
        return f"{measure.title} {side} {objective['target']:g}"
    if kind is ObjectiveKind.AGREEMENT:
        return f"{AgreementKind(objective['agreement']).label} in force"
    when = date.fromisoformat(objective["target_on"]).strftime("%d %b %Y")
    return f"{objective['text']} (by {when})"


def _measure_status(objective, whose: list[Partner], scores) -> tuple[ObjectiveStatus, str]:
    measure = MEASURES[objective["measure"]]
    target = float(objective["target"])

    def reached(score: float) -> bool:
        return score >= target if measure.higher_is_better else score <= target

    def improved(first: float, last: float) -> bool:
        return last > first if measure.higher_is_better else last < first

    series = [(p, scores.get((objective["measure"], p.id), [])) for p in whose]
    evidence = "; ".join(
        f"{p.name}: {rows[0]:g} first, {rows[-1]:g} latest" if rows else f"{p.name}: no answers"
        for p, rows in series
    )
    if any(not rows for _p, rows in series):
        return ObjectiveStatus.NOT_YET, evidence
    if all(reached(rows[-1]) for _p, rows in series):
        return ObjectiveStatus.MET, evidence
    if all(reached(rows[-1]) or improved(rows[0], rows[-1]) for _p, rows in series):
        return ObjectiveStatus.ON_TRACK, evidence
    return ObjectiveStatus.NOT_YET, evidence


def _status(objective, whose, scores, agreements, met, today) -> tuple[ObjectiveStatus, str]:
    kind = ObjectiveKind(objective["kind"])
    if kind is ObjectiveKind.MEASURE:
        return _measure_status(objective, whose, scores)
    if kind is ObjectiveKind.AGREEMENT:
        states = agreements.get(objective["agreement"], set())
        if AgreementStatus.IN_FORCE in states:
            return ObjectiveStatus.MET, "signed by both partners"
        if states:
            return ObjectiveStatus.ON_TRACK, "proposed, not yet accepted by both"
        return ObjectiveStatus.NOT_YET, "no agreement of this kind yet"
    if objective["key"] in met:
        return ObjectiveStatus.MET, f"recorded as met on {met[objective['key']]:%d %b %Y}"
    if date.fromisoformat(objective["target_on"]) >= today:
        return ObjectiveStatus.ON_TRACK, "the target date is still ahead"
    return ObjectiveStatus.NOT_YET, "the target date has passed"


def goal_views(couple: Couple, plan: TreatmentPlan, version: PlanVersion | None = None):
    """Each goal of a version (the current one by default) with every objective's status read
    from the record: measure answers, agreements and objectives recorded as met (three
    queries whatever the plan's size)."""
    version = version or plan.current
    scores: dict[tuple[str, int], list[float]] = defaultdict(list)
    for key, partner_id, total in db.session.execute(
        select(MeasureResponse.measure_key, MeasureResponse.partner_id, MeasureResponse.total)
        .where(MeasureResponse.couple_id == couple.id)
        .order_by(MeasureResponse.taken_on, MeasureResponse.id)
    ):
        scores[(key, partner_id)].append(total)
    agreements: dict[str, set[AgreementStatus]] = defaultdict(set)
    for kind, status in db.session.execute(
        select(Agreement.kind, Agreement.status).where(Agreement.couple_id == couple.id)
    ):
        agreements[kind.value].add(status)
    met = dict(
        db.session.execute(
            select(ObjectiveMet.objective_key, ObjectiveMet.met_on).where(
                ObjectiveMet.plan_id == plan.id
            )
        ).all()
    )
    partners = {p.id: p for p in couple.partners}
    today = clock.today()
    views = []
    for goal in version.goals:
        partner = partners.get(goal["partner_id"]) if goal["partner_id"] else None
        whose = [partner] if partner else list(couple.partners)
        objectives = []
        for objective in goal["objectives"]:
            status, evidence = _status(objective, whose, scores, agreements, met, today)
            objectives.append(
                ObjectiveView(
                    objective["key"],
                    ObjectiveKind(objective["kind"]),
                    objective_wording(objective),
                    status,
                    evidence,
                )
            )
        views.append(
            GoalView(
                goal["key"],
                goal["title"],
                partner,
                objectives,
                list(goal.get("exercises") or []),
                list(goal.get("areas") or []),
            )
        )
    return views


def record_met(plan: TreatmentPlan, objective_key: str, actor: User) -> None:
    """Record that an objective in the counselor's own words was reached today."""
    own_words = {
        o["key"]
        for g in plan.current.goals
        for o in g["objectives"]
        if o["kind"] == ObjectiveKind.OWN_WORDS.value
    }
    if objective_key not in own_words:
        raise PlanError("Only an objective in your own words is recorded as met by hand.")
    if db.session.scalar(
        select(ObjectiveMet.id).where(
            ObjectiveMet.plan_id == plan.id, ObjectiveMet.objective_key == objective_key
        )
    ):
        raise PlanError("This objective is already recorded as met.")
    met = ObjectiveMet(
        plan_id=plan.id, objective_key=objective_key, met_on=clock.today(), recorded_by_id=actor.id
    )
    db.session.add(met)
    db.session.flush()
    audit.record(actor, "plan.objective_met", met, couple_id=plan.couple_id)


# --- the partners' side -----------------------------------------------------------------------


def acknowledgement_of(plan: TreatmentPlan, partner: Partner) -> PlanAcknowledgement | None:
    """The partner's acknowledgement of the plan exactly as they are shown it now, if any."""
    shown = shown_fingerprint(plan.current.goals_for(partner.id))
    return db.session.scalar(
        select(PlanAcknowledgement)
        .where(
            PlanAcknowledgement.plan_id == plan.id,
            PlanAcknowledgement.partner_id == partner.id,
            PlanAcknowledgement.shown_sha256 == shown,
        )
        .order_by(PlanAcknowledgement.id.desc())
        .limit(1)
    )


def acknowledge(plan: TreatmentPlan, partner: Partner, shown_sha256: str, actor: User):
    """Record that the partner read the plan as shown to them; a plan changed meanwhile is
    refused, so nobody acknowledges what they did not see."""
    shown = shown_fingerprint(plan.current.goals_for(partner.id))
    if shown_sha256 != shown:
        raise PlanError("Your counselor changed the plan while you were reading it. Read it again.")
    acknowledgement = PlanAcknowledgement(
        plan_id=plan.id, partner_id=partner.id, version_id=plan.current.id, shown_sha256=shown
    )
    db.session.add(acknowledgement)
    db.session.flush()
    audit.record(actor, "plan.acknowledge", acknowledgement, couple_id=plan.couple_id)
    return acknowledgement


def acknowledged_partners(plan: TreatmentPlan, couple: Couple) -> dict[int, PlanAcknowledgement]:
    """For the counselor: each partner's acknowledgement of what they are shown now (one
    query)."""
    wanted = {p.id: shown_fingerprint(plan.current.goals_for(p.id)) for p in couple.partners}
    found: dict[int, PlanAcknowledgement] = {}
    for ack in db.session.scalars(
        select(PlanAcknowledgement)
        .where(PlanAcknowledgement.plan_id == plan.id)
        .order_by(PlanAcknowledgement.id)
    ):
        if wanted.get(ack.partner_id) == ack.shown_sha256:
            found[ack.partner_id] = ack
    return found


def reviews_due(counselor: User, today: date, limit: int = 20) -> list[Row]:
    """Plans of the counselor's open cases to review within a week, earliest first, as the
    columns a list shows: couple_id, review_on (one query)."""
    return list(
        db.session.execute(
            select(TreatmentPlan.couple_id, TreatmentPlan.review_on)
            .join(Couple, Couple.id == TreatmentPlan.couple_id)
            .where(
                Couple.counselor_id == counselor.id,
                Couple.status != CoupleStatus.CLOSED,
                TreatmentPlan.review_on <= today + REVIEW_NOTICE,
            )
            .order_by(TreatmentPlan.review_on, TreatmentPlan.couple_id)
            .limit(limit)
        )
    )


def exercise_titles(exercise_ids: set[int]) -> dict[int, str]:
    """The current titles of the library exercises a plan names (one query)."""
    if not exercise_ids:
        return {}
    return dict(
        db.session.execute(
            select(ExerciseVersion.exercise_id, ExerciseVersion.title)
            .join(Exercise, Exercise.id == ExerciseVersion.exercise_id)
            .where(
                Exercise.id.in_(exercise_ids),
                ExerciseVersion.number == Exercise.current_number,
            )
        ).all()
    )


def form_data_of(version: PlanVersion | None, slots: int, objective_slots: int) -> dict:
    """A version as the editor's initial data, with blank goals and objectives to fill."""
    goals = []
    for goal in version.goals if version else []:
        objectives = [dict(o) for o in goal["objectives"]]
        for objective in objectives:
            if objective.get("target_on"):
                objective["target_on"] = date.fromisoformat(objective["target_on"])
        goals.append(
            {
                "key": goal["key"],
                "for_whom": str(goal["partner_id"] or ""),
                "title": goal["title"],
                "objectives": objectives + [{}] * max(0, objective_slots - len(objectives)),
                "exercises": goal.get("exercises") or [],
                "areas": goal.get("areas") or [],
            }
        )
    goals += [{"objectives": [{}] * objective_slots}] * slots
    review_on = version.review_on if version else clock.today() + timedelta(weeks=8)
    return {"review_on": review_on, "goals": goals}


def needs_acknowledgement(partner: Partner) -> bool | None:
    """None before there is a plan; else whether the partner has yet to acknowledge what they
    are shown now."""
    plan = plan_of(partner.couple_id)
    if plan is None:
        return None
    return acknowledgement_of(plan, partner) is None
