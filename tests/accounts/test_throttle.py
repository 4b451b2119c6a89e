"""Password guessing is slowed per account and address, and per address, so that nobody can
lock an account's owner out; behind a proxy, only a trusted one names the client's address."""

from __future__ import annotations

import pytest

from practice.config import ConfigError, load_config
from practice.proxies import TrustedProxyFix, parse_proxies
from tests.factories import PASSWORD, CounselorFactory

ATTACKER, OWNER, PROXY = "198.51.100.7", "203.0.113.9", "10.0.0.1"


def sign_in(client, email: str, password: str, *, address: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/sign-in",
        data={"email": email, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_from_another_address_never_stop_the_owner(client):
    counselor = CounselorFactory()
    statuses = [
        sign_in(client, counselor.email, "a wrong guess!", address=ATTACKER).status_code
        for _ in range(25)
    ]
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429  # the guesser waits
    assert sign_in(client, counselor.email, PASSWORD, address=ATTACKER).status_code == 429
    assert sign_in(client, counselor.email, PASSWORD, address=OWNER).status_code == 302


def test_an_address_trying_many_accounts_is_slowed_down(client):
    counselor = CounselorFactory()
    for number in range(50):
        sign_in(client, f"guess{number}@example.com", "a wrong guess!", address=ATTACKER)
    assert sign_in(client, counselor.email, PASSWORD, address=ATTACKER).status_code == 429
    assert sign_in(client, counselor.email, PASSWORD, address=OWNER).status_code == 302


@pytest.fixture
def behind_proxy(app, monkeypatch):
    """The app as deployed behind a reverse proxy at 10.0.0.1 that it trusts."""
    inner = app.wsgi_app.app  # the application without the proxy handling
    monkeypatch.setattr(app, "wsgi_app", TrustedProxyFix(inner, parse_proxies(PROXY)))


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(client, behind_proxy):
    counselor = CounselorFactory()
    for _ in range(5):
        sign_in(client, counselor.email, "wrong!", address=PROXY, forwarded="192.0.2.10")
    locked = sign_in(client, counselor.email, PASSWORD, address=PROXY, forwarded="192.0.2.10")
    assert locked.status_code == 429
    other = sign_in(client, counselor.email, PASSWORD, address=PROXY, forwarded="192.0.2.11")
    assert other.status_code == 302


def test_an_untrusted_sender_cannot_pick_a_new_address_for_each_guess(client, behind_proxy):
    counselor = CounselorFactory()
    for number in range(5):
        spoofed = f"192.0.2.{number}"
        sign_in(client, counselor.email, "wrong!", address=ATTACKER, forwarded=spoofed)
    again = sign_in(client, counselor.email, PASSWORD, address=ATTACKER, forwarded="192.0.2.99")
    assert again.status_code == 429


def test_a_bad_proxy_setting_stops_the_app_with_a_clear_message(tmp_path):
    env = {"PRACTICE_ENV": "testing", "PRACTICE_TRUSTED_PROXIES": "10.0.0.1, not-an-address"}
    with pytest.raises(ConfigError, match=r"PRACTICE_TRUSTED_PROXIES.*'not-an-address'"):
        load_config(tmp_path, env)
