"""Each partner's private intake: written alone, read by the counselor side by side."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from practice import db
from practice.intake.models import Intake
from tests.conftest import portal_pages, visible_text
from tests.factories import CounselorFactory, CoupleFactory, partner_with_login

OTHER_PARTNERS_PAGES = ("/portal/", "/portal/intake", "/portal/safety", "/portal/safety/resources")


@pytest.fixture
def couple_with_logins(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def intake_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "reason": "improve",
        "what_brings": "We argue about the same things every week.",
        "hopes": "To talk without it turning into a fight.",
        "stressors": ["money", "work"],
        "stressors_other": "",
        "prior": "none",
        "prior_details": "",
    }
    form.update(changes)
    return form


def test_a_partner_writes_an_intake_and_goes_on_to_the_safety_check(
    client, auth, couple_with_logins
):
    couple, ana, _ben = couple_with_logins
    auth.login(ana)
    home = client.get("/portal/").text
    assert 'id="intake-to-do"' in home and "Write my intake" in home
    refused = client.post("/portal/intake", data=intake_form(reason="", what_brings=" "))
    assert refused.status_code == 400
    page = visible_text(refused.text)
    assert "Choose the reason closest to yours." in page
    assert "Tell your counselor a little about what brings you." in page
    assert "To talk without it turning into a fight." in refused.text  # what was typed stays
    assert db.session.scalar(select(Intake)) is None  # nothing half-saved

    sent = client.post("/portal/intake", data=intake_form())
    assert sent.status_code == 302 and sent.location.endswith("/portal/safety")
    intake = db.session.scalar(select(Intake))
    assert intake.partner_id == couple.partners[0].id and intake.stressor_labels == [
        "Money",
        "Work",
    ]
    # Back on her home the reminder is gone; her intake reads back to her, once sent.
    assert 'id="intake-to-do"' not in client.get("/portal/").text
    again = visible_text(client.get("/portal/intake").text)
    assert (
        "Your counselor has it" in again and "We argue about the same things every week." in again
    )
    assert client.post("/portal/intake", data=intake_form(reason="decide")).status_code == 200
    assert db.session.scalar(select(Intake)).reason.value == "improve"  # sent once


def test_what_a_partner_wrote_is_encrypted_at_rest(client, auth, couple_with_logins):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    client.post("/portal/intake", data=intake_form(what_brings="Lanterns on the pier"))
    stored = db.session.execute(text("SELECT answers FROM intakes")).scalar_one()
    assert "Lanterns" not in stored and "pier" not in stored


def test_the_counselor_sees_both_intakes_side_by_side_and_when_reasons_differ(
    client, auth, couple_with_logins
):
    couple, ana, ben = couple_with_logins
    auth.login(couple.counselor)
    assert "Partners' own intakes: 0 of 2 sent" in client.get(f"/couples/{couple.id}").text
    auth.logout()
    auth.login(ana)
    client.post("/portal/intake", data=intake_form(what_brings="Words from Ana"))
    auth.logout()
    auth.login(ben)
    client.post(
        "/portal/intake",
        data=intake_form(reason="decide", what_brings="Words from Ben", stressors=["time"]),
    )
    auth.logout()

    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}").text
    assert "Partners' own intakes: 2 of 2 sent" in page and 'id="intake-reasons-differ"' in page
    both = client.get(f"/couples/{couple.id}/intake").text
    assert "Words from Ana" in both and "Words from Ben" in both
    flag = visible_text(both.split('id="reasons-differ"')[1].split("</div>")[0])
    assert "Ana Reyes: to improve; Ben Reyes: to decide." in flag
    auth.logout()
    auth.login(CounselorFactory())
    assert client.get(f"/couples/{couple.id}/intake").status_code == 404


def test_the_same_reason_raises_no_flag(client, auth, couple_with_logins):
    couple, ana, ben = couple_with_logins
    for partner in (ana, ben):
        auth.login(partner)
        client.post("/portal/intake", data=intake_form(reason="decide"))
        auth.logout()
    auth.login(couple.counselor)
    assert 'id="reasons-differ"' not in client.get(f"/couples/{couple.id}/intake").text
    assert 'id="intake-reasons-differ"' not in client.get(f"/couples/{couple.id}").text


def test_the_other_partners_pages_do_not_change_by_a_byte(client, auth, couple_with_logins):
    _couple, ana, ben = couple_with_logins
    auth.login(ben)
    before = portal_pages(client, OTHER_PARTNERS_PAGES)
    auth.logout()
    auth.login(ana)
    client.post("/portal/intake", data=intake_form(what_brings="Something private"))
    auth.logout()
    auth.login(ben)
    assert portal_pages(client, OTHER_PARTNERS_PAGES) == before
