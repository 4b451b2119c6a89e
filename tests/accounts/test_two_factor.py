"""Two-factor sign-in: set up with a QR code or a typed key, required of staff where the
practice says so, codes that work once and only while current, recovery codes, throttled
guesses."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from practice import clock
from practice.config import load_config
from tests.factories import PASSWORD, CounselorFactory, CoupleFactory, partner_with_login


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRACTICE_REQUIRE_TWO_FACTOR", True)


def password_step(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD})


def code_at(key: str, seconds_from_now: int = 0) -> str:
    return pyotp.TOTP(key).at(clock.now() + timedelta(seconds=seconds_from_now))


def set_up(client, user) -> tuple[str, list[str]]:
    """Sign in and set up two-factor as a new staff member would; return the key and codes."""
    assert password_step(client, user).headers["Location"] == "/sign-in/code"
    page = client.get("/sign-in/two-factor", follow_redirects=True).text
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, drawn here
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page)[1].replace(" ", "")
    done = client.post("/sign-in/two-factor", data={"code": code_at(key)}, follow_redirects=True)
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    return key, codes


def test_with_the_password_alone_no_page_but_the_second_step_opens(client, required):
    counselor = CounselorFactory()
    password_step(client, counselor)
    for path in ("/couples", "/account", "/exercises", "/directory"):
        assert client.get(path).headers["Location"].startswith("/sign-in"), path
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in/two-factor"
    assert client.get("/sign-in/two-factor").status_code == 200


def test_setting_up_gives_ten_recovery_codes_once_and_signs_in(client, required):
    counselor = CounselorFactory()
    _key, codes = set_up(client, counselor)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/couples").status_code == 200
    assert "<li>" not in client.get("/account/recovery-codes").text  # shown only once


def test_a_code_works_once_and_only_while_current(client, required, frozen_clock):
    counselor = CounselorFactory()
    key, _codes = set_up(client, counselor)
    client.post("/sign-out")
    password_step(client, counselor)
    replayed = client.post("/sign-in/code", data={"code": code_at(key)})
    assert replayed.status_code == 400 and "used already" in replayed.text
    frozen_clock.advance(seconds=90)
    stale = client.post("/sign-in/code", data={"code": code_at(key, -60)})
    assert stale.status_code == 400
    assert client.post("/sign-in/code", data={"code": code_at(key)}).status_code == 302
    assert client.get("/couples").status_code == 200


def test_a_recovery_code_stands_in_once(client, required):
    counselor = CounselorFactory()
    _key, codes = set_up(client, counselor)
    client.post("/sign-out")
    password_step(client, counselor)
    assert client.post("/sign-in/code", data={"code": codes[0].upper()}).status_code == 302
    client.post("/sign-out")
    password_step(client, counselor)
    assert client.post("/sign-in/code", data={"code": codes[0]}).status_code == 400
    profile = client.post("/sign-in/code", data={"code": codes[1]}, follow_redirects=True)
    assert profile.status_code == 200
    assert "8 recovery codes left" in client.get("/account").text


def test_guessing_codes_is_throttled(client, required):
    counselor = CounselorFactory()
    set_up(client, counselor)
    client.post("/sign-out")
    password_step(client, counselor)
    statuses = [client.post("/sign-in/code", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429


def test_the_second_step_expires(client, required, frozen_clock):
    counselor = CounselorFactory()
    password_step(client, counselor)
    frozen_clock.advance(minutes=6)
    assert client.get("/sign-in/two-factor").headers["Location"] == "/sign-in"


def test_a_partner_may_turn_it_on_and_off(client, auth):
    couple = CoupleFactory()
    partner = partner_with_login(couple, 1)
    auth.login(partner)
    page = client.get("/account/two-factor").text
    key = re.search(r'id="two-factor-key">([A-Z2-7 ]+)<', page)[1].replace(" ", "")
    assert client.post("/account/two-factor", data={"code": code_at(key)}).status_code == 302
    client.post("/sign-out")
    assert password_step(client, partner).headers["Location"] == "/sign-in/code"
    client.post("/sign-in/code", data={"code": code_at(key, 30)})
    client.post("/account/two-factor/off")
    assert password_step(client, partner).headers["Location"] == "/portal/"


def test_staff_cannot_turn_it_off_where_it_is_required(client, required):
    counselor = CounselorFactory()
    set_up(client, counselor)
    assert "Turn off" not in client.get("/account").text
    refused = client.post("/account/two-factor/off", follow_redirects=True)
    assert "required for staff accounts here" in refused.text
    assert client.get("/couples").status_code == 200  # still signed in, still protected


def test_it_is_offered_in_development_and_required_in_production(tmp_path):
    development = load_config(tmp_path, {"PRACTICE_ENV": "development"})
    asked = load_config(
        tmp_path, {"PRACTICE_ENV": "development", "PRACTICE_REQUIRE_TWO_FACTOR": "1"}
    )
    production = load_config(tmp_path, {"PRACTICE_ENV": "production", "SECRET_KEY": "k" * 40})
    assert development["PRACTICE_REQUIRE_TWO_FACTOR"] is False
    assert asked["PRACTICE_REQUIRE_TWO_FACTOR"] is True
    assert production["PRACTICE_REQUIRE_TWO_FACTOR"] is True
