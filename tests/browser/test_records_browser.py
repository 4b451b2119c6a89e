"""The whole record downloaded from the couple page, and a purge confirmed by an admin."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from practice import db
from practice.access import Role
from practice.accounts import services as accounts
from practice.couples.models import CoupleStatus
from tests.browser.test_couples_browser import sign_in
from tests.factories import couple_with_portal

pytestmark = pytest.mark.browser
ADMIN_EMAIL = "records.admin@example.com"
ADMIN_PASSWORD = "records admin passphrase"


def test_the_counselor_downloads_the_whole_record_from_the_couple_page(
    page: Page, live_server: str
):
    sign_in(page, live_server)
    page.get_by_role("link", name="Wren Ash & Rowan Ash").click()
    page.wait_for_load_state()  # the menu opens by Bootstrap's script, run once the page loads
    page.get_by_role("button", name="Whole record (JSON)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Both partners: the whole record").click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [p["name"] for p in record["partners"]] == ["Wren Ash", "Rowan Ash"]
    assert record["case_history"][0]["summary"] == "Case opened"
    assert download.value.suggested_filename == f"record-{record['couple']['id']}.json"


@pytest.fixture
def long_closed_case(live_app) -> int:
    with live_app.app_context():
        accounts.create_user(
            email=ADMIN_EMAIL, name="Records Admin", role=Role.ADMIN, password=ADMIN_PASSWORD
        )
        counselor = accounts.create_user(
            email="records.counselor@example.com",
            name="Former Counselor",
            role=Role.COUNSELOR,
            password=ADMIN_PASSWORD,
        )
        couple = couple_with_portal(
            counselor,
            (("Lark Penn", "lark.penn@example.com"), ("Moss Penn", "moss.penn@example.com")),
            ADMIN_PASSWORD,
        )
        couple.status = CoupleStatus.CLOSED
        couple.closed_on, couple.closing_reason = date(2015, 6, 1), "Finished."
        db.session.commit()
        return couple.id


def test_an_admin_purges_a_case_past_retention_after_typing_its_number(
    page: Page, live_server: str, long_closed_case: int
):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Retention").click()
    listing = page.locator("#due-for-purge")
    expect(listing).to_contain_text(f"Record {long_closed_case}: Lark Penn & Moss Penn")
    listing.get_by_role("link", name="Purge…").click()
    page.get_by_label("Type the record number to confirm").fill("1")
    page.get_by_role("button", name=f"Purge record {long_closed_case}").click()
    expect(page.get_by_text("Type the record number exactly.")).to_be_visible()
    page.get_by_label("Type the record number to confirm").fill(str(long_closed_case))
    page.get_by_role("button", name=f"Purge record {long_closed_case}").click()
    expect(
        page.get_by_text(f"Record {long_closed_case} (Lark Penn & Moss Penn) has been purged.")
    ).to_be_visible()
    expect(listing).not_to_contain_text("Lark Penn")
