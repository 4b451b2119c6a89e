"""Recording measures, the progress view's numbers, and the private safety screen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from practice import clock, db
from practice.accounts.models import User
from practice.audit import services as audit
from practice.couples.models import Couple, Partner
from practice.measures import scoring
from practice.measures.definitions import HARK, MEASURES, PROGRESS_MEASURES, Measure
from practice.measures.models import (
    SAFETY_PLAN_PARTS,
    ContactPreference,
    FollowUpDecision,
    MeasureResponse,
    SafetyFollowUp,
    SafetyPlan,
    SafetyScreen,
)
from practice.unit_of_work import UserError


def record_response(
    partner: Partner, measure: Measure, answers: dict[str, int], taken_on: date, actor: User
) -> MeasureResponse:
    """Store one partner's answers to a progress measure, scored."""
    if measure.private:
        raise ValueError("private measures are recorded with record_safety_screen")
    checked = scoring.check_answers(measure, answers)
    response = MeasureResponse(
        couple_id=partner.couple_id,
        partner_id=partner.id,
        measure_key=measure.key,
        answers=checked,
        total=scoring.total(measure, checked),
        taken_on=taken_on,
        entered_by_id=actor.id,
    )
    db.session.add(response)
    db.session.flush()
    audit.record(actor, f"measure.{measure.key}", response)
    return response


def record_safety_screen(partner: Partner, answers: dict[str, int], actor: User) -> SafetyScreen:
    """Store a partner's own safety check; only the partner themselves may give it."""
    if partner.user_id != actor.id:
        raise PermissionError("the safety check is answered by the partner alone")
    checked = scoring.check_answers(HARK, answers)
    screen = SafetyScreen(
        couple_id=partner.couple_id,
        partner_id=partner.id,
        answers=checked,
        positive=scoring.is_positive_screen(HARK, checked),
    )
    db.session.add(screen)
    db.session.flush()
    audit.record(actor, "safety.screen", screen)
    return screen


def safety_screens_of(couple: Couple) -> list[SafetyScreen]:
    """Every safety check of the couple's partners, newest first, for the counselor only."""
    return list(
        db.session.scalars(
            select(SafetyScreen)
            .where(SafetyScreen.couple_id == couple.id)
            .options(selectinload(SafetyScreen.partner), selectinload(SafetyScreen.reviewed_by))
            .order_by(SafetyScreen.taken_at.desc(), SafetyScreen.id.desc())
        )
    )


def open_positive_screens(couple: Couple) -> list[SafetyScreen]:
    """Positive safety checks of the couple not yet followed up."""
    return list(
        db.session.scalars(
            select(SafetyScreen).where(
                SafetyScreen.couple_id == couple.id,
                SafetyScreen.positive.is_(True),
                SafetyScreen.reviewed_at.is_(None),
            )
        )
    )


def couples_with_open_safety_flags(couple_ids: Sequence[int]) -> set[int]:
    """Which of these couples have a positive safety check not yet followed up (one query)."""
    if not couple_ids:
        return set()
    return set(
        db.session.scalars(
            select(SafetyScreen.couple_id).where(
                SafetyScreen.couple_id.in_(couple_ids),
                SafetyScreen.positive.is_(True),
                SafetyScreen.reviewed_at.is_(None),
            )
        )
    )


def endorsed_items(screen: SafetyScreen) -> list[str]:
    """The questions answered yes, in a few words each."""
    return [item.short for item in HARK.items if screen.answers.get(item.key)]


def record_follow_up(
    screen: SafetyScreen,
    note_id: int,
    risk_review: dict[str, str],
    decision: FollowUpDecision,
    reason: str,
    actor: User,
) -> SafetyFollowUp:
    """Record the follow-up of a positive safety check and mark the check followed up. The
    caller has checked that ``note_id`` is a signed note of an individual appointment with
    the partner who answered."""
    if not screen.positive or screen.reviewed_at is not None:
        raise UserError("This safety check has already been followed up.")
    if not reason.strip():
        raise UserError("Say why you decided this.", field="reason")
    follow_up = SafetyFollowUp(
        couple_id=screen.couple_id,
        screen_id=screen.id,
        partner_id=screen.partner_id,
        note_id=note_id,
        risk_review=dict(risk_review),
        decision=decision,
        reason=reason.strip(),
        decided_by_id=actor.id,
    )
    screen.reviewed_at = clock.now()
    screen.reviewed_by_id = actor.id
    db.session.add(follow_up)
    db.session.flush()
    audit.record(actor, "safety.follow_up", follow_up)
    return follow_up


