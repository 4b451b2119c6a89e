from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from practice import clock, db
from practice.access import Role
from practice.accounts import invitations, services
from practice.accounts.models import Invitation, User, UserSession
from practice.db import get_database
from tests.factories import PASSWORD, AdminFactory, ClientFactory, CounselorFactory, CoupleFactory

HOSTILE_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://evil.example/path",
    "//evil.example/%2F..",
    "///evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "data:text/html,hi",
    "https:evil.example",
    "//practice.test@evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    " //evil.example",
    "\n//evil.example",
    "//%65vil.example",
    "evil.example",
    "ftp://evil.example",
    "/\x00//evil.example",
]


def test_sign_in_lands_on_the_caseload_and_sign_out_ends_it(client, auth):
    counselor = CounselorFactory()
    response = auth.login(counselor)
    assert response.headers["Location"] == "/"
    page = client.get("/couples")
    assert page.status_code == 200
    assert "My caseload" in page.text
    auth.logout()
    assert client.get("/couples").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    counselor = CounselorFactory()
    wrong = client.post("/sign-in", data={"email": counselor.email, "password": "nope nope nope"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.com", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 400
    message = "That e-mail and password do not match an account."
    assert message in wrong.text and message in unknown.text


def test_empty_sign_in_form_shows_messages_beside_the_fields(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert response.text.count("This field is required.") == 2


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leads_off_site(client, target):
    counselor = CounselorFactory()
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"email": counselor.email, "password": PASSWORD},
    )
    if "\x00" in target:
        assert response.status_code == 400  # refused whole, before any redirect
    else:
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


def test_next_to_a_page_of_this_site_is_followed(client):
    couple = CoupleFactory()
    response = client.post(
        "/sign-in",
        query_string={"next": f"/couples/{couple.id}"},
        data={"email": couple.counselor.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == f"/couples/{couple.id}"


def test_anonymous_visit_is_sent_to_sign_in_with_next(client):
    response = client.get("/couples/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_gives_a_new_session_cookie(client):
    counselor = CounselorFactory()
    client.get("/sign-in")
    before = client.get_cookie("practice_session")
    client.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    after = client.get_cookie("practice_session")
    assert after is not None
    assert before is None or before.value != after.value


def test_session_cookie_flags(client):
    counselor = CounselorFactory()
    response = client.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_cookie_replayed_after_sign_out_is_refused(client, auth):
    counselor = CounselorFactory()
    auth.login(counselor)
    cookie = client.get_cookie("practice_session").value
    auth.logout()
    client.set_cookie("practice_session", cookie)
    assert client.get("/couples").status_code == 302


def test_disabling_an_account_ends_its_open_session_and_blocks_sign_in(client, auth):
    counselor = CounselorFactory()
    auth.login(counselor)
    assert client.get("/couples").status_code == 200
    services.set_disabled(counselor, True)
    assert client.get("/couples").status_code == 302
    response = client.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    assert response.status_code == 400


def test_idle_session_ends(client, auth, db_session):
    counselor = CounselorFactory()
    auth.login(counselor)
    record = db_session.scalar(select(UserSession).where(UserSession.user_id == counselor.id))
    record.last_seen_at = clock.now() - timedelta(minutes=16)
    assert client.get("/couples").status_code == 302


def test_session_ends_after_its_absolute_lifetime(client, auth, db_session):
    counselor = CounselorFactory()
    auth.login(counselor)
    record = db_session.scalar(select(UserSession).where(UserSession.user_id == counselor.id))
    record.created_at = clock.now() - timedelta(hours=12, minutes=1)
    assert client.get("/couples").status_code == 302


def test_admin_creates_a_counselor_who_sets_a_password_through_the_link(client, auth):
    admin = AdminFactory()
    auth.login(admin)
    response = client.post(
        "/admin/accounts/new",
        data={"name": "Noor Haddad", "email": "Noor@Example.com", "role": "counselor"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Sign-in link for Noor Haddad" in response.text
    link = response.text.split('id="invitation-link" type="text" value="')[1].split('"')[0]
    auth.logout()
    path = link.replace("http://localhost", "")
    response = client.post(
        path, data={"password": "a long enough phrase", "confirm": "a long enough phrase"}
    )
    assert response.status_code == 302
    assert "My caseload" in client.get("/couples").text
    noor = db.session.scalar(select(User).where(User.email == "noor@example.com"))
    assert noor.role is Role.COUNSELOR


def test_duplicate_staff_email_is_refused_with_a_message(client, auth):
    admin = AdminFactory()
    existing = CounselorFactory()
    auth.login(admin)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/admin/accounts/new",
        data={"name": "Copy", "email": existing.email.upper(), "role": "counselor"},
    )
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "a@example.com", "role": "counselor"}, "This field is required."),
        (
            {"name": "x" * 121, "email": "a@example.com", "role": "counselor"},
            "Use at most 120 characters",
        ),
        ({"name": "Ann", "email": "not-an-email", "role": "counselor"}, "Enter a valid e-mail"),
        ({"name": "Ann", "email": "a@example.com", "role": "client"}, "Not a valid choice"),
    ],
)
def test_bad_staff_account_input_is_refused(client, auth, data, message):
    auth.login(AdminFactory())
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/admin/accounts/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_admin_disables_a_counselor(client, auth):
    admin = AdminFactory()
    counselor = CounselorFactory()
    auth.login(admin)
    response = client.post(f"/admin/accounts/{counselor.id}/disable", follow_redirects=True)
    assert f"{counselor.name} can no longer sign in." in response.text
    assert counselor.is_disabled


def _invitation_for(user: User, created_by: User, ttl=timedelta(days=1)) -> str:
    return invitations.issue_invitation(user, created_by=created_by, ttl=ttl).token


CHOSEN = "maple kettle orbit"


def test_used_invitation_says_so(client):
    admin = AdminFactory()
    newcomer = services.create_user(email="new@example.com", name="New", role=Role.COUNSELOR)
    token = _invitation_for(newcomer, admin)
    first = client.post(
        f"/invitation/{token}",
        data={"password": CHOSEN, "confirm": CHOSEN},
    )
    assert first.status_code == 302
    client.post("/sign-out")
    again = client.get(f"/invitation/{token}")
    assert again.status_code == 410
    assert "already been used" in again.text


def test_expired_invitation_says_so(client, db_session):
    admin = AdminFactory()
    newcomer = services.create_user(email="late@example.com", name="Late", role=Role.COUNSELOR)
    token = _invitation_for(newcomer, admin)
    invitation = db_session.scalar(select(Invitation).where(Invitation.user_id == newcomer.id))
    invitation.expires_at = clock.now() - timedelta(minutes=1)
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 410
    assert "This link has expired" in response.text
    refused = client.post(
        f"/invitation/{token}",
        data={"password": CHOSEN, "confirm": CHOSEN},
    )
    assert refused.status_code == 410
    assert newcomer.password_hash is None


def test_unknown_invitation_token_says_so(client):
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 410
    assert "This link is not valid" in response.text


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", "short", "Use at least 10 characters."),
        ("x" * 257, "x" * 257, "Use at most 256 characters."),
        ("long enough one", "different one!", "The two passwords differ."),
        ("password123", "password123", "This password is too easy to guess"),
        ("qwertyuiop", "qwertyuiop", "This password is too easy to guess"),
        ("1q2w3e4r5t", "1q2w3e4r5t", "This password is too easy to guess"),
        ("Password123!", "Password123!", "This password is too easy to guess"),
    ],
)
def test_bad_new_passwords_are_refused(client, password, confirm, message):
    admin = AdminFactory()
    newcomer = services.create_user(email="pw@example.com", name="Pw", role=Role.COUNSELOR)
    token = _invitation_for(newcomer, admin)
    response = client.post(f"/invitation/{token}", data={"password": password, "confirm": confirm})
    assert response.status_code == 400
    assert message in response.text
    assert newcomer.password_hash is None


