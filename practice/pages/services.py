"""What each composed page shows, loaded in a fixed number of queries whatever the data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from practice import db
from practice.accounts import trail
from practice.accounts.models import User
from practice.agreements import services as agreements_services
from practice.agreements.models import Agreement, AgreementStatus
from practice.appointments.digest import last_attended_appointment
from practice.appointments.models import Appointment, AppointmentFormat
from practice.appointments.services import appointments_of, upcoming_rows_for
from practice.consent.models import ConsentSignature
from practice.consent.services import current_or_default, signatures_of_couple, signed_current
from practice.couples import services as couple_services
from practice.couples.models import CaseEvent, Couple, Partner
from practice.feedback import services as feedback
from practice.feedback.models import SessionRating
from practice.feedback.services import FeedbackFlag
from practice.homework import schedule
from practice.homework import services as homework
from practice.homework.digest import Digest, digest
from practice.homework.models import Assignment
from practice.intake.services import intake_summaries
from practice.measures.models import SafetyFollowUp, SafetyScreen
from practice.measures.services import (
    CoupleProgress,
    couples_with_open_safety_flags,
    follow_ups_of,
    progress_of,
    safety_screens_of,
)
from practice.pagination import Page
from practice.plans import services as plans
from practice.plans.models import TreatmentPlan
from practice.referrals.models import Referral, ReferralStatus
from practice.referrals.services import open_referrals_of, referrals_of

# --- the counselor's caseload ---------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingRow:
    id: int
    starts_at: datetime
    format: AppointmentFormat
    couple: str  # the partners' names
    individual: str | None  # the partner of an individual appointment


@dataclass(frozen=True)
class RevisitRow:
    id: int
    couple_id: int
    couple: str
    title: str
    revisit_on: date


@dataclass(frozen=True)
class OpenReferralRow:
    id: int
    service_name: str
    couple: str
    partner: str | None  # the partner it is for, if only one
    status: ReferralStatus


@dataclass(frozen=True)
class CaseloadExtras:
    """What the caseload shows beside the page of couples."""

    upcoming: list[UpcomingRow]
    flagged: set[int]  # couples on this page with a positive safety check not followed up
    consent_signed: dict[int, int]  # couples on this page: partners who signed the consent
    revisits: list[RevisitRow]
    open_referrals: list[OpenReferralRow]
    plan_reviews: list[RevisitRow] = field(default_factory=list)  # id: the couple's


UPCOMING_SHOWN, REVISITS_SHOWN, REFERRALS_SHOWN = 8, 20, 20


def caseload_extras(counselor: User, couples: Sequence[Couple], today: date) -> CaseloadExtras:
    """The lists beside the caseload, as the columns they show (seven queries)."""
    upcoming = upcoming_rows_for(counselor, limit=UPCOMING_SHOWN)
    revisits = agreements_services.revisits_for(counselor, today, limit=REVISITS_SHOWN)
    referrals = open_referrals_of(counselor, limit=REFERRALS_SHOWN)
    reviews = plans.reviews_due(counselor, today, limit=REVISITS_SHOWN)
    names = _partner_names({row.couple_id for row in (*upcoming, *revisits, *referrals, *reviews)})

    def couple_name(couple_id: int) -> str:
        return " & ".join(name for _, name in names.get(couple_id, []))

    def partner_name(couple_id: int, partner_id: int | None) -> str | None:
        return next((name for pid, name in names.get(couple_id, []) if pid == partner_id), None)

    return CaseloadExtras(
        upcoming=[
            UpcomingRow(
                row.id,
                row.starts_at,
                row.format,
                couple_name(row.couple_id),
                partner_name(row.couple_id, row.individual_partner_id),
            )
            for row in upcoming
        ],
        flagged=couples_with_open_safety_flags([couple.id for couple in couples]),
        consent_signed=signed_current([couple.id for couple in couples]),
        revisits=[
            RevisitRow(row.id, row.couple_id, couple_name(row.couple_id), row.title, row.revisit_on)
            for row in revisits
        ],
        plan_reviews=[
            RevisitRow(row.couple_id, row.couple_id, couple_name(row.couple_id), "", row.review_on)
            for row in reviews
        ],
        open_referrals=[
            OpenReferralRow(
                row.id,
                row.service_name,
                couple_name(row.couple_id),
                partner_name(row.couple_id, row.partner_id),
                row.status,
            )
            for row in referrals
        ],
    )


def _partner_names(couple_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Each couple's partners as (id, name), in order (one query)."""
    names: dict[int, list[tuple[int, str]]] = {}
    if couple_ids:
        rows = db.session.execute(
            select(Partner.couple_id, Partner.id, Partner.name)
            .where(Partner.couple_id.in_(couple_ids))
            .order_by(Partner.couple_id, Partner.position)
        )
        for couple_id, partner_id, name in rows:
            names.setdefault(couple_id, []).append((partner_id, name))
    return names