def resume_joint_work(follow_up: SafetyFollowUp, reason: str, actor: User) -> None:
    """End a pause of joint work that a follow-up decided, with the reason."""
    if not follow_up.holds_joint_work:
        return
    if not reason.strip():
        raise UserError("Say why joint work can go on.", field="reason")
    follow_up.resumed_at = clock.now()
    follow_up.resume_reason = reason.strip()
    db.session.flush()
    audit.record(actor, "safety.resume", follow_up)


def follow_ups_of(couple: Couple) -> list[SafetyFollowUp]:
    """Every follow-up of the couple's safety checks, newest first."""
    return list(
        db.session.scalars(
            select(SafetyFollowUp)
            .where(SafetyFollowUp.couple_id == couple.id)
            .options(selectinload(SafetyFollowUp.decided_by))
            .order_by(SafetyFollowUp.decided_at.desc(), SafetyFollowUp.id.desc())
        )
    )


def contact_preference_of(partner: Partner) -> ContactPreference | None:
    return db.session.scalar(
        select(ContactPreference).where(ContactPreference.partner_id == partner.id)
    )


def save_contact_preference(
    partner: Partner, email_ok: bool, phone_ok: bool, safe_times: str, actor: User
) -> ContactPreference:
    """Record how it is safe to reach a partner; only the partner themselves may say."""
    if partner.user_id != actor.id:
        raise PermissionError("a partner says how to reach them")
    preference = contact_preference_of(partner) or ContactPreference(
        couple_id=partner.couple_id, partner_id=partner.id
    )
    preference.email_ok, preference.phone_ok = email_ok, phone_ok
    preference.safe_times = safe_times.strip()
    db.session.add(preference)
    db.session.flush()
    audit.record(actor, "safety.contact", preference)
    return preference


def partners_unsafe_by_email(partner_ids: Sequence[int]) -> set[int]:
    """Which of these partners said e-mail is not a safe way to reach them (one query)."""
    if not partner_ids:
        return set()
    return set(
        db.session.scalars(
            select(ContactPreference.partner_id).where(
                ContactPreference.partner_id.in_(partner_ids),
                ContactPreference.email_ok.is_(False),
            )
        )
    )


def safety_plan_of(partner: Partner) -> SafetyPlan | None:
    return db.session.scalar(select(SafetyPlan).where(SafetyPlan.partner_id == partner.id))


def save_safety_plan(partner: Partner, parts: dict[str, str], actor: User) -> SafetyPlan:
    """Keep a partner's own safety plan; only the partner themselves writes it."""
    if partner.user_id != actor.id:
        raise PermissionError("a partner writes their own safety plan")
    plan = safety_plan_of(partner) or SafetyPlan(couple_id=partner.couple_id, partner_id=partner.id)
    plan.content = {key: (parts.get(key) or "").strip() for key, _label, _hint in SAFETY_PLAN_PARTS}
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "safety.plan", plan)
    return plan


def joint_work_hold(couple: Couple) -> str | None:
    """Why joint work may not be assigned now, or None: a positive safety check waits for its
    follow-up, or a follow-up paused joint work (two small queries)."""
    if open_positive_screens(couple):
        return (
            "A positive safety check is waiting for its follow-up: joint exercises, "
            "turn-based exercises and agreements wait until you have talked with that "
            "partner alone and decided."
        )
    paused = db.session.scalar(
        select(SafetyFollowUp.id).where(
            SafetyFollowUp.couple_id == couple.id,
            SafetyFollowUp.decision == FollowUpDecision.PAUSE,
            SafetyFollowUp.resumed_at.is_(None),
        )
    )
    if paused is not None:
        return "Joint work is paused after a safety follow-up."
    return None


