"""Password hashing: production keeps Argon2id's standard cost; only the tests go cheap."""

from __future__ import annotations

import pytest

from practice import create_app
from practice.access import Role
from practice.accounts import passwords, services
from practice.db import get_database

STANDARD_PREFIX = "$argon2id$v=19$m=65536,t=3,p=4$"


def _production_app(tmp_path, monkeypatch, **extra):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    config = {"PRACTICE_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    return create_app({**config, **extra})


def test_production_hashes_with_argon2id_at_its_standard_cost(tmp_path, monkeypatch):
    app = _production_app(tmp_path, monkeypatch)
    with app.app_context():
        assert passwords.hash_password("a long enough password").startswith(STANDARD_PREFIX)
    get_database(app).engine.dispose()


def test_the_cheap_hashing_of_the_tests_cannot_be_switched_on_in_production(tmp_path, monkeypatch):
    app = _production_app(tmp_path, monkeypatch, FAST_PASSWORD_HASHING=True)
    with app.app_context():
        assert passwords.hash_password("a long enough password").startswith(STANDARD_PREFIX)
    get_database(app).engine.dispose()


def test_the_test_app_hashes_cheaply(app):
    with app.app_context():
        assert passwords.hash_password("a long enough password").startswith(
            "$argon2id$v=19$m=8,t=1,p=1$"
        )


def test_a_hash_of_other_parameters_is_renewed_at_sign_in(db_session):
    user = services.create_user(
        email="rehash@example.com", name="Re Hash", role=Role.COUNSELOR, password="old cost pass"
    )
    user.password_hash = passwords.STANDARD.hash("old cost pass")  # made before a change
    assert services.authenticate("rehash@example.com", "old cost pass") is user
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_a_wrong_password_and_an_unknown_e_mail_are_refused_alike(db_session):
    services.create_user(
        email="known@example.com", name="Known", role=Role.COUNSELOR, password="right password"
    )
    assert services.authenticate("known@example.com", "wrong password") is None
    assert services.authenticate("nobody@example.com", "right password") is None
    assert services.authenticate("Known@Example.com ", "right password") is not None


def test_common_passwords_and_simple_patterns_are_refused_without_composition_rules(app):
    with app.app_context():
        for common in ("iloveyou12", "1234567890", "aaaaaaaaaaaa", "monkey123456", "x" * 200):
            assert passwords.password_problem(common) == passwords.TOO_COMMON, common
        # No rules about digits, capitals or symbols: plain words are fine, and long ones too.
        for chosen in ("maple kettle orbit", "tangerine lighthouse", "z" * 3 + "q7 wren pail"):
            assert passwords.password_problem(chosen) is None, chosen


def test_a_password_made_of_ones_own_name_and_address_is_refused(db_session):
    known = ("ingrid.solberg@example.com", "Ingrid Solberg")
    for own in ("ingrid.solberg", "solberg2026", "ingridsolberg"):
        assert passwords.password_problem(own, known) == passwords.TOO_COMMON, own
        assert passwords.password_problem(own) is None  # weak for Ingrid only
    current = "a long enough password"
    user = services.create_user(
        email=known[0], name=known[1], role=Role.COUNSELOR, password=current
    )
    with pytest.raises(services.AccountError, match="too easy to guess"):
        services.change_password(user, current, "ingrid.solberg", keep_token=None)
