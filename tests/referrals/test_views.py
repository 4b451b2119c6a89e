"""Referrals through the pages: shared or internal, for the couple or one partner, and the
loop closed from the portal."""

from __future__ import annotations

from sqlalchemy import select

from practice import db
from practice.referrals.models import Referral, ReferralStatus
from tests.conftest import visible_text
from tests.factories import CoupleFactory, partner_with_login


def test_a_shared_referral_reaches_the_portal_and_closes_the_loop(client, auth, directory):
    couple = CoupleFactory(partners=["Rae Stone", "Jules Stone"])
    rae = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    service = directory["manhattan"]
    client.post(
        f"/couples/{couple.id}/referrals/new?service={service.hsds_id}",
        data={"partner_id": "", "reason": "Weekly couples group", "shared": "y"},
    )
    referral = db.session.scalar(select(Referral))
    assert referral.status is ReferralStatus.SUGGESTED
    assert "Midtown Couples Clinic" in client.get("/couples").text  # open referrals
    auth.logout()

    auth.login(rae)
    portal = visible_text(client.get("/portal/referrals").text)
    assert "Midtown Couples Clinic" in portal and "555-0100" in portal
    assert "1 Main St, Midtown Couples Clinic" in portal
    client.post(f"/portal/referrals/{referral.id}/contacted")
    assert referral.status is ReferralStatus.CONTACTED
    auth.logout()

    auth.login(couple.counselor)
    missing_reason = client.post(f"/referrals/{referral.id}", data={"status": "declined"})
    assert "Say why the referral was declined." in missing_reason.text
    client.post(f"/referrals/{referral.id}", data={"status": "attending"})
    client.post(f"/referrals/{referral.id}", data={"status": "completed"})
    history = visible_text(client.get(f"/referrals/{referral.id}").text)
    for step in ("Suggested", "Contacted · Rae Stone", "Attending", "Completed"):
        assert step in history
    backwards = client.post(f"/referrals/{referral.id}", data={"status": "contacted"})
    assert backwards.status_code == 400


def test_a_referral_for_one_partner_never_reaches_the_other(client, auth, directory):
    couple = CoupleFactory(partners=["Rae Stone", "Jules Stone"])
    partner_with_login(couple, 1)
    jules = partner_with_login(couple, 2)
    auth.login(couple.counselor)
    client.post(
        f"/couples/{couple.id}/referrals/new?service={directory['dv'].hsds_id}",
        data={"partner_id": str(couple.partners[0].id), "reason": "For you alone", "shared": "y"},
    )
    referral = db.session.scalar(select(Referral))
    auth.logout()
    auth.login(jules)
    assert "Safe Harbor" not in client.get("/portal/referrals").text
    assert "Safe Harbor" not in client.get("/portal/").text
    assert client.post(f"/portal/referrals/{referral.id}/contacted").status_code == 404
    assert referral.status is ReferralStatus.SUGGESTED


def test_an_internal_referral_stays_with_the_counselor(client, auth, directory):
    couple = CoupleFactory()
    rae = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    client.post(
        f"/couples/{couple.id}/referrals/new?service={directory['newark'].hsds_id}",
        data={"partner_id": "", "reason": "Keep in mind"},
    )
    auth.logout()
    auth.login(rae)
    assert "Newark Family Center" not in client.get("/portal/referrals").text


def test_referring_needs_a_reason_and_an_active_service(client, auth, directory):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    response = client.post(
        f"/couples/{couple.id}/referrals/new?service={directory['manhattan'].hsds_id}",
        data={"partner_id": "", "reason": "  "},
    )
    assert response.status_code == 400 and "Give the reason for the referral." in response.text
    inactive = client.get(
        f"/couples/{couple.id}/referrals/new?service={directory['closed'].hsds_id}"
    )
    assert inactive.status_code == 404
    assert db.session.scalar(select(Referral)) is None


def test_referral_pages_offer_only_possible_moves_and_warn_about_gone_services(
    client, auth, directory
):
    couple = CoupleFactory()
    rae = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    service = directory["dv"]
    client.post(
        f"/couples/{couple.id}/referrals/new?service={service.hsds_id}",
        data={"partner_id": str(couple.partners[0].id), "reason": "For you", "shared": "y"},
    )
    referral = db.session.scalar(select(Referral))
    page = client.get(f"/referrals/{referral.id}").text
    assert 'value="completed"' not in page and 'value="contacted"' in page
    auth.logout()
    auth.login(rae)
    portal = client.get("/portal/referrals").text
    assert "data-quick-exit" in portal  # it lists domestic-violence support
    client.post(f"/portal/referrals/{referral.id}/contacted")
    twice = client.post(f"/portal/referrals/{referral.id}/contacted", follow_redirects=True)
    assert "Your counselor already knows you made contact." in twice.text
    service.status = "inactive"
    gone = client.get("/portal/referrals").text
    assert "This service is no longer listed." in gone and "555-0100" not in gone