# --- the progress view ----------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSeries:
    partner: Partner
    points: tuple[tuple[date, float], ...]  # (day, total), oldest first
    latest_answers: dict[str, int] | None

    @property
    def first(self) -> float | None:
        return self.points[0][1] if self.points else None

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass(frozen=True)
class Entry:
    """One set of answers as listed on the couple page: when, whose, and who typed it in."""

    taken_on: date
    measure: Measure
    partner: Partner
    total: float
    entered_by: User


@dataclass(frozen=True)
class MeasureProgress:
    measure: Measure
    series: tuple[PartnerSeries, ...]
    changes: dict[int, scoring.Change]  # by partner id, when a partner has 2+ scores
    totals_diverge: bool
    diverging_items: tuple[str, ...]

    @property
    def has_data(self) -> bool:
        return any(s.points for s in self.series)

    @property
    def flagged(self) -> bool:
        return self.totals_diverge or bool(self.diverging_items)

    def chart_key(self) -> tuple:
        """Everything the chart depends on, hashable, so charts are cached by their data."""
        return (
            self.measure.key,
            tuple((s.partner.name, s.points) for s in self.series),
        )


@dataclass(frozen=True)
class CoupleProgress:
    measures: list[MeasureProgress]
    recent: list[Entry]  # newest first


def progress_of(couple: Couple, recent: int = 8) -> CoupleProgress:
    """Each progress measure: both partners' totals over time, change and divergence,
    and the latest entries with who entered them (three queries). Only the latest answers of
    each partner are opened (for the items that diverge): the chart needs the totals alone."""
    responses = db.session.scalars(
        select(MeasureResponse)
        .where(MeasureResponse.couple_id == couple.id)
        .options(
            load_only(
                MeasureResponse.measure_key,
                MeasureResponse.partner_id,
                MeasureResponse.taken_on,
                MeasureResponse.total,
                MeasureResponse.entered_by_id,
                raiseload=True,
            ),
            selectinload(MeasureResponse.entered_by),
        )
        .order_by(MeasureResponse.taken_on, MeasureResponse.id)
    ).all()
    by_measure: dict[str, dict[int, list[MeasureResponse]]] = defaultdict(lambda: defaultdict(list))
    for response in responses:
        by_measure[response.measure_key][response.partner_id].append(response)
    latest = [rows[-1].id for by_partner in by_measure.values() for rows in by_partner.values()]
    opened = select(MeasureResponse.id, MeasureResponse.answers).where(
        MeasureResponse.id.in_(latest)
    )
    answers = {row_id: value for row_id, value in db.session.execute(opened)} if latest else {}
    partners = {partner.id: partner for partner in couple.partners}
    return CoupleProgress(
        measures=[_progress(m, couple, by_measure[m.key], answers) for m in PROGRESS_MEASURES],
        recent=[
            Entry(
                r.taken_on, MEASURES[r.measure_key], partners[r.partner_id], r.total, r.entered_by
            )
            for r in reversed(responses[-recent:])
        ],
    )


def _progress(
    measure: Measure,
    couple: Couple,
    by_partner: dict[int, list[MeasureResponse]],
    answers: dict[int, dict[str, int]],
) -> MeasureProgress:
    series = []
    changes = {}
    for partner in couple.partners:
        rows = by_partner.get(partner.id, [])
        series.append(
            PartnerSeries(
                partner=partner,
                points=tuple((row.taken_on, row.total) for row in rows),
                latest_answers=answers.get(rows[-1].id) if rows else None,
            )
        )
        if len(rows) >= 2:
            changes[partner.id] = scoring.change(measure, rows[0].total, rows[-1].total)
    one, other = series
    both = one.latest is not None and other.latest is not None
    return MeasureProgress(
        measure=measure,
        series=tuple(series),
        changes=changes,
        totals_diverge=both and scoring.totals_diverge(measure, one.latest, other.latest),
        diverging_items=tuple(
            scoring.diverging_items(measure, one.latest_answers, other.latest_answers)
        )
        if both
        else (),
    )
