"""Referrals through their services: referring, moving a referral on, and who sees it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from practice import clock, db
from practice.couples.models import CoupleStatus
from practice.directory.models import DirectoryService
from practice.referrals import services as referrals
from practice.referrals.models import ReferralStatus
from tests.factories import CounselorFactory, CoupleFactory, partner_with_login

S = ReferralStatus


@pytest.fixture
def couple(db_session):
    couple = CoupleFactory(partners=["Wren Ortiz", "Kai Ortiz"])
    partner_with_login(couple, 1)
    partner_with_login(couple, 2)
    return couple


@pytest.fixture
def service(db_session):
    return add_service("Hillside Couples Clinic")


def add_service(name):
    service = DirectoryService(hsds_id=str(uuid.uuid4()), name=name, status="active")
    db.session.add(service)
    db.session.flush()
    return service


def refer(couple, service, *, partner=None, shared=True, reason="Weekly couples group"):
    return referrals.refer(
        couple, service, partner=partner, reason=reason, shared=shared, actor=couple.counselor
    )


def test_a_referral_starts_suggested_with_who_made_it(couple, service):
    referral = refer(couple, service)
    assert referral.status is S.SUGGESTED and referral.service_name == "Hillside Couples Clinic"
    assert [(e.status, e.actor_id, e.at) for e in referral.events] == [
        (S.SUGGESTED, couple.counselor.id, clock.now())
    ]
    assert referrals.referrals_of(couple) == [referral]


def test_a_closed_case_cannot_be_referred(couple, service):
    couple.status = CoupleStatus.CLOSED
    with pytest.raises(referrals.ReferralError, match="case is closed"):
        refer(couple, service)
    assert referrals.referrals_of(couple) == []


def test_a_partner_of_another_couple_cannot_be_referred(couple, service):
    stranger = CoupleFactory(partners=["Lior Banks", "Dana Banks"]).partners[0]
    with pytest.raises(referrals.ReferralError, match="one of the couple's partners"):
        refer(couple, service, partner=stranger)
    assert referrals.referrals_of(couple) == []


def test_a_referral_moves_on_through_contact_and_attendance_to_completion(couple, service):
    referral = refer(couple, service)
    for status in (S.CONTACTED, S.ATTENDING, S.COMPLETED):
        referrals.change_status(referral, status, "", couple.counselor)
        assert referral.status is status
    assert [e.status for e in referral.events] == [
        S.SUGGESTED,
        S.CONTACTED,
        S.ATTENDING,
        S.COMPLETED,
    ]


# Moves the referral's course does not allow: backwards, skipping to the end, or out of an end.
REFUSED = [
    ([], S.COMPLETED),
    ([], S.SUGGESTED),
    ([S.CONTACTED], S.SUGGESTED),
    ([S.CONTACTED], S.CONTACTED),
    ([S.ATTENDING], S.CONTACTED),
    ([S.CONTACTED, S.COMPLETED], S.DECLINED),
    ([S.CONTACTED, S.COMPLETED], S.ATTENDING),
    ([S.DECLINED], S.CONTACTED),
    ([S.DECLINED], S.SUGGESTED),
]


@pytest.mark.parametrize(("path", "move"), REFUSED)
def test_a_referral_cannot_move_against_its_course(couple, service, path, move):
    referral = refer(couple, service)
    for status in path:
        referrals.change_status(referral, status, "No longer wanted", couple.counselor)
    before = (referral.status, len(referral.events))
    with pytest.raises(referrals.ReferralError, match=f"cannot become {move.value}"):
        referrals.change_status(referral, move, "A note", couple.counselor)
    assert (referral.status, len(referral.events)) == before


def test_a_decline_needs_its_reason(couple, service):
    referral = refer(couple, service)
    for blank in ("", "   "):
        with pytest.raises(referrals.ReferralError, match="Say why"):
            referrals.change_status(referral, S.DECLINED, blank, couple.counselor)
    assert referral.status is S.SUGGESTED and len(referral.events) == 1
    referrals.change_status(referral, S.DECLINED, "  Waiting list too long ", couple.counselor)
    assert referral.status is S.DECLINED
    assert referral.events[-1].note == "Waiting list too long"


def test_every_change_records_who_made_it_and_when(couple, service, frozen_clock):
    wren = couple.partners[0]
    referral = refer(couple, service)
    started = clock.now()
    frozen_clock.advance(days=2)
    referrals.change_status(referral, S.CONTACTED, "", wren.user)  # the partner made contact
    frozen_clock.advance(days=5)
    referrals.change_status(referral, S.ATTENDING, "", couple.counselor)
    assert [(e.status, e.actor_id, e.at) for e in referral.events] == [
        (S.SUGGESTED, couple.counselor.id, started),
        (S.CONTACTED, wren.user.id, started + timedelta(days=2)),
        (S.ATTENDING, couple.counselor.id, clock.now()),
    ]


def test_a_partner_sees_shared_referrals_for_the_couple_and_for_them_alone(couple, service):
    wren, kai = couple.partners
    for_both = refer(couple, service, reason="For you both")
    for_wren = refer(couple, add_service("Riverbank Counseling"), partner=wren)
    for_kai = refer(couple, add_service("Safe Porch"), partner=kai)
    refer(couple, add_service("Kept In Mind"), shared=False)  # internal: the counselor's note
    refer(couple, add_service("Kai Private"), partner=kai, shared=False)
    other = CoupleFactory(partners=["Lior Banks", "Dana Banks"])
    refer(other, add_service("Elsewhere"))
    assert set(referrals.referrals_for_partner(wren)) == {for_both, for_wren}
    assert set(referrals.referrals_for_partner(kai)) == {for_both, for_kai}
    assert len(referrals.referrals_of(couple)) == 5  # the counselor sees them all


def test_a_partners_list_is_newest_first(couple, service, frozen_clock):
    older = refer(couple, service)
    frozen_clock.advance(days=1)
    newer = refer(couple, add_service("Riverbank Counseling"))
    assert referrals.referrals_for_partner(couple.partners[1]) == [newer, older]


def test_open_referrals_are_the_counselors_own_still_open_ones(couple, service, frozen_clock):
    suggested = refer(couple, service)
    frozen_clock.advance(hours=1)
    contacted = refer(couple, service)
    referrals.change_status(contacted, S.CONTACTED, "", couple.counselor)
    frozen_clock.advance(hours=1)
    attending = refer(couple, service)
    referrals.change_status(attending, S.ATTENDING, "", couple.counselor)
    completed = refer(couple, service)
    referrals.change_status(completed, S.CONTACTED, "", couple.counselor)
    referrals.change_status(completed, S.COMPLETED, "", couple.counselor)
    declined = refer(couple, service)
    referrals.change_status(declined, S.DECLINED, "Too far away", couple.counselor)
    second_couple = CoupleFactory(counselor=couple.counselor)
    frozen_clock.advance(hours=1)
    another_of_mine = refer(second_couple, service)
    refer(CoupleFactory(counselor=CounselorFactory()), service)  # a colleague's couple
    assert [r.id for r in referrals.open_referrals_of(couple.counselor)] == [
        suggested.id,
        contacted.id,
        attending.id,
        another_of_mine.id,
    ]
    assert [r.id for r in referrals.open_referrals_of(couple.counselor, limit=2)] == [
        suggested.id,
        contacted.id,
    ]