def test_a_64_character_passphrase_is_accepted(client):
    admin = AdminFactory()
    newcomer = services.create_user(email="long@example.com", name="Long", role=Role.COUNSELOR)
    token = _invitation_for(newcomer, admin)
    phrase = "the quiet river runs past the old mill every single morning now!"
    assert len(phrase) == 64
    response = client.post(f"/invitation/{token}", data={"password": phrase, "confirm": phrase})
    assert response.status_code == 302


def test_admin_edits_a_staff_members_details(client, auth):
    admin = AdminFactory()
    counselor = CounselorFactory()
    taken = CounselorFactory()
    auth.login(admin)
    form = client.get(f"/admin/accounts/{counselor.id}/edit")
    assert f'value="{counselor.email}"' in form.text
    clash = client.post(
        f"/admin/accounts/{counselor.id}/edit", data={"name": "New Name", "email": taken.email}
    )
    assert clash.status_code == 400
    assert "An account with this e-mail address already exists." in clash.text
    saved = client.post(
        f"/admin/accounts/{counselor.id}/edit",
        data={"name": "New Name", "email": "New.Address@example.com"},
        follow_redirects=True,
    )
    assert "New Name&#39;s details are saved." in saved.text
    assert counselor.email == "new.address@example.com"
    client_user = ClientFactory()
    assert client.get(f"/admin/accounts/{client_user.id}/edit").status_code == 404


