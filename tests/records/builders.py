"""A couple with something in every part of the record, each piece carrying its own marker,
so a test can tell exactly what an export kept and what a purge removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from practice import clock, db
from practice.appointments import services as appointments
from practice.consent import services as consent
from practice.couples.models import Couple
from practice.exercises.models import Visibility
from practice.homework import services as homework
from practice.intake import services as intake
from practice.measures import services as measures
from practice.measures.definitions import CSI4
from practice.plans import services as plans
from practice.plans.models import shown_fingerprint
from practice.referrals import services as referrals
from tests.agreements.test_services import propose
from tests.factories import (
    AppointmentFactory,
    CoupleFactory,
    add_service,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)

SAFE = {"humiliated": 0, "afraid": 0, "raped": 0, "kicked": 0}


@dataclass
class FullRecord:
    couple: Couple
    partner_ids: tuple[int, int]


def full_record(*, closing: dict[str, object] | None = None, **couple_fields: object) -> FullRecord:
    """Fill a case; ``closing`` (status, closed_on, closing_reason) closes it afterwards."""
    couple = CoupleFactory(partners=["Iris Moreau", "Theo Moreau"], **couple_fields)
    counselor = couple.counselor
    users = (partner_with_login(couple, 1), partner_with_login(couple, 2))
    first, second = couple.partners
    joint = signed_note(AppointmentFactory(couple=couple), assessment="JOINT-NOTE-TEXT")
    appointments.add_addendum(joint, {"reason": "Late detail", "body": "ADDENDUM-TEXT"}, counselor)
    alone = AppointmentFactory(
        couple=couple,
        individual_partner_id=second.id,
        starts_at=clock.now().replace(microsecond=0) - timedelta(days=2),
    )
    signed_note(alone, assessment="SECOND-ALONE-NOTE")
    assignment = make_assignment(couple, make_exercise(privacy_choice=True))
    today = clock.today()
    for partner, user, text, visibility in (
        (first, users[0], "FIRST-PRIVATE-ANSWER", Visibility.COUNSELOR),
        (second, users[1], "SECOND-PRIVATE-ANSWER", Visibility.COUNSELOR),
    ):
        homework.save_answers(
            assignment,
            partner,
            {"heard": text, "connected": 5},
            visibility=visibility,
            submit=True,
            today=today,
            actor=user,
        )
    shared_assignment = make_assignment(couple, make_exercise(privacy_choice=True))
    shared = homework.save_answers(
        shared_assignment,
        second,
        {"heard": "SECOND-SHARED-ANSWER", "connected": 7},
        visibility=Visibility.SHARED,
        submit=True,
        today=today,
        actor=users[1],
    )
    homework.add_feedback(shared, "FEEDBACK-TEXT", counselor)
    homework.save_answers(
        shared_assignment,
        first,
        {"heard": "FIRST-UNSENT-DRAFT", "connected": 2},
        visibility=Visibility.SHARED,
        submit=False,
        today=today,
        actor=users[0],
    )
    for partner, user in zip((first, second), users, strict=True):
        answers = dict(zip(CSI4.item_keys, (3, 3, 3, 3), strict=True))
        measures.record_response(partner, CSI4, answers, today, counselor)
        measures.record_safety_screen(partner, SAFE, user)
        version = consent.current_or_default()
        consent.sign(partner, version.number, version.sha256, partner.name, today, user)
        marker = "FIRST" if partner is first else "SECOND"
        intake.record_intake(
            partner,
            {"reason": "improve", "what_brings": f"{marker}-INTAKE", "hopes": "", "prior": "none"},
            user,
        )
    referrals.refer(
        couple,
        add_service("Second's own service"),
        partner=second,
        reason="SECOND-REFERRAL-REASON",
        shared=False,
        actor=counselor,
    )
    referrals.refer(
        couple,
        add_service("Joint service"),
        partner=None,
        reason="JOINT-REFERRAL-REASON",
        shared=True,
        actor=counselor,
    )
    propose(couple, 1, signal="AGREEMENT-SIGNAL")
    own_words = {"kind": "own_words", "text": "Say it", "target_on": "2099-01-01"}
    version = plans.save_plan(
        couple,
        [
            {"partner_id": None, "title": "JOINT-PLAN-GOAL", "objectives": [dict(own_words)]},
            {"partner_id": second.id, "title": "SECOND-PLAN-GOAL", "objectives": [own_words]},
        ],
        today,
        counselor,
    )
    plans.acknowledge(version.plan, first, shown_fingerprint(version.goals_for(first.id)), users[0])
    for name, value in (closing or {}).items():
        setattr(couple, name, value)
    db.session.flush()
    return FullRecord(couple, (first.id, second.id))
