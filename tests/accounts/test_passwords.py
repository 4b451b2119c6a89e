"""Password hashing: production keeps Argon2id's standard cost; only the tests go cheap."""

from __future__ import annotations

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
