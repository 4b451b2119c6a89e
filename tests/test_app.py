from __future__ import annotations

import os

import pytest
from sqlalchemy import select, text

from practice import db
from practice.access import Audience
from practice.audit.models import AuditEntry
from practice.config import ConfigError, load_config
from practice.couples.models import Couple
from practice.db import get_database
from tests.conftest import make_test_app
from tests.factories import CounselorFactory, CoupleFactory


def test_pages_carry_security_headers(client, auth):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    response = client.get(f"/couples/{couple.id}")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_load_their_css_and_scripts_from_this_site_only(client):
    page = client.get("/sign-in").text
    assert "/bootstrap/static/css/bootstrap.min.css" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_an_unexpected_error_shows_a_plain_page_without_internals(database_url):
    app = make_test_app(database_url)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    boom.audience = Audience.PUBLIC
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    get_database(app).engine.dispose()


def test_session_cookie_is_secure_outside_local_development(tmp_path):
    keys = {"PRACTICE_ENCRYPTION_KEY": os.environ["PRACTICE_ENCRYPTION_KEY"]}
    production = load_config(
        tmp_path, {"PRACTICE_ENV": "production", "SECRET_KEY": "k" * 32, **keys}
    )
    development = load_config(tmp_path, {"PRACTICE_ENV": "development"})
    assert production["SESSION_COOKIE_SECURE"] is True
    assert development["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("key", [None, "", "too-short"])
def test_production_refuses_to_start_without_a_long_secret_key(tmp_path, key):
    env = {"PRACTICE_ENV": "production"} | ({"SECRET_KEY": key} if key is not None else {})
    with pytest.raises(ConfigError, match=r"secrets\.token_hex"):
        load_config(tmp_path, env)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start with"),
        ({"SESSION_IDLE_MINUTES": "soon"}, "SESSION_IDLE_MINUTES must be a whole number"),
        ({"SESSION_MAX_HOURS": "0"}, "SESSION_MAX_HOURS must be between"),
        ({"PRACTICE_ENV": "staging"}, "PRACTICE_ENV must be one of"),
    ],
)
def test_bad_settings_are_refused_at_start_up(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, {"PRACTICE_ENV": "development", **env})


def test_postgres_urls_are_given_the_psycopg_driver(tmp_path):
    config = load_config(
        tmp_path, {"PRACTICE_ENV": "development", "DATABASE_URL": "postgres://u@h/db"}
    )
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(app, db_session):
    if get_database(app).engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings; this run uses PostgreSQL")
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_audit_log_records_who_changed_a_couple(client, auth, db_session):
    counselor = CounselorFactory()
    auth.login(counselor)
    client.post(
        "/couples/new",
        data={
            "partner_a-name": "Kim Ro",
            "partner_b-name": "Lee Ro",
            "intake_date": "2026-01-05",
            "status": "active",
        },
    )
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "couple.create"))
    assert entry.actor_id == counselor.id
    assert entry.object_type == "couples"


def test_ids_too_large_for_the_database_are_simply_not_found(client, auth):
    auth.login(CounselorFactory())
    assert client.get("/couples/99999999999999999999999").status_code == 404
    assert client.get("/couples/0").status_code == 404


def test_nul_characters_are_refused_whole(client, auth, db_session):
    auth.login(CounselorFactory())
    assert client.get("/couples?q=a%00b").status_code == 400
    response = client.post(
        "/couples/new",
        data={
            "partner_a-name": "Nul\x00Name",
            "partner_b-name": "B",
            "intake_date": "2026-01-05",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert db_session.scalar(select(Couple).where(Couple.goals == "")) is None


@pytest.mark.parametrize("page", ["-1", "abc", "0", "99999999999999999999"])
def test_odd_page_numbers_show_a_page(client, auth, page):
    couple = CoupleFactory()
    auth.login(couple.counselor)
    response = client.get(f"/couples?page={page}&sort=nonsense&status=nonsense")
    assert response.status_code == 200
    assert couple.display_name.replace("&", "&amp;") in response.text


def test_pages_forbid_browser_features_and_only_https_deployments_pin_https(
    client, app, monkeypatch
):
    local = client.get("/sign-in")
    policy = local.headers["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy
    assert "Strict-Transport-Security" not in local.headers  # plain http on this machine
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)  # as in production
    served = client.get("/sign-in")
    assert served.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_development_server_names_no_software_version(app):
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from practice.logs import DevRequestHandler

    server = make_server("127.0.0.1", 0, app, request_handler=DevRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sign-in"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Server"] == "Practice"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.mark.parametrize("field", ["partner_a-name", "zip_code", "partner_b-pronouns"])
def test_single_line_fields_refuse_line_breaks(client, auth, field):
    counselor = CounselorFactory()
    auth.login(counselor)
    data = {
        "partner_a-name": "Una Reed",
        "partner_b-name": "Vic Reed",
        "intake_date": "2026-01-05",
        "status": "active",
        field: "Una\r\nSet-Cookie: x=1",
    }
    response = client.post("/couples/new", data=data)
    assert response.status_code == 400
    assert "Use a single line, without line breaks." in response.text
    assert db.session.scalar(select(Couple).where(Couple.counselor_id == counselor.id)) is None
