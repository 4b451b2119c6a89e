"""Agreements through their services: proposing, co-signing, amending and revisiting."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from practice import clock, db
from practice.agreements import services as agreements
from practice.agreements.models import AgreementStatus
from practice.couples.models import CoupleStatus
from practice.exercises.fields import AnswerError, check_spec
from practice.exercises.models import AgreementKind, Mode, Rhythm
from practice.homework import services as homework
from tests.factories import (
    CounselorFactory,
    CoupleFactory,
    make_assignment,
    make_exercise,
    partner_with_login,
)

PAUSE_FIELDS = check_spec(
    [
        {"key": "signal", "label": "Our signal", "type": "short_text", "required": True},
        {"key": "revisit_on", "label": "Look again on", "type": "date"},
    ]
)


@pytest.fixture
def couple(db_session):
    couple = CoupleFactory(partners=["Juno Hart", "Milo Hart"])
    partner_with_login(couple, 1)
    partner_with_login(couple, 2)
    return couple


def pause_exercise():
    return make_exercise(
        title="Pause agreement",
        rhythm=Rhythm.ONCE,
        mode=Mode.TOGETHER,
        agreement_kind=AgreementKind.PAUSE,
        fields=PAUSE_FIELDS,
    )


def propose(couple, position=1, signal="Hand on the table", revisit_in=30):
    """A partner sends the pause-agreement homework, which proposes the agreement."""
    partner = couple.partners[position - 1]
    answers = {"signal": signal}
    if revisit_in is not None:
        answers["revisit_on"] = clock.today() + timedelta(days=revisit_in)
    homework.save_answers(
        make_assignment(couple, pause_exercise(), rhythm="once"),
        partner,
        answers,
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=partner.user,
    )
    return agreements.agreements_of(couple.id)[0]


def accept(agreement, partner):
    agreements.accept_agreement(agreement, partner, partner.user)


def amend(agreement, partner, signal, revisit_in=60):
    answers = {"signal": signal, "revisit_on": clock.today() + timedelta(days=revisit_in)}
    return agreements.amend_agreement(agreement, partner, answers, partner.user)


def test_the_other_partner_accepts_and_the_agreement_is_in_force(couple):
    juno, milo = couple.partners
    agreement = propose(couple, 1)
    assert agreement.in_force is None
    accept(agreement, milo)
    assert agreement.status is AgreementStatus.IN_FORCE and agreement.pending is None
    signed = agreement.in_force
    assert (signed.proposed_by_id, signed.accepted_by_id) == (juno.id, milo.id)
    assert signed.accepted_at == clock.now()


def test_the_proposer_cannot_accept_their_own_proposal(couple):
    agreement = propose(couple, 1)
    with pytest.raises(agreements.AgreementError, match="Your partner needs to accept"):
        accept(agreement, couple.partners[0])
    assert agreement.status is AgreementStatus.PROPOSED and agreement.in_force is None


def test_nothing_is_accepted_twice(couple):
    agreement = propose(couple, 1)
    accept(agreement, couple.partners[1])
    with pytest.raises(agreements.AgreementError, match="no proposal waiting"):
        accept(agreement, couple.partners[1])


def test_a_partner_of_another_couple_can_neither_accept_nor_amend(couple):
    agreement = propose(couple, 1)
    outsider = CoupleFactory(partners=["Ivo Lark", "Tess Lark"])
    partner_with_login(outsider, 1)
    with pytest.raises(agreements.AgreementError, match="another couple"):
        accept(agreement, outsider.partners[0])
    with pytest.raises(agreements.AgreementError, match="another couple"):
        agreements.check_may_amend(agreement, outsider.partners[0])
    assert agreement.in_force is None


def test_an_amendment_leaves_the_agreed_text_in_force_until_it_is_accepted(couple):
    juno, milo = couple.partners
    agreement = propose(couple, 1, signal="Hand on the table", revisit_in=30)
    accept(agreement, milo)
    first_revisit = agreement.revisit_on
    amend(agreement, milo, "Say 'time out'", revisit_in=60)
    assert agreement.status is AgreementStatus.IN_FORCE
    assert agreement.in_force.content["signal"] == "Hand on the table"
    assert agreement.revisit_on == first_revisit  # the agreed date holds too
    assert agreement.pending.content["signal"] == "Say 'time out'"
    assert agreement.pending.proposed_by_id == milo.id
    accept(agreement, juno)
    assert agreement.in_force.content["signal"] == "Say 'time out'"
    assert agreement.revisit_on == clock.today() + timedelta(days=60)
    assert [v.number for v in agreement.versions] == [1, 2]  # every version is kept


def test_a_partner_waits_for_an_answer_before_amending_again(couple):
    juno, milo = couple.partners
    agreement = propose(couple, 1)
    accept(agreement, milo)
    amend(agreement, milo, "Raise a hand")
    with pytest.raises(agreements.AgreementError, match="Wait for your partner"):
        amend(agreement, milo, "Raise both hands")
    # The other partner may answer with changes of their own, which replace the proposal.
    amend(agreement, juno, "Raise a hand and breathe")
    older = agreement.versions[1]
    assert older.replaced_at == clock.now() and older.accepted_at is None
    assert agreement.pending.proposed_by_id == juno.id
    assert agreement.pending.content["signal"] == "Raise a hand and breathe"
    assert agreement.in_force.content["signal"] == "Hand on the table"


def test_an_amendment_is_checked_against_the_exercises_fields(couple):
    agreement = propose(couple, 1)
    milo = couple.partners[1]
    with pytest.raises(AnswerError, match="Please answer"):
        agreements.amend_agreement(agreement, milo, {"signal": ""}, milo.user)
    assert len(agreement.versions) == 1


def test_the_revisit_date_comes_from_the_text(couple):
    dated = propose(couple, 1, revisit_in=45)
    assert dated.revisit_on == clock.today() + timedelta(days=45)
    undated = propose(couple, 2, revisit_in=None)
    assert undated.revisit_on is None


def agreed(couple, revisit_in, version):
    """An agreement in force, proposed by the first partner, to revisit in some days."""
    juno, milo = couple.partners
    content = {
        "signal": f"Signal {revisit_in}",
        "revisit_on": (clock.today() + timedelta(days=revisit_in)).isoformat(),
    }
    agreement = agreements.propose_agreement(couple.id, None, version, juno, content)
    db.session.flush()
    accept(agreement, milo)
    return agreement


def test_revisits_are_the_counselors_active_couples_due_within_a_week(couple):
    version = pause_exercise()
    overdue = agreed(couple, -3, version)
    soon = agreed(couple, 2, version)
    in_a_week = agreed(couple, 7, version)
    agreed(couple, 8, version)  # too far off
    juno = couple.partners[0]
    only_proposed = agreements.propose_agreement(
        couple.id, None, version, juno, {"signal": "x", "revisit_on": clock.today().isoformat()}
    )
    db.session.flush()
    closed = CoupleFactory(counselor=couple.counselor, status=CoupleStatus.CLOSED)
    agreed(closed, 1, version)
    agreed(CoupleFactory(counselor=CounselorFactory()), 1, version)  # someone else's couple
    found = [row.id for row in agreements.revisits_for(couple.counselor, clock.today())]
    assert found == [overdue.id, soon.id, in_a_week.id]
    assert only_proposed.id not in found


def test_revisits_list_at_most_twenty_earliest_first(couple):
    version = pause_exercise()
    days = list(range(-24, 1))  # 25 agreements, all due
    random.Random(7).shuffle(days)  # made in no particular order
    made = {day: agreed(couple, day, version) for day in days}
    found = [row.id for row in agreements.revisits_for(couple.counselor, clock.today())]
    assert found == [made[day].id for day in range(-24, -4)]


def test_a_couples_agreements_come_newest_first(couple, frozen_clock):
    first = propose(couple, 1, signal="First")
    frozen_clock.advance(hours=1)
    second = propose(couple, 2, signal="Second")
    frozen_clock.advance(hours=1)
    third = propose(couple, 1, signal="Third")
    propose(CoupleFactory(), 1)  # another couple's
    assert agreements.agreements_of(couple.id) == [third, second, first]
