"""The homework loop as people would live it: assign, answer on phones, read, give feedback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    COUNSELOR_EMAIL,
    COUNSELOR_PASSWORD,
    PARTNER_EMAIL,
    PARTNER_PASSWORD,
    SECOND_PARTNER_EMAIL,
)
from tests.browser.test_couples_browser import shoot

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def phone(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True).new_page()


def test_daily_check_in_assigned_done_on_phones_and_answered_with_feedback(
    browser: Browser, page: Page, live_server: str, practice_today
):
    # The counselor assigns the daily check-in, five times a week for three weeks.
    sign_in(page, live_server, COUNSELOR_EMAIL, COUNSELOR_PASSWORD)
    page.locator("#caseload").get_by_text("Wren Ash & Rowan Ash").click()
    page.get_by_role("link", name="Assign an exercise").click()
    page.get_by_label("Exercise").select_option(label="Daily check-in: speaker and listener")
    page.get_by_label("Rhythm").select_option(label="Several times a week")
    page.get_by_label("Times a week").fill("5")
    page.get_by_label("Until (last day)").fill((practice_today + timedelta(days=20)).isoformat())
    page.get_by_label("A personal note").fill("After dinner works well for you.")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Daily check-in: speaker and listener assigned.")).to_be_visible()
    expect(page.locator(".assignment-row")).to_contain_text("0 of 15 done")

    # Both partners do it on their phones.
    for email, words in (
        (PARTNER_EMAIL, "Rowan felt rushed at work"),
        (SECOND_PARTNER_EMAIL, "Wren missed our walks"),
    ):
        partner_page = phone(browser)
        sign_in(partner_page, live_server, email, PARTNER_PASSWORD)
        partner_page.get_by_role("link", name="Daily check-in: speaker and listener").click()
        expect(partner_page.get_by_text("After dinner works well for you.")).to_be_visible()
        if email == PARTNER_EMAIL:
            # The speaker timer counts down, pauses and resumes.
            partner_page.get_by_role("button", name="Start the 5-minute turn").click()
            partner_page.wait_for_timeout(1300)
            expect(partner_page.get_by_role("timer")).not_to_have_text("5:00")
            partner_page.get_by_role("button", name="Pause").click()
            expect(partner_page.get_by_role("button", name="Resume")).to_be_visible()
        partner_page.get_by_label("Minutes I spoke as the speaker").fill("5")
        partner_page.get_by_label("As the listener, what I heard my partner say").fill(words)
        partner_page.locator("label[for='f_confirmed-0']").click()
        partner_page.locator("label[for='f_connected-7']").click()
        width = partner_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the exercise page is {width}px wide on a phone"
        shoot(partner_page, f"answer-phone-{email.split('.')[0]}")
        partner_page.get_by_role("button", name="Send").click()
        expect(partner_page.get_by_text("Sent. Thank you.")).to_be_visible()
        expect(partner_page.locator("#this-week")).to_contain_text("1 of 5 this week")
        partner_page.context.close()

    # The counselor sees adherence and both answers, and writes feedback.
    page.reload()
    expect(page.locator(".assignment-row")).to_contain_text("Wren Ash: 1 of 15 done")
    expect(page.locator(".assignment-row")).to_contain_text("Rowan Ash: 1 of 15 done")
    page.locator(".assignment-row").click()
    expect(page.get_by_text("Rowan felt rushed at work")).to_be_visible()
    expect(page.get_by_text("Wren missed our walks")).to_be_visible()
    page.get_by_label("Feedback to Wren Ash").fill("Good, specific repeat-back.")
    page.get_by_label("Feedback to Wren Ash").locator("xpath=..").get_by_role(
        "button", name="Send feedback"
    ).click()
    expect(page.get_by_text("Feedback sent to Wren Ash.")).to_be_visible()
    shoot(page, "assignment-counselor")

    # Wren reads the feedback on her phone.
    wren = phone(browser)
    sign_in(wren, live_server, PARTNER_EMAIL, PARTNER_PASSWORD)
    expect(wren.locator("#this-week")).to_contain_text("your counselor wrote back")
    wren.get_by_role("link", name="Daily check-in: speaker and listener").click()
    expect(wren.get_by_text("Good, specific repeat-back.")).to_be_visible()
    wren.context.close()
