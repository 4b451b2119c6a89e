"""The practice's consent: each partner reads and signs the exact version in force."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from sqlalchemy import select

from practice import db
from practice.consent.models import ConsentSignature, ConsentVersion
from tests.conftest import portal_pages, visible_text
from tests.factories import (
    AdminFactory,
    CoupleFactory,
    make_assignment,
    make_exercise,
    partner_with_login,
)

NEW_TEXT = (
    "Our practice's own agreement. " * 10
    + "\n\nWe meet weekly; either of you may end the work at any time."
)


@pytest.fixture
def couple_with_logins(db_session):
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    return couple, partner_with_login(couple, 1), partner_with_login(couple, 2)


def form_of(page: str) -> dict[str, str]:
    """The hidden version fields of the signing form, as the browser would send them."""
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input[^>]*name="(number|sha256)"[^>]*value="([^"]*)"', page
        )
    }


def shown_text(page: str) -> str:
    block = page.split('id="consent-text">')[1].split("</div>")[0]
    return html.unescape(block)


def publish(client, auth, policy: str = "limited", body: str = NEW_TEXT):
    auth.login(AdminFactory())
    answer = client.post("/admin/consent", data={"secrets_policy": policy, "body": body})
    auth.logout()
    return answer


def test_a_partner_reads_and_signs_the_consent_with_their_typed_name(
    client, auth, couple_with_logins
):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    assert 'id="consent-to-sign"' in client.get("/portal/").text
    page = client.get("/portal/consent").text
    text = shown_text(page)
    assert "Secrets between partners (limited secrets)" in text
    hidden = form_of(page)
    wrong = client.post("/portal/consent", data={**hidden, "typed_name": "Ann", "agree": "y"})
    assert wrong.status_code == 400
    assert "Type your full name as your counselor has it: Ana Reyes." in visible_text(wrong.text)
    unticked = client.post("/portal/consent", data={**hidden, "typed_name": "ana  reyes"})
    assert unticked.status_code == 400 and "Tick the box to show that you agree." in unticked.text
    assert db.session.scalar(select(ConsentSignature)) is None  # nothing half-saved

    signed = client.post(
        "/portal/consent", data={**hidden, "typed_name": "ana  reyes", "agree": "y"}
    )
    assert signed.status_code == 302
    signature = db.session.scalar(select(ConsentSignature))
    assert signature.typed_name == "ana reyes" and signature.version.number == 1
    # The fingerprint kept is the SHA-256 of exactly the text she was shown.
    assert signature.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert 'id="consent-to-sign"' not in client.get("/portal/").text
    assert "Signed by you as “ana reyes”" in client.get("/portal/consent").text


def test_the_counselor_sees_who_has_not_signed_and_a_new_version_asks_again(
    client, auth, couple_with_logins
):
    couple, ana, ben = couple_with_logins
    for partner in (ana, ben):
        auth.login(partner)
        client.post(
            "/portal/consent",
            data={
                **form_of(client.get("/portal/consent").text),
                "typed_name": partner.name,
                "agree": "y",
            },
        )
        auth.logout()
    auth.login(couple.counselor)
    assert 'id="consent-missing"' not in client.get(f"/couples/{couple.id}").text
    assert "consent-missing" not in client.get("/couples").text
    auth.logout()

    assert publish(client, auth, policy="no_secrets").status_code == 302
    assert [v.number for v in db.session.scalars(select(ConsentVersion))] == [1, 2]
    auth.login(couple.counselor)
    page = visible_text(client.get(f"/couples/{couple.id}").text)
    assert "Consent (version 2) not yet signed by Ana Reyes and Ben Reyes." in page
    assert "Consent: 0 of 2 signed" in visible_text(client.get("/couples").text)
    auth.logout()
    auth.login(ana)
    assert 'id="consent-to-sign"' in client.get("/portal/").text
    assert "Our practice's own agreement." in shown_text(client.get("/portal/consent").text)


def test_a_text_changed_while_reading_is_not_signed_unread(client, auth, couple_with_logins):
    _couple, ana, _ben = couple_with_logins
    auth.login(ana)
    read = form_of(client.get("/portal/consent").text)
    auth.logout()
    publish(client, auth)
    auth.login(ana)
    answer = client.post("/portal/consent", data={**read, "typed_name": "Ana Reyes", "agree": "y"})
    assert answer.status_code == 400
    assert "changed its consent while you were reading it" in answer.text
    assert "Our practice's own agreement." in shown_text(answer.text)  # the new text to read
    assert db.session.scalar(select(ConsentSignature)) is None
    again = client.post(
        "/portal/consent", data={**form_of(answer.text), "typed_name": "Ana Reyes", "agree": "y"}
    )
    assert again.status_code == 302
    assert db.session.scalar(select(ConsentSignature)).version.number == 2


def test_the_admin_is_told_when_the_text_is_unchanged_or_too_short(client, auth):
    auth.login(AdminFactory())
    page = client.get("/admin/consent").text
    body = html.unescape(page.split('name="body"')[1].split(">", 1)[1].split("</textarea>")[0])
    same = client.post("/admin/consent", data={"secrets_policy": "limited", "body": body})
    assert same.status_code == 400 and "This is the consent already in force" in same.text
    short = client.post("/admin/consent", data={"secrets_policy": "limited", "body": "Short."})
    assert short.status_code == 400 and "at least 200" in short.text
    assert db.session.scalar(select(ConsentVersion)) is None


def test_the_secrets_policy_is_stated_beside_the_choice_to_keep_answers_private(
    client, auth, couple_with_logins
):
    couple, ana, _ben = couple_with_logins
    assignment = make_assignment(couple, make_exercise(privacy_choice=True))
    auth.login(ana)
    page = visible_text(client.get(f"/portal/assignments/{assignment.id}").text)
    assert "For my counselor only" in page
    assert "The practice's policy is limited secrets" in page
    auth.logout()
    publish(client, auth, policy="no_secrets")
    auth.login(ana)
    page = visible_text(client.get(f"/portal/assignments/{assignment.id}").text)
    assert "The practice's policy is no secrets" in page


def test_the_other_partners_pages_do_not_change_when_one_signs(client, auth, couple_with_logins):
    _couple, ana, ben = couple_with_logins
    pages = ("/portal/", "/portal/consent")
    auth.login(ben)
    before = portal_pages(client, pages)
    auth.logout()
    auth.login(ana)
    client.post(
        "/portal/consent",
        data={
            **form_of(client.get("/portal/consent").text),
            "typed_name": "Ana Reyes",
            "agree": "y",
        },
    )
    auth.logout()
    auth.login(ben)
    assert portal_pages(client, pages) == before
