"""SECURITY.md row 20: debug mode and error pages.

Debug is off outside development (no Werkzeug debugger anywhere in the application), and no
stack trace ever reaches a browser: an unexpected error, an error while drawing a page, even an
error while drawing the error page itself, gives a plain page; a missing page, a wrong method
and a bad request give the app's own friendly pages. (That production refuses a missing
SECRET_KEY is tested in tests/test_app.py.)
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask import abort, render_template_string
from sqlalchemy import text
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import make_server

from practice import create_app, db
from practice.access import Audience
from practice.db import get_database
from tests.conftest import TEST_SECRET, IsolatedClient, sessions_on
from tests.factories import CounselorFactory
from tests.security.conftest import sign_in_directly

SECRET = "internal_detail_4f2a"  # in every exception raised below; never in a response
ENVIRONMENTS = ("production", "testing")
# What a traceback, a debugger or a framework's own error text would leave in a page.
INTERNALS = (
    SECRET,
    "Traceback",
    'File "',
    ".py",
    "RuntimeError",
    "ZeroDivisionError",
    "__debugger__",
    "Werkzeug",
    "werkzeug",
    "jinja2",
    "sqlalchemy",
    "The requested URL was not found on the server",
    "The method is not allowed for the requested URL",
)


def _internals(text: str) -> list[str]:
    return [marker for marker in INTERNALS if marker in text]


def _make_app(monkeypatch, environment: str, database_url: str, **env: str):
    """The application as ``environment`` builds it from its environment variables."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app(
        {"PRACTICE_ENV": environment, "DATABASE_URL": database_url, "FAST_PASSWORD_HASHING": True}
    )


def _wsgi_chain(app) -> list[object]:
    """The WSGI callables a request passes through, outermost first."""
    chain, current = [], app.wsgi_app
    while current is not None and len(chain) < 20:
        chain.append(current)
        current = getattr(current, "app", None) or getattr(current, "wsgi_app", None)
        if getattr(current, "__self__", None) is app:
            break
    return chain


def _debug_is_off(app) -> list[str]:
    problems = []
    if app.debug or app.config["DEBUG"]:
        problems.append("app.debug is on")
    if app.jinja_env.auto_reload:
        problems.append("templates reload (debug mode)")
    if app.config.get("EXPLAIN_TEMPLATE_LOADING"):
        problems.append("template loading is explained")
    if any(isinstance(layer, DebuggedApplication) for layer in _wsgi_chain(app)):
        problems.append("the Werkzeug debugger wraps the app")
    return problems


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_debug_is_off_outside_development(monkeypatch, database_url, environment):
    app = _make_app(monkeypatch, environment, database_url)
    try:
        assert app.config["PRACTICE_ENV"] == environment
        assert _debug_is_off(app) == []
    finally:
        get_database(app).engine.dispose()


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_debug_stays_off_when_the_environment_asks_for_it(monkeypatch, database_url, environment):
    app = _make_app(monkeypatch, environment, database_url, FLASK_DEBUG="1")
    try:
        assert _debug_is_off(app) == []
    finally:
        get_database(app).engine.dispose()


def test_the_production_server_runs_the_app_without_debug(monkeypatch, database_url):
    """``practice serve`` (gunicorn) serves an app with debug off and no debugger."""
    from gunicorn.app.base import BaseApplication

    from practice.cli import main

    served = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: served.append(self.load()))
    for name, value in {
        "PRACTICE_ENV": "production",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["serve", "--port", "8999"])
    assert result.exit_code == 0, result.output
    (app,) = served
    try:
        assert app.config["PRACTICE_ENV"] == "production"
        assert _debug_is_off(app) == []
    finally:
        get_database(app).engine.dispose()


# --- error pages ----------------------------------------------------------------------------


