from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PARTNER_EMAIL, PARTNER_PASSWORD
from tests.browser.test_couples_browser import shoot

pytestmark = pytest.mark.browser


def sign_in_partner(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("E-mail").fill(PARTNER_EMAIL)
    page.get_by_label("Password").fill(PARTNER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Wren Ash")).to_be_visible()


def test_partner_answers_the_csi4_on_a_phone(phone_page: Page, live_server: str):
    sign_in_partner(phone_page, live_server)
    phone_page.get_by_role("link", name="Relationship satisfaction (CSI-4)").click()
    expect(phone_page.get_by_text("Funk, J. L., & Rogge, R. D. (2007)")).to_be_visible()
    questions = phone_page.locator("fieldset.measure-item")
    for index, label in enumerate(("Happy", "Mostly TRUE", "Mostly", "Somewhat")):
        questions.nth(index).get_by_label(label, exact=True).check()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    shoot(phone_page, "csi4-phone")
    phone_page.get_by_role("button", name="Save answers").click()
    expect(phone_page.get_by_text("Your answers to the CSI-4 are saved.")).to_be_visible()


def test_quick_exit_leaves_and_back_does_not_return(phone_page: Page, live_server: str):
    phone_page.route("https://weather.com/**", lambda route: route.fulfill(body="Weather"))
    sign_in_partner(phone_page, live_server)
    phone_page.goto(f"{live_server}/portal/")
    phone_page.goto(f"{live_server}/portal/safety")
    expect(phone_page.get_by_role("link", name="Quick exit")).to_be_visible()
    shoot(phone_page, "safety-check-phone")
    phone_page.get_by_role("link", name="Quick exit").click()
    phone_page.wait_for_url("https://weather.com/**")
    phone_page.go_back()
    assert "/portal/safety" not in phone_page.url
    # Quick exit also signed her out: the portal now asks for a password.
    phone_page.wait_for_timeout(300)
    phone_page.goto(f"{live_server}/portal/")
    expect(phone_page.get_by_role("heading", name="Sign in")).to_be_visible()
