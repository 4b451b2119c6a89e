"""What a partner keeps in private: how to reach them safely, and their own safety plan."""

from __future__ import annotations

import pytest

from practice import clock, db
from practice.homework import reminders
from practice.outbox import services as outbox
from tests.conftest import portal_pages, visible_text
from tests.factories import (
    CounselorFactory,
    CoupleFactory,
    make_assignment,
    make_exercise,
    partner_with_login,
)

PLAN = {
    "warning_signs": "He goes quiet and paces",
    "safe_places": "My sister's flat on Elm Road",
    "people": "Rosa 555-0147",
    "take_with": "Passport, inhaler",
}
# Every portal page partner B can open that the private pages of A could touch.
B_PAGES = (
    "/portal/",
    "/portal/intake",
    "/portal/consent",
    "/portal/safety",
    "/portal/safety/resources",
    "/portal/safety/contact",
    "/portal/safety/plan",
    "/portal/safety/plan/print",
    "/portal/referrals",
)


@pytest.fixture
def couple_with_logins(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def test_no_reminder_goes_by_e_mail_to_a_partner_who_said_it_is_not_safe(
    app, client, auth, couple_with_logins, smtp_server, mail_settings
):
    inbox, _port = smtp_server
    couple, ana, ben = couple_with_logins
    make_assignment(couple, make_exercise(title="Evening check-in"))
    auth.login(ana)
    refused = client.post("/portal/safety/contact", data={"phone_ok": "yes"})
    assert refused.status_code == 400 and "Choose yes or no." in refused.text
    saved = client.post(
        "/portal/safety/contact",
        data={"email_ok": "no", "phone_ok": "yes", "safe_times": "Weekdays 10-12"},
    )
    assert saved.status_code == 302
    assert reminders.queue_due(clock.today(), app.config["PRACTICE_BASE_URL"]) == 1
    db.session.commit()
    outbox.send_pending(app.config, db.session.commit)
    assert [recipients for recipients, _body in inbox.messages] == [[ben.email]]
    auth.logout()
    auth.login(couple.counselor)
    partner_id = couple.partners[0].id
    page = visible_text(client.get(f"/couples/{couple.id}/safety/partners/{partner_id}").text)
    assert "E-mail: not safe (no e-mail reminders are sent)" in page
    assert "Safe times: Weekdays 10-12" in page


def test_a_partner_keeps_and_prints_a_safety_plan_only_their_counselor_reads(
    client, auth, couple_with_logins
):
    couple, ana, _ben = couple_with_logins
    auth.login(ana)
    assert client.post("/portal/safety/plan", data=PLAN).status_code == 302
    printed = visible_text(client.get("/portal/safety/plan/print").text)
    for words in PLAN.values():
        assert words in printed
    assert "1-800-799-7233" in printed and "Quick exit" in printed
    auth.logout()
    auth.login(couple.counselor)
    partner_id = couple.partners[0].id
    page = visible_text(client.get(f"/couples/{couple.id}/safety/partners/{partner_id}").text)
    assert "My sister's flat on Elm Road" in page
    auth.logout()
    auth.login(CounselorFactory())
    assert client.get(f"/couples/{couple.id}/safety/partners/{partner_id}").status_code == 404


def test_the_other_partners_pages_stay_the_same_byte_for_byte(client, auth, couple_with_logins):
    _couple, ana, ben = couple_with_logins
    auth.login(ben)
    before = portal_pages(client, B_PAGES)
    auth.logout()
    auth.login(ana)
    client.post(
        "/portal/intake",
        data={
            "reason": "decide",
            "what_brings": "Ana's private intake",
            "hopes": "Clarity",
            "prior": "none",
        },
    )
    client.post("/portal/safety/plan", data=PLAN)
    client.post("/portal/safety/contact", data={"email_ok": "no", "phone_ok": "no"})
    auth.logout()
    auth.login(ben)
    assert portal_pages(client, B_PAGES) == before
