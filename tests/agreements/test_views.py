"""Agreements through the portal: proposed, amended and co-signed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from practice import clock, db
from practice.agreements.models import Agreement, AgreementStatus
from practice.exercises.fields import check_spec
from practice.exercises.models import AgreementKind, Mode, Rhythm
from tests.conftest import visible_text
from tests.factories import make_assignment, make_exercise


def test_an_agreement_is_proposed_amended_and_co_signed(client, auth, couple):
    version = make_exercise(
        mode=Mode.TOGETHER,
        rhythm=Rhythm.ONCE,
        agreement_kind=AgreementKind.PAUSE,
        title="Pause agreement",
        fields=check_spec(
            [
                {"key": "signal", "label": "Signal", "type": "short_text", "required": True},
                {"key": "revisit_on", "label": "Revisit", "type": "date", "required": True},
            ]
        ),
    )
    assignment = make_assignment(couple, version, rhythm="once")
    ines, omar = couple.partners
    soon = (clock.today() + timedelta(days=3)).isoformat()
    auth.login(ines.user)
    sent = client.post(
        f"/portal/assignments/{assignment.id}",
        data={"f_signal": "Hand up", "f_revisit_on": soon, "submit": "1"},
        follow_redirects=True,
    )
    assert "Your partner can now accept it or suggest changes." in sent.text
    agreement = db.session.scalar(select(Agreement))
    # The proposer cannot accept their own proposal.
    own = client.post(f"/portal/agreements/{agreement.id}/accept", follow_redirects=True)
    assert "Your partner needs to accept what you proposed." in own.text
    auth.logout()

    auth.login(omar.user)
    assert "Ines Fox proposed: Pause agreement. Do you agree?" in client.get("/portal/").text
    client.post(
        f"/portal/agreements/{agreement.id}/amend",
        data={"f_signal": "Time-out sign", "f_revisit_on": soon},
    )
    auth.logout()

    auth.login(ines.user)
    client.post(f"/portal/agreements/{agreement.id}/accept")
    assert agreement.status is AgreementStatus.IN_FORCE
    page = client.get(f"/portal/agreements/{agreement.id}").text
    assert "Proposed by Omar Fox" in page and "accepted by Ines Fox" in page
    assert "Time-out sign" in page and "Earlier versions (1)" in page
    assert "Time to look again at your pause agreement" in client.get("/portal/").text
    auth.logout()

    # Changes suggested later leave the agreement in force until they are accepted.
    auth.login(omar.user)
    client.post(
        f"/portal/agreements/{agreement.id}/amend",
        data={"f_signal": "Say 'pause'", "f_revisit_on": soon},
    )
    page = visible_text(client.get(f"/portal/agreements/{agreement.id}").text)
    assert "In force" in page and "Time-out sign" in page and "Proposed changes" in page
    auth.logout()

    auth.login(couple.counselor)
    couple_page = visible_text(client.get(f"/couples/{couple.id}").text)
    assert "in force, signed by Omar Fox and Ines Fox; revisit" in couple_page
    assert "changes by Omar Fox, waiting for the other partner" in couple_page
    assert "Agreements to revisit" in client.get("/couples").text
    staff_view = visible_text(client.get(f"/agreements/{agreement.id}").text)
    assert "Time-out sign" in staff_view and "Say 'pause'" in staff_view
