from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from practice import clock, db
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.outbox.models import OutboxMessage
from tests.conftest import count_queries
from tests.factories import (
    AdminFactory,
    ClientFactory,
    CounselorFactory,
    CoupleFactory,
    partner_with_login,
)


def couple_form(**changes: str) -> dict[str, str]:
    data = {
        "partner_a-name": "Jordan Vale",
        "partner_a-pronouns": "she/her",
        "partner_a-email": "jordan@example.com",
        "partner_a-phone": "555-0199",
        "partner_b-name": "Casey Vale",
        "partner_b-pronouns": "he/him",
        "partner_b-email": "",
        "partner_b-phone": "",
        "presenting_concerns": "Growing apart after a move.",
        "goals": "Weekly check-ins.",
        "intake_date": clock.today().isoformat(),
        "status": "active",
        "closed_on": "",
        "closing_reason": "",
    }
    data.update(changes)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_counselor_creates_a_couple_with_two_partners(client, auth):
    counselor = CounselorFactory()
    auth.login(counselor)
    response = client.post("/couples/new", data=couple_form(), follow_redirects=True)
    assert response.status_code == 200
    assert "Jordan Vale &amp; Casey Vale added to your caseload." in response.text
    couple = db.session.scalar(select(Couple).where(Couple.counselor_id == counselor.id))
    assert [p.name for p in couple.partners] == ["Jordan Vale", "Casey Vale"]
    assert couple.partners[0].email == "jordan@example.com"
    assert couple.partners[1].email is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"partner_a-name": ""}, "This field is required."),
        ({"partner_b-name": "x" * 121}, "Use at most 120 characters."),
        ({"partner_a-email": "not an email"}, "Enter a valid e-mail address."),
        ({"partner_a-phone": "call me maybe"}, "Enter a phone number"),
        ({"intake_date": ""}, "Enter the intake date."),
        ({"intake_date": "2024-13-45"}, "Not a valid date value."),
        ({"goals": "x" * 5001}, "Use at most 5000 characters."),
        ({"status": "archived"}, "Not a valid choice"),
        ({"status": "closed"}, "Closing a case needs the date it closed."),
        ({"status": "closed", "closed_on": "2020-01-01"}, "Closing a case needs a reason."),
        (
            {"status": "closed", "closed_on": "2000-01-01", "closing_reason": "Done"},
            "A case cannot close before its intake date.",
        ),
        (
            {"partner_b-email": "JORDAN@example.com"},
            "The two partners need different e-mail addresses.",
        ),
    ],
)
def test_bad_couple_input_is_refused_beside_the_field_and_nothing_saved(
    client, auth, changes, message
):
    auth.login(CounselorFactory())
    before = (count(Couple), count(Partner))
    response = client.post("/couples/new", data=couple_form(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert 'class="invalid-feedback"' in response.text
    assert (count(Couple), count(Partner)) == before


def test_partner_email_of_another_account_is_refused(client, auth):
    auth.login(CounselorFactory())
    other = ClientFactory()
    response = client.post("/couples/new", data=couple_form(**{"partner_a-email": other.email}))
    assert response.status_code == 400
    assert "This e-mail address belongs to another account." in response.text


def test_a_third_partner_cannot_be_added(client, auth):
    counselor = CounselorFactory()
    auth.login(counselor)
    form = couple_form(**{"partner_c-name": "Third Person", "partner_c-email": "c@example.com"})
    client.post("/couples/new", data=form)
    couple = db.session.scalar(select(Couple).where(Couple.counselor_id == counselor.id))
    assert len(couple.partners) == 2
    assert db.session.scalar(select(Partner).where(Partner.name == "Third Person")) is None
    # Nor can anything else add one: the database holds the line.
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            insert(Partner).values(
                couple_id=couple.id, position=3, name="Third", pronouns="", phone=""
            )
        )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            insert(Partner).values(
                couple_id=couple.id, position=1, name="Again", pronouns="", phone=""
            )
        )


def test_counselor_edits_and_closes_a_couple(client, auth):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    closed_on = clock.today().isoformat()
    data = couple_form(
        **{
            "partner_a-name": "Avery Stone",
            "partner_b-name": "Blake Stone",
            "goals": "New goal: a weekly walk.",
            "status": "closed",
            "closed_on": closed_on,
            "closing_reason": "Moved away.",
            "intake_date": couple.intake_date.isoformat(),
            "partner_a-email": "",
        }
    )
    response = client.post(f"/couples/{couple.id}/edit", data=data, follow_redirects=True)
    assert "Changes saved." in response.text
    assert "Closed on" in response.text
    assert couple.status is CoupleStatus.CLOSED
    assert couple.closing_reason == "Moved away."
    assert couple.goals == "New goal: a weekly walk."


