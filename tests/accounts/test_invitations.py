"""Sign-in links: nobody gets a working link to somebody else's account in use; a forgotten
password is reset by a link that goes to its owner's own e-mail, once, for an hour."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from practice import db
from practice.accounts.models import Invitation, UserSession
from practice.logs import redact_path
from practice.outbox.models import OutboxMessage
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CounselorFactory,
    CoupleFactory,
    partner_with_login,
)

NEW_PASSWORD = "a brand new passphrase"


def links_for(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.user_id == user.id)
    )


def test_a_counselor_cannot_make_a_link_to_a_partners_account_in_use(client, auth):
    couple = CoupleFactory(partners=["Mira Cole", "Ned Cole"])
    mira = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    path = f"/couples/{couple.id}/partners/{couple.partners[0].id}/invitation"
    refused = client.post(path, follow_redirects=True)
    assert "already signs in with a password of their own" in refused.text
    assert "invitation-link" not in refused.text and links_for(mira) == 0
    # Ending the partner's access first is the deliberate way to give them a new start.
    client.post(f"/couples/{couple.id}/partners/{couple.partners[0].id}/portal-access/end")
    given = client.post(path, follow_redirects=True)
    assert 'id="invitation-link"' in given.text and links_for(mira) == 1


def test_an_admin_cannot_make_a_link_to_a_counselors_account_in_use(client, auth):
    counselor = CounselorFactory()
    auth.login(AdminFactory())
    refused = client.post(f"/admin/accounts/{counselor.id}/invitation", follow_redirects=True)
    assert "already signs in with a password of their own" in refused.text
    assert links_for(counselor) == 0
    staff_list = client.get("/admin/accounts").text
    assert f"/admin/accounts/{counselor.id}/invitation" not in staff_list  # no such button


def test_with_mail_on_a_new_staff_members_link_goes_to_them_alone(
    client, auth, db_session, mail_settings
):
    auth.login(AdminFactory())
    made = client.post(
        "/admin/accounts/new",
        data={"name": "Tove Lind", "email": "tove.lind@example.com", "role": "counselor"},
        follow_redirects=True,
    )
    assert "A sign-in link is on its way to tove.lind@example.com." in made.text
    assert "/invitation/" not in made.text  # the admin never sees a working link
    (message,) = db_session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "tove.lind@example.com" and "/invitation/" in message.body


def _reset_link(db_session) -> str:
    (message,) = db_session.scalars(select(OutboxMessage)).all()
    return re.search(r"http://\S+(/password/reset/\S+)", message.body)[1]


def test_a_forgotten_password_is_reset_by_a_link_to_its_owner(
    app, client, auth, db_session, mail_settings
):
    counselor = CounselorFactory()
    auth.login(counselor)  # a session on some other device
    other_device = app.test_client()
    for email in (counselor.email, "nobody.here@example.com"):
        answer = other_device.post("/password/forgot", data={"email": email}, follow_redirects=True)
        assert "If an account uses that address, a link" in answer.text  # the same for both
    link = _reset_link(db_session)  # only one e-mail: to the real account
    assert (
        other_device.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).headers[
            "Location"
        ]
        == "/"
    )
    assert client.get("/couples").status_code == 302  # the old session has ended
    assert auth.login(counselor, NEW_PASSWORD).status_code == 302
    assert other_device.get(link).status_code == 410  # a link works once


def test_a_reset_link_lasts_one_hour(client, db_session, mail_settings, frozen_clock):
    counselor = CounselorFactory()
    client.post("/password/forgot", data={"email": counselor.email})
    link = _reset_link(db_session)
    frozen_clock.advance(minutes=61)
    assert client.get(link).status_code == 410
    assert "This link has expired" in client.get(link).text


def test_without_mail_nobody_can_ask_for_a_reset(client, db_session):
    counselor = CounselorFactory()
    page = client.post("/password/forgot", data={"email": counselor.email})
    assert "does not send e-mail" in page.text
    assert links_for(counselor) == 0


def test_changing_ones_password_ends_the_other_sessions_only(app, client, auth, db_session):
    counselor = CounselorFactory()
    elsewhere = app.test_client()
    elsewhere.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    auth.login(counselor)
    wrong = client.post(
        "/account",
        data={"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "That is not your current password." in wrong.text
    changed = client.post(
        "/account",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Your password is changed. 1 other sign-in ended." in changed.text
    assert client.get("/couples").status_code == 200
    assert elsewhere.get("/couples").status_code == 302


def test_signing_out_everywhere_ends_every_session(app, client, auth, db_session):
    counselor = CounselorFactory()
    elsewhere = app.test_client()
    elsewhere.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    auth.login(counselor)
    profile = client.get("/account").text
    assert profile.count("Signed in ") == 2 and "This one" in profile
    client.post("/account/sign-out-everywhere")
    assert client.get("/couples").status_code == 302
    assert elsewhere.get("/couples").status_code == 302
    still_open = db_session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == counselor.id, UserSession.ended_at.is_(None))
    )
    assert still_open == 0


def test_reset_tokens_stay_out_of_logs():
    assert redact_path("/password/reset/s3cret-token?x=1") == "/password/reset/[hidden]"
