"""A live server on its own database, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from practice import clock, db
from practice.access import Role
from practice.accounts import services
from practice.db import get_database
from practice.exercises.library import sync_library
from tests.conftest import make_test_app
from tests.databases import throwaway_database
from tests.factories import couple_with_portal

CHROMIUM = Path("/usr/bin/chromium")
COUNSELOR_EMAIL = "browser.counselor@example.com"
COUNSELOR_PASSWORD = "browser test passphrase"
PARTNER_EMAIL = "wren.ash@example.com"
PARTNER_PASSWORD = "partner test passphrase"
SECOND_PARTNER_EMAIL = "rowan.ash@example.com"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("PRACTICE_REQUIRE_BROWSER"):
        raise pytest.UsageError("chromium is required here: apt-get install chromium")
    skip = pytest.mark.skip(
        reason="Debian's chromium is not installed; install it with: sudo apt-get install chromium"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The live server's application, on a database of its own with a couple in the portal."""
    with throwaway_database(tmp_path_factory.mktemp("live")) as url:
        app = make_test_app(url, WTF_CSRF_ENABLED=True)
        with app.app_context():
            counselor = services.create_user(
                email=COUNSELOR_EMAIL,
                name="Browser Counselor",
                role=Role.COUNSELOR,
                password=COUNSELOR_PASSWORD,
            )
            couple_with_portal(
                counselor,
                (("Wren Ash", PARTNER_EMAIL), ("Rowan Ash", SECOND_PARTNER_EMAIL)),
                PARTNER_PASSWORD,
            )
            sync_library()
            db.session.commit()
        yield app
        get_database(app).engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def practice_today(live_app) -> date:
    """Today in the live server's time zone, from the tests' frozen clock."""
    with live_app.app_context():
        return clock.today()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()