def test_edit_form_starts_with_the_current_details(client, auth):
    couple = CoupleFactory(partners=["Robin Park", "Alex Park"])
    auth.login(couple.counselor)
    page = client.get(f"/couples/{couple.id}/edit")
    assert 'value="Robin Park"' in page.text
    assert "Talk every evening" in page.text


def test_email_of_a_partner_with_a_sign_in_cannot_be_removed(client, auth):
    couple = CoupleFactory()
    partner_with_login(couple, 1)
    auth.login(couple.counselor)
    data = couple_form(**{"partner_a-email": "", "intake_date": couple.intake_date.isoformat()})
    response = client.post(f"/couples/{couple.id}/edit", data=data)
    assert response.status_code == 400
    assert "This partner signs in with this e-mail" in response.text


def test_another_counselors_couple_is_not_found(client, auth):
    couple = CoupleFactory()
    auth.login(CounselorFactory())
    for path in (f"/couples/{couple.id}", f"/couples/{couple.id}/edit"):
        assert client.get(path).status_code == 404
    response = client.post(f"/couples/{couple.id}/edit", data=couple_form())
    assert response.status_code == 404
    assert couple.partners[0].name == "Avery Stone"


def test_caseload_lists_only_the_counselors_own_couples(client, auth):
    mine = CoupleFactory(partners=["Mina Ito", "Kai Ito"])
    CoupleFactory(partners=["Zed Other", "Yul Other"])
    auth.login(mine.counselor)
    page = client.get("/couples")
    assert "Mina Ito &amp; Kai Ito" in page.text
    assert "Zed Other" not in page.text


def test_caseload_search_filter_sort_and_pages(client, auth, app):
    counselor = CounselorFactory()
    today = clock.today()
    for number in range(30):
        CoupleFactory(
            counselor=counselor,
            partners=[f"Person {number:02d}", f"Mate {number:02d}"],
            intake_date=today - timedelta(days=number),
            status=CoupleStatus.PAUSED if number % 10 == 0 else CoupleStatus.ACTIVE,
        )
    auth.login(counselor)
    first = client.get("/couples")
    assert "30 couples" in first.text
    assert "Person 00" in first.text and "Person 24" in first.text
    assert "Person 25" not in first.text
    assert "Page 1 of 2" in first.text
    second = client.get("/couples?page=2")
    assert "Person 25" in second.text and "Person 00" not in second.text

    found = client.get("/couples?q=mate 07")
    assert "1 couple" in found.text and "Person 07" in found.text

    paused = client.get("/couples?status=paused")
    assert "3 couples" in paused.text
    assert "Person 10" in paused.text and "Person 01" not in paused.text

    newest = client.get("/couples?sort=intake").text
    assert newest.index("Person 00") < newest.index("Person 05")
    by_name = client.get("/couples?sort=name&page=1").text
    assert by_name.index("Person 01") < by_name.index("Person 02")


def test_caseload_search_treats_wildcards_as_text(client, auth):
    counselor = CounselorFactory()
    CoupleFactory(counselor=counselor, partners=["Ann Smith", "Bo Smith"])
    auth.login(counselor)
    assert "No couple matches" in client.get("/couples?q=%25").text
    assert "No couple matches" in client.get("/couples?q=_").text


def test_caseload_runs_the_same_number_of_queries_for_10_and_1000_couples(client, auth, app):
    counselor = CounselorFactory()
    auth.login(counselor)

    def add_couples(n: int) -> None:
        rows = [
            {
                "counselor_id": counselor.id,
                "intake_date": clock.today(),
                "status": "active",
                "presenting_concerns": "",
                "goals": "",
            }
            for _ in range(n)
        ]
        for row in rows:
            couple = Couple(**{**row, "status": CoupleStatus.ACTIVE})
            couple.partners = [Partner(position=1, name="P One"), Partner(position=2, name="P Two")]
            db.session.add(couple)
        db.session.flush()

    add_couples(10)
    with count_queries(app) as small:
        assert client.get("/couples").status_code == 200
    add_couples(990)
    with count_queries(app) as large:
        page = client.get("/couples")
    assert "1000 couples" in page.text
    assert len(small) == len(large), large.statements


def test_partner_reaches_only_the_portal_and_sees_only_their_couple(client, auth):
    couple = CoupleFactory(partners=["Ida Lund", "Eli Lund"])
    CoupleFactory(partners=["Not Mine", "Also Not"])
    user = partner_with_login(couple, 1)
    auth.login(user)
    home = client.get("/", follow_redirects=True)
    assert "Hello, Ida Lund" in home.text
    assert "Not Mine" not in home.text
    assert client.get("/couples").status_code == 403
    assert client.get(f"/couples/{couple.id}").status_code == 403
    assert client.get("/admin/accounts").status_code == 403