# --- a couple's case ------------------------------------------------------------------------


@dataclass(frozen=True)
class CoupleOverview:
    """Everything the couple page shows."""

    appointments: Page[Appointment]
    progress: CoupleProgress
    safety_screens: list[SafetyScreen]
    assignments: list[homework.AssignmentRow]
    agreements: list[Agreement]
    digest: Digest
    referrals: list[Referral]
    opened_by: list[trail.Opened]  # from the audit trail, this visit not yet counted
    history: list[tuple[CaseEvent, str | None]]  # opened, status changes, moves; newest first
    follow_ups: list[SafetyFollowUp] = field(default_factory=list)
    ratings: list[SessionRating] = field(default_factory=list)  # of appointments, by partners
    feedback_flags: list[FeedbackFlag] = field(default_factory=list)
    consent_signatures: list[ConsentSignature] = field(default_factory=list)
    consent_version: int = 1  # the number of the consent in force
    intakes_sent: int = 0  # of the partners' private intakes
    intake_reasons_differ: bool = False
    plan: TreatmentPlan | None = None
    plan_goals: list[plans.GoalView] = field(default_factory=list)  # with objectives' status

    def consent_missing(self, couple: Couple) -> list[Partner]:
        """The partners who have not signed the consent in force."""
        signed = {
            s.partner_id
            for s in self.consent_signatures
            if s.version.number == self.consent_version
        }
        return [partner for partner in couple.partners if partner.id not in signed]

    @property
    def open_safety_flags(self) -> list[SafetyScreen]:
        """Positive safety checks not yet followed up: the banner."""
        return [s for s in self.safety_screens if s.positive and s.reviewed_at is None]


def couple_overview(couple: Couple, today: date, appointments_page: int = 1) -> CoupleOverview:
    """Gather the couple page: appointments with notes, progress, safety checks, homework
    and agreements, the digest since the last appointment, and referrals."""
    assignments = homework.assignments_of(couple)
    agreements = agreements_services.agreements_of(couple.id)
    last = last_attended_appointment(couple)
    intakes_sent, reasons_differ = intake_summaries([couple.id]).get(couple.id, (0, False))
    ratings = feedback.ratings_of(couple)
    plan = plans.plan_of(couple.id)
    return CoupleOverview(
        appointments=appointments_of(couple, page=appointments_page),
        progress=progress_of(couple),
        safety_screens=safety_screens_of(couple),
        assignments=homework.assignment_rows(couple, assignments, today),
        agreements=agreements,
        digest=digest(couple, assignments, agreements, last.starts_at if last else None, today),
        referrals=referrals_of(couple),
        opened_by=trail.who_opened(couple.id),
        history=couple_services.case_history(couple.id),
        follow_ups=follow_ups_of(couple),
        ratings=ratings,
        feedback_flags=feedback.flags(couple, ratings),
        consent_signatures=signatures_of_couple(couple.id),
        consent_version=current_or_default().number,
        intakes_sent=intakes_sent,
        intake_reasons_differ=reasons_differ,
        plan=plan,
        plan_goals=plans.goal_views(couple, plan) if plan else [],
    )


# --- a partner's portal home ----------------------------------------------------------------


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
    this_week = (today - timedelta(days=2), today + timedelta(days=7))
    for assignment in homework.running_for_partner(partner, *this_week):
        items.append(
            PortalItem(
                assignment=assignment,
                adherence=schedule.adherence_of(
                    assignment, schedule.answerer_of(assignment, partner.id), today
                ),
                closed_reason=schedule.why_closed(assignment, today),
                has_draft=homework.own_draft(assignment, partner) is not None,
                new_feedback=sum(
                    len(c.feedback) for c in assignment.completions if c.partner_id == partner.id
                ),
            )
        )
    agreements = agreements_services.agreements_of(partner.couple_id)
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