def test_reloading_the_link_page_makes_no_new_link(client, auth, db_session):
    admin = AdminFactory()
    counselor = CounselorFactory(password_hash=None)  # invited, not signed up yet
    auth.login(admin)
    shown = client.post(f"/admin/accounts/{counselor.id}/invitation", follow_redirects=True)
    assert "Sign-in link for" in shown.text
    reloaded = client.get("/invitation-link")
    assert "The sign-in link was shown once" in reloaded.text
    issued = db_session.scalars(select(Invitation).where(Invitation.user_id == counselor.id)).all()
    assert len(issued) == 1


def test_an_idle_sign_out_says_why(client, auth, db_session):
    counselor = CounselorFactory()
    auth.login(counselor)
    record = db_session.scalar(select(UserSession).where(UserSession.user_id == counselor.id))
    record.last_seen_at = clock.now() - timedelta(minutes=20)
    response = client.get("/couples", follow_redirects=True)
    assert "You were signed out after a time without activity." in response.text


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client):
    counselor = CounselorFactory()
    for _ in range(5):
        wrong = client.post("/sign-in", data={"email": counselor.email, "password": "wrong one!"})
        assert wrong.status_code == 400
    locked = client.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text
    # Unknown e-mails get exactly the same treatment.
    for _ in range(5):
        client.post("/sign-in", data={"email": "ghost@example.com", "password": "wrong one!"})
    ghost = client.post("/sign-in", data={"email": "ghost@example.com", "password": "x" * 12})
    assert ghost.status_code == 429


def test_the_lock_lifts_by_itself(client, monkeypatch):
    counselor = CounselorFactory()
    for _ in range(5):
        client.post("/sign-in", data={"email": counselor.email, "password": "wrong one!"})
    import time

    real = time.time  # noqa: TID251
    # Flask-Limiter reads the machine's clock itself, so its windows are moved on here.
    monkeypatch.setattr(time, "time", lambda: real() + 61)
    response = client.post("/sign-in", data={"email": counselor.email, "password": PASSWORD})
    assert response.status_code == 302


def test_failed_sign_ins_can_be_counted_in_redis_for_several_processes(database_url):
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    from tests.conftest import make_test_app

    # Two application instances stand for two gunicorn workers sharing one Redis count.
    # A key prefix of this run's own, so two test runs at once never share (or reset) counts.
    prefix = f"practice-test-{uuid.uuid4().hex}"
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": prefix}
    first, second = make_test_app(database_url, **settings), make_test_app(database_url, **settings)
    email = "redis-throttle@example.com"
    for _ in range(5):
        first.test_client().post("/sign-in", data={"email": email, "password": "wrong one!"})
    response = second.test_client().post("/sign-in", data={"email": email, "password": "x" * 12})
    assert response.status_code == 429
    for app in (first, second):
        get_database(app).engine.dispose()