def test_counselor_makes_a_partner_invitation_that_works_once(client, auth):
    couple = CoupleFactory(partners=["Uma Reed", "Theo Reed"])
    couple.partners[0].email = "uma@example.com"
    auth.login(couple.counselor)
    partner = couple.partners[0]
    response = client.post(
        f"/couples/{couple.id}/partners/{partner.id}/invitation", follow_redirects=True
    )
    assert "Sign-in link for Uma Reed" in response.text
    link = response.text.split('value="http://localhost')[1].split('"')[0]
    auth.logout()
    accepted = client.post(
        link, data={"password": "my own long pass", "confirm": "my own long pass"}
    )
    assert accepted.headers["Location"] == "/portal/"
    assert "Hello, Uma Reed" in client.get("/portal/").text
    client.post("/sign-out")
    again = client.get(link)
    assert again.status_code == 410 and "already been used" in again.text


def test_partner_without_email_cannot_be_invited(client, auth):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    partner = couple.partners[1]
    response = client.post(
        f"/couples/{couple.id}/partners/{partner.id}/invitation", follow_redirects=True
    )
    assert f"Add an e-mail address for {partner.name} first" in response.text
    assert partner.user_id is None


def test_partner_of_another_couple_cannot_be_invited_through_this_one(client, auth):
    mine = CoupleFactory()
    other = CoupleFactory(counselor=mine.counselor)
    auth.login(mine.counselor)
    stranger = other.partners[0]
    response = client.post(f"/couples/{mine.id}/partners/{stranger.id}/invitation")
    assert response.status_code == 404


def test_admin_moves_a_couple_to_another_counselor(client, auth):
    couple = CoupleFactory(partners=["Vera Holt", "Nils Holt"])
    new_counselor = CounselorFactory(name="Second Counselor")
    auth.login(AdminFactory())
    listing = client.get("/admin/couples")
    assert "Vera Holt &amp; Nils Holt" in listing.text
    assert "Talk every evening" not in listing.text  # no clinical detail for admins
    response = client.post(
        f"/admin/couples/{couple.id}/counselor",
        data={"counselor_id": str(new_counselor.id)},
        follow_redirects=True,
    )
    assert "moved to Second Counselor" in response.text
    assert couple.counselor_id == new_counselor.id


def test_admin_cannot_move_a_couple_to_a_disabled_or_non_counselor(client, auth):
    couple = CoupleFactory()
    admin = AdminFactory()
    disabled = CounselorFactory(is_disabled=True)
    auth.login(admin)
    for target in (disabled.id, admin.id, 999999):
        response = client.post(
            f"/admin/couples/{couple.id}/counselor",
            data={"counselor_id": str(target)},
            follow_redirects=True,
        )
        assert "Choose an active counselor." in response.text
    assert couple.counselor_id != disabled.id


def test_admin_cannot_open_clinical_couple_pages(client, auth):
    couple = CoupleFactory()
    auth.login(AdminFactory())
    assert client.get(f"/couples/{couple.id}").status_code == 403


def test_move_list_starts_on_the_current_counselor_and_a_no_op_is_refused(client, auth):
    first = CounselorFactory(name="Aaron First")
    current = CounselorFactory(name="Zoe Current")
    couple = CoupleFactory(counselor=current)
    auth.login(AdminFactory())
    listing = client.get("/admin/couples").text
    assert f'<option selected value="{current.id}">Zoe Current</option>' in listing
    assert f'<option value="{first.id}">Aaron First</option>' in listing
    response = client.post(
        f"/admin/couples/{couple.id}/counselor",
        data={"counselor_id": str(current.id)},
        follow_redirects=True,
    )
    assert "is already on Zoe Current&#39;s caseload." in response.text


