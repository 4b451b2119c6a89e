"""`practice seed`: a practice of load data in every area, whose printed accounts sign in and
whose pages show what was seeded."""

from __future__ import annotations

import pyotp
from click.testing import CliRunner
from sqlalchemy import func, select

from practice import clock, crypto, db
from practice.appointments.models import ProgressNote
from practice.appointments.services import verify_signature
from practice.cli import main
from practice.couples.models import Couple
from practice.db import Base, get_database
from tests.conftest import make_test_app
from tests.databases import throwaway_database

PASSWORD = "load-data-password-2026"
SEEDED_TABLES = (
    "users",
    "couples",
    "partners",
    "case_events",
    "appointments",
    "progress_notes",
    "note_versions",
    "measure_responses",
    "safety_screens",
    "assignments",
    "completions",
    "feedback",
    "agreements",
    "agreement_versions",
    "referrals",
    "directory_records",
    "directory_services",
    "directory_locations",
)


def _seed(url: str, *extra: str):
    args = ["seed", "--counselors", "3", "--couples-per-counselor", "4", "--services", "40"]
    env = {"PRACTICE_ENV": "testing", "DATABASE_URL": url}
    return CliRunner().invoke(main, [*args, *extra, "--password", PASSWORD], env=env)


def _accounts(output: str) -> list[tuple[str, str]]:
    return [tuple(line.split(" ", 1)) for line in output.splitlines() if line.count(" ") == 1]


def _sign_in(client, email: str, key: str | None = None) -> None:
    answer = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    if key is not None:
        assert answer.headers["Location"] == "/sign-in/code"
        answer = client.post("/sign-in/code", data={"code": pyotp.TOTP(key).at(clock.now())})
    assert answer.status_code == 302 and "/sign-in" not in answer.headers["Location"]


def test_seed_fills_every_area_and_prints_accounts_that_sign_in(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_ENCRYPTION_KEY", crypto.env_value(crypto.new_keyring()))
    with throwaway_database(tmp_path) as url:
        result = _seed(url, "--large-caseload", "12")
        assert result.exit_code == 0, result.output
        accounts = _accounts(result.stdout)
        roles = [role for role, _ in accounts]
        assert roles == ["counselor", "counselor", "admin", "partner", "couple", "two-factor-key"]
        (typical, largest, admin, partner, couple_id, key) = (value for _, value in accounts)
        app = make_test_app(url, PRACTICE_REQUIRE_TWO_FACTOR=True)
        with app.app_context():
            counts = {
                table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }
            assert [name for name in SEEDED_TABLES if not counts[name]] == []
            assert counts["couples"] == 12 + 2 * 4 and counts["partners"] == 2 * counts["couples"]
            assert counts["directory_services"] == 40
            # Notes are signed as the app signs them, so their signatures verify.
            notes = db.session.scalars(select(ProgressNote).limit(20)).all()
            assert notes and all(verify_signature(note) for note in notes)
            fullest = db.session.get(Couple, int(couple_id))
            assert (clock.today() - fullest.intake_date).days == 365
        with app.test_client() as client:
            _sign_in(client, largest, key)
            assert "12 couples" in client.get("/couples").text
        with app.test_client() as client:
            _sign_in(client, typical, key)
            assert "4 couples" in client.get("/couples").text
            page = client.get(f"/couples/{couple_id}")
            assert page.status_code == 200 and "Signed" in page.text
        with app.test_client() as client:
            _sign_in(client, partner)
            home = client.get("/portal/")
            assert home.status_code == 200 and "Daily check-in" in home.text
        with app.test_client() as client:
            _sign_in(client, admin, key)
            assert client.get("/admin/accounts").status_code == 200
        get_database(app).engine.dispose()

        again = _seed(url)
        assert again.exit_code != 0
        assert "already holds accounts or couples: seed an empty one" in again.output


def test_a_weak_password_is_refused_before_anything_is_written(tmp_path):
    with throwaway_database(tmp_path) as url:
        env = {"PRACTICE_ENV": "testing", "DATABASE_URL": url}
        result = CliRunner().invoke(main, ["seed", "--password", "password1"], env=env)
        assert result.exit_code != 0 and "--password" in result.output
        app = make_test_app(url)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Couple)) == 0
        get_database(app).engine.dispose()
