from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import COUNSELOR_EMAIL, COUNSELOR_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("PRACTICE_SCREENSHOTS")


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail").fill(COUNSELOR_EMAIL)
    page.get_by_label("Password").fill(COUNSELOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()


def shoot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_counselor_signs_in_and_creates_a_couple(page: Page, live_server: str):
    sign_in(page, live_server)
    page.get_by_role("link", name="New couple").first.click()
    first = page.get_by_role("group", name="First partner")
    second = page.get_by_role("group", name="Second partner")
    first.get_by_label("Name").fill("Iris Calder")
    first.get_by_label("Pronouns").fill("she/her")
    first.get_by_label("E-mail").fill("iris.calder@example.com")
    second.get_by_label("Name").fill("Ravi Calder")
    page.get_by_label("Intake date").fill("2026-11-02")
    page.get_by_label("Presenting concerns").fill("Arguments about <b>money</b> & time.")
    shoot(page, "new-couple-form")
    page.get_by_role("button", name="Add couple").click()

    expect(page.get_by_role("heading", name="Iris Calder & Ravi Calder")).to_be_visible()
    expect(page.get_by_text("added to your caseload")).to_be_visible()
    # Markup typed by a user shows as text, never as markup.
    expect(page.get_by_text("Arguments about <b>money</b> & time.")).to_be_visible()
    shoot(page, "couple-page")

    page.get_by_role("link", name="Caseload").click()
    expect(page.locator("#caseload")).to_contain_text("Iris Calder & Ravi Calder")


def test_bad_input_shows_messages_beside_the_fields(page: Page, live_server: str):
    sign_in(page, live_server)
    page.goto(f"{live_server}/couples/new")
    page.get_by_role("button", name="Add couple").click()
    first = page.get_by_role("group", name="First partner")
    expect(first.locator(".invalid-feedback")).to_have_text("This field is required.")
    expect(page.get_by_text("Enter the intake date.")).to_be_visible()
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()


def test_the_couple_form_fits_a_phone(phone_page: Page, live_server: str):
    sign_in(phone_page, live_server)
    phone_page.goto(f"{live_server}/couples/new")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    expect(phone_page.get_by_role("button", name="Menu")).to_be_visible()
    shoot(phone_page, "new-couple-phone")