def test_closing_details_without_closed_status_are_not_dropped_silently(client, auth):
    auth.login(CounselorFactory())
    response = client.post(
        "/couples/new",
        data=couple_form(closed_on=clock.today().isoformat(), closing_reason="Moved"),
    )
    assert response.status_code == 400
    assert "To close the case, set the status to Closed" in response.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"partner_a-name": "     "}, "This field is required."),
        ({"intake_date": "0001-01-01"}, "Enter a date between 1950 and a year from now."),
        (
            {"status": "closed", "closed_on": "2099-01-01", "closing_reason": "Done"},
            "A case cannot close in the future.",
        ),
    ],
)
def test_blank_names_and_implausible_dates_are_refused(client, auth, changes, message):
    auth.login(CounselorFactory())
    response = client.post("/couples/new", data=couple_form(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert count(Couple) == 0


def test_counselor_ends_a_partners_portal_access(client, auth):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    partner = couple.partners[0]
    response = client.post(
        f"/couples/{couple.id}/partners/{partner.id}/portal-access/end", follow_redirects=True
    )
    assert f"{partner.name} can no longer sign in to the portal." in response.text
    assert "Access ended" in response.text
    assert user.is_disabled


def test_closing_a_case_ends_portal_access(client, auth):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    auth.login(couple.counselor)
    data = couple_form(
        **{
            "partner_a-name": couple.partners[0].name,
            "partner_a-email": user.email,
            "partner_b-name": couple.partners[1].name,
            "intake_date": couple.intake_date.isoformat(),
            "status": "closed",
            "closed_on": clock.today().isoformat(),
            "closing_reason": "Finished",
        }
    )
    response = client.post(f"/couples/{couple.id}/edit", data=data, follow_redirects=True)
    assert "the partners&#39; portal sign-ins have ended" in response.text
    assert user.is_disabled
    assert "Invite to the portal" not in response.text


def test_a_new_partner_email_ends_their_open_sessions(client, auth, app):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    auth.login(user)
    assert client.get("/portal/").status_code == 200
    counselor_client = app.test_client()  # a second browser, for the counselor
    type(auth)(counselor_client).login(couple.counselor)
    data = couple_form(
        **{
            "partner_a-name": couple.partners[0].name,
            "partner_a-email": "moved@example.com",
            "partner_b-name": couple.partners[1].name,
            "intake_date": couple.intake_date.isoformat(),
        }
    )
    counselor_client.post(f"/couples/{couple.id}/edit", data=data)
    assert user.email == "moved@example.com"
    assert client.get("/portal/").status_code == 302


def test_a_partner_signing_in_from_a_staff_link_lands_in_the_portal(client):
    couple = CoupleFactory()
    user = partner_with_login(couple, 1)
    response = client.post(
        "/sign-in?next=/couples", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.headers["Location"] == "/portal/"


def test_moving_a_couple_emails_both_counselors_and_shows_in_the_case_history(
    app, client, auth, mail_settings
):
    first = CounselorFactory(name="Dana Wren", email="dana.wren@example.com")
    auth.login(first)
    client.post("/couples/new", data=couple_form(status="paused"))
    couple = db.session.scalar(select(Couple).where(Couple.counselor_id == first.id))
    edit = couple_form(status="active", intake_date=couple.intake_date.isoformat())
    client.post(f"/couples/{couple.id}/edit", data=edit)
    auth.logout()

    second = CounselorFactory(name="Sam Ortiz", email="sam.ortiz@example.com")
    auth.login(AdminFactory(name="Lee Admin"))
    client.post(f"/admin/couples/{couple.id}/counselor", data={"counselor_id": str(second.id)})
    messages = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(messages) == {"dana.wren@example.com", "sam.ortiz@example.com"}
    told_before, told_after = messages["dana.wren@example.com"], messages["sam.ortiz@example.com"]
    assert "Lee Admin has moved" in told_before.body and "Sam Ortiz's" in told_before.body
    page = app.config["PRACTICE_BASE_URL"].rstrip("/") + f"/couples/{couple.id}"
    assert page in told_after.body
    for message in messages.values():  # the e-mails leave the practice: no client names
        assert "Jordan" not in message.body + message.subject
        assert "Vale" not in message.body + message.subject
    auth.logout()

    auth.login(second)
    history = client.get(f"/couples/{couple.id}").text.split('id="case-history"')[1]
    history = history.split("</section>")[0]
    steps = [line.split(": ", 1)[1].split("</li>")[0] for line in history.split("<li>")[1:]]
    assert steps == [
        "Moved from Dana Wren&#39;s caseload to Sam Ortiz&#39;s (Lee Admin)",
        "Status changed from Paused to Active (Dana Wren)",
        "Case opened (Dana Wren)",
    ]


def test_with_mail_off_a_move_queues_no_email_but_still_shows_in_the_history(client, auth):
    couple = CoupleFactory()
    second = CounselorFactory(name="Sam Ortiz")
    auth.login(AdminFactory())
    client.post(f"/admin/couples/{couple.id}/counselor", data={"counselor_id": str(second.id)})
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    auth.logout()
    auth.login(second)
    assert "caseload to Sam Ortiz&#39;s" in client.get(f"/couples/{couple.id}").text