def _add_failing_routes(app) -> None:
    def public(view):
        view.audience = Audience.PUBLIC
        return view

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError(SECRET)

    @app.route("/boom/template")
    @public
    def boom_in_template():
        return render_template_string("{{ 1 / 0 }}" + SECRET)

    @app.route("/boom/database")
    @public
    def boom_in_database():
        db.session.execute(text("SELECT * FROM internal_detail_4f2a"))  # no such table

    @app.route("/boom/abort")
    @public
    def boom_abort():
        abort(500, description=SECRET)

    @app.route("/boom/not-found")
    @public
    def boom_not_found():
        abort(404, description=SECRET)

    @app.route("/boom/staff")
    def boom_staff():
        raise RuntimeError(SECRET)

    boom_staff.audience = Audience.STAFF


@pytest.fixture(params=ENVIRONMENTS)
def failing_app(request, monkeypatch, database_url, db_connection) -> Iterator[object]:
    """A fresh app of each environment with routes that fail, on the test's connection."""
    app = _make_app(monkeypatch, request.param, database_url)
    _add_failing_routes(app)
    app.test_client_class = IsolatedClient
    with sessions_on(app, db_connection), app.app_context():
        yield app
    get_database(app).engine.dispose()


def _client(app):
    # Production cookies are Secure: talk to it over https, as its proxy does.
    base = "https://localhost" if app.config["SESSION_COOKIE_SECURE"] else "http://localhost"
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = base.split(":")[0]
    return client


FAILURES = {
    "/boom": 500,
    "/boom/template": 500,
    "/boom/database": 500,
    "/boom/abort": 500,
    "/boom/not-found": 404,
}


def test_unexpected_errors_show_the_plain_page(failing_app):
    client = _client(failing_app)
    problems = []
    for address, code in FAILURES.items():
        response = client.get(address)
        text = response.get_data(as_text=True)
        if response.status_code != code:
            problems.append(f"{address} -> {response.status_code}, not {code}")
        if response.mimetype != "text/html" or "Go to your home page" not in text:
            problems.append(f"{address}: not the app's error page")
        if leaked := _internals(text):
            problems.append(f"{address} shows {leaked}")
    assert not problems, "\n".join(problems)
    assert "The problem has been logged" in client.get("/boom").text


def test_a_signed_in_person_sees_the_plain_page_too(failing_app):
    client = _client(failing_app)
    # No password: the factories' shared hash is made by the test app's fast hasher only.
    user = CounselorFactory(password_hash=None)
    sign_in_directly(client, user)
    response = client.get("/boom/staff")
    assert response.status_code == 500
    assert user.name in response.text  # the page as drawn for them, signed in
    assert _internals(response.text) == []
    assert client.get("/account").status_code == 200  # the failed request broke nothing


def test_friendly_pages_for_a_missing_page_a_wrong_method_and_a_bad_request(failing_app):
    client = _client(failing_app)
    pages = {
        ("GET", "/no/such/page"): (404, "Page not found"),
        ("GET", "/couples/99999999999"): (404, "Page not found"),
        ("POST", "/"): (405, "That action is not possible here"),
        ("DELETE", "/sign-in"): (405, "That action is not possible here"),
        ("GET", "/sign-in?next=%00"): (400, "That request could not be used"),
    }
    problems = []
    for (method, address), (code, title) in pages.items():
        response = client.open(address, method=method)
        text = response.get_data(as_text=True)
        if response.status_code != code or title not in text:
            problems.append(f"{method} {address} -> {response.status_code}: {title!r} missing")
        if leaked := _internals(text):
            problems.append(f"{method} {address} shows {leaked}")
    assert not problems, "\n".join(problems)


def test_no_traceback_even_when_the_error_page_itself_fails(monkeypatch, database_url):
    """An error while drawing the error page reaches the server; over HTTP (the development
    server, with the debugger off) the browser still gets a bare 500 and nothing more."""
    app = _make_app(monkeypatch, "production", database_url)
    _add_failing_routes(app)

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr("practice.app.render_template", broken)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for address in ("/boom", "/no/such/page"):
            with pytest.raises(urllib.error.HTTPError) as failed:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{server.server_port}{address}", timeout=10
                )
            assert failed.value.code in (404, 500)
            body = failed.value.read().decode(errors="replace")
            assert [m for m in _internals(body) if m not in ("Werkzeug", "werkzeug")] == []
            assert "Traceback" not in body and SECRET not in body
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        get_database(app).engine.dispose()
