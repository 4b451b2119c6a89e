from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from practice.access import Role
from practice.accounts.models import User
from practice.cli import main
from tests.databases import throwaway_database


@pytest.fixture(scope="module")
def cli_database(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("cli")) as url:
        yield url


@pytest.fixture
def run(cli_database, tmp_path):
    def invoke(*args: str, input: str | None = None, **env: str):
        environment = {
            "PRACTICE_ENV": "development",
            "DATABASE_URL": cli_database,
            "PRACTICE_INSTANCE_PATH": str(tmp_path),
            **env,
        }
        return CliRunner().invoke(main, list(args), input=input, env=environment)

    return invoke


def users(url: str) -> dict[str, User]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with Session(engine) as session:
        found = {user.email: user for user in session.scalars(select(User))}
    engine.dispose()
    return found


def test_db_check_finds_no_drift_between_models_and_migrations(run):
    result = run("db", "check")
    assert result.exit_code == 0, result.output
    assert "Models and migrations agree." in result.output


def test_user_create_reads_the_password_from_stdin(run, cli_database):
    result = run(
        "user",
        "create",
        "Lena@Example.com",
        "--role",
        "counselor",
        "--name",
        "Lena Berg",
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created counselor lena@example.com" in result.output
    created = users(cli_database)["lena@example.com"]
    assert created.role is Role.COUNSELOR and created.password_hash.startswith("$argon2")


def test_user_create_refuses_a_duplicate_email_and_a_short_password(run):
    run(
        "user",
        "create",
        "dup@example.com",
        "--role",
        "admin",
        "--name",
        "Dup",
        input="a long enough password\n",
    )
    again = run(
        "user",
        "create",
        "DUP@example.com",
        "--role",
        "admin",
        "--name",
        "Dup",
        input="a long enough password\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    short = run(
        "user", "create", "short@example.com", "--role", "admin", "--name", "S", input="short\n"
    )
    assert short.exit_code != 0
    assert "Use at least 10 characters." in short.output


def test_user_disable_ends_sessions(run, cli_database):
    run(
        "user",
        "create",
        "gone@example.com",
        "--role",
        "counselor",
        "--name",
        "Gone",
        input="a long enough password\n",
    )
    result = run("user", "disable", "gone@example.com")
    assert result.exit_code == 0, result.output
    assert users(cli_database)["gone@example.com"].is_disabled
    missing = run("user", "disable", "nobody@example.com")
    assert missing.exit_code != 0 and "No account" in missing.output


def test_serve_refuses_to_start_in_production_without_a_secret_key(run):
    result = run("serve", PRACTICE_ENV="production", SECRET_KEY="")
    assert result.exit_code != 0
    assert "SECRET_KEY is missing or shorter than 32 bytes" in result.output
    assert "secrets.token_hex(32)" in result.output


def test_serve_takes_a_gunicorn_configuration_file(monkeypatch, tmp_path):
    """`practice serve --config` reads the shipped example; its settings win over options."""
    from pathlib import Path

    from gunicorn.app.base import BaseApplication

    configured = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: configured.append(self.cfg))
    monkeypatch.setenv("PRACTICE_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    example = Path(__file__).resolve().parent.parent / "docs" / "gunicorn.conf.py"
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--config", str(example)])
    assert result.exit_code == 0, result.output
    (cfg,) = configured
    assert (cfg.workers, cfg.timeout, cfg.max_requests) == (4, 30, 2000)
    assert cfg.accesslog == "-"  # the hidden-token access log stays on
    missing = CliRunner().invoke(main, ["serve", "--config", str(tmp_path / "none.py")])
    assert missing.exit_code != 0 and "does not exist" in missing.output
