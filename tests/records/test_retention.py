"""Retention: a closed case is kept RETENTION_YEARS after it closes, then an admin may purge
it, confirming with its record number; everything of the case goes, the audit log stays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from practice import clock, db
from practice.accounts.models import User
from practice.audit import chain
from practice.audit.models import AuditEntry
from practice.config import ConfigError, load_config
from practice.couples.models import Couple, CoupleStatus
from practice.records.retention import keep_until, years_before
from tests.conftest import visible_text
from tests.factories import PASSWORD, AdminFactory, CoupleFactory
from tests.records.builders import full_record

# Tables that hold something of a case: after a purge, nothing of it is left in any of them.
CASE_TABLES = (
    "couples",
    "partners",
    "case_events",
    "appointments",
    "progress_notes",
    "note_versions",
    "addenda",
    "assignments",
    "completions",
    "feedback",
    "reminders_sent",
    "agreements",
    "agreement_versions",
    "measure_responses",
    "safety_screens",
    "intakes",
    "safety_follow_ups",
    "contact_preferences",
    "safety_plans",
    "session_ratings",
    "consent_signatures",
    "treatment_plans",
    "plan_versions",
    "plan_acknowledgements",
    "plan_objectives_met",
    "referrals",
    "referral_events",
    "user_sessions",
    "invitations",
    "recovery_codes",
    "outbox_messages",
)
# Tables that a purge leaves: the append-only log, the accounts it names (the partners'
# emptied), the record of reports made (kinds and hashes), and the practice's own library.
KEPT_TABLES = (
    "audit_entries",
    "record_openings",  # the audit log's summary of who opened a record: ids and counts
    "users",
    "generated_reports",
    "exercises",
    "exercise_versions",
    "directory_records",
    "directory_services",
    "directory_locations",
    "directory_service_categories",
    "directory_service_languages",
    "consent_versions",  # the practice's consent texts, signed by many couples
    "alembic_version",
)


def counts() -> dict[str, int]:
    return {
        table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        for table in CASE_TABLES
    }


def closed(years_ago: int, days: int = 0) -> dict[str, object]:
    closed_on = years_before(clock.today(), years_ago) + timedelta(days=days)
    return dict(status=CoupleStatus.CLOSED, closed_on=closed_on, closing_reason="Finished.")


def test_every_table_is_either_purged_or_deliberately_kept():
    assert set(CASE_TABLES) | set(KEPT_TABLES) >= set(db.Base.metadata.tables)


def test_the_retention_list_shows_only_closed_cases_past_their_period(client, auth):
    due = CoupleFactory(partners=["Ada Quill", "Ben Quill"], **closed(7))
    CoupleFactory(partners=["Cy Quill", "Dee Quill"], **closed(7, days=1))  # kept one more day
    CoupleFactory(partners=["Eve Quill", "Fay Quill"])  # open
    auth.login(AdminFactory())
    page = visible_text(client.get("/admin/retention").text)
    assert f"Record {due.id}: Ada Quill & Ben Quill" in page
    assert "Cy Quill" not in page and "Eve Quill" not in page
    assert "kept for 7 years" in page


def test_a_purge_needs_the_record_number_and_then_removes_the_whole_case(client, auth):
    before = counts()
    record = full_record(closing=closed(8))
    couple_id = record.couple.id
    partner_user = record.couple.partners[0].user
    email = partner_user.email
    kept = full_record(counselor=record.couple.counselor)
    admin = AdminFactory(name="Rae Admin")
    auth.login(admin)
    with_kept = counts()
    assert all(with_kept[t] > before[t] for t in ("progress_notes", "completions", "partners"))
    form = client.get(f"/admin/retention/{couple_id}/purge").text
    assert "cannot be undone" in form

    wrong = client.post(f"/admin/retention/{couple_id}/purge", data={"confirm": "12345"})
    assert f"That is not {couple_id}. Type the record number exactly." in visible_text(wrong.text)
    assert counts() == with_kept  # nothing purged, nothing half-done
    empty = client.post(f"/admin/retention/{couple_id}/purge", data={"confirm": " "})
    assert "Type the record number to confirm the purge." in visible_text(empty.text)

    done = client.post(
        f"/admin/retention/{couple_id}/purge",
        data={"confirm": str(couple_id)},
        follow_redirects=True,
    )
    assert f"Record {couple_id} (Iris Moreau & Theo Moreau) has been purged." in visible_text(
        done.text
    )
    auth.logout()
    # What is left is exactly what the other couple holds: that couple is untouched.
    after = counts()
    removed = {t: with_kept[t] - after[t] for t in CASE_TABLES}
    assert after["progress_notes"] == before["progress_notes"] + 2
    assert removed["couples"] == 1 and removed["partners"] == 2
    assert removed["progress_notes"] == 2
    assert removed["completions"] == 5  # three answers, a draft, the agreement sent
    assert removed["safety_screens"] == 2 and removed["agreements"] == 1
    assert kept.couple.id in db.session.scalars(text("SELECT id FROM couples")).all()
    # The partner's sign-in holds nothing of them and opens nothing.
    emptied = db.session.get(User, partner_user.id)
    db.session.refresh(emptied)
    assert emptied.name == "Purged client" and emptied.email != email
    assert emptied.password_hash is None and emptied.is_disabled
    refused = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert "That e-mail and password do not match an account." in refused.text
    # The log says who purged which record, and its chain is whole.
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "couple.purge"))
    assert (entry.actor_id, entry.couple_id) == (admin.id, couple_id)
    assert chain.verify(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))).intact


@pytest.mark.parametrize(
    ("closed_years_and_days", "message"),
    [
        ((7, 1), "This case is kept until"),
        (None, "This case is not closed."),
    ],
    ids=["kept one more day", "open"],
)
def test_a_case_within_its_period_or_open_is_not_purged(
    client, auth, closed_years_and_days, message
):
    fields = closed(*closed_years_and_days) if closed_years_and_days else {}
    couple = CoupleFactory(**fields)
    auth.login(AdminFactory())
    for response in (
        client.get(f"/admin/retention/{couple.id}/purge"),
        client.post(f"/admin/retention/{couple.id}/purge", data={"confirm": str(couple.id)}),
    ):
        assert message in visible_text(response.text)
    remaining = db.session.scalar(select(func.count()).where(Couple.id == couple.id))
    assert remaining == 1


def test_only_admins_reach_retention_and_an_unknown_record_is_not_found(client, auth):
    couple = CoupleFactory(**closed(9))
    auth.login(couple.counselor)
    assert client.get("/admin/retention").status_code == 403
    assert client.post(f"/admin/retention/{couple.id}/purge").status_code == 403
    auth.logout()
    auth.login(AdminFactory())
    assert client.get("/admin/retention/999999/purge").status_code == 404


def test_retention_years_is_a_setting_with_a_range(tmp_path):
    testing = {"PRACTICE_ENV": "testing"}
    assert load_config(tmp_path, testing)["RETENTION_YEARS"] == 7
    assert load_config(tmp_path, {**testing, "RETENTION_YEARS": "10"})["RETENTION_YEARS"] == 10
    with pytest.raises(ConfigError, match="RETENTION_YEARS must be between 1 and 100"):
        load_config(tmp_path, {**testing, "RETENTION_YEARS": "0"})


def test_a_case_closed_on_29_february_is_kept_until_1_march(db_session):
    couple = CoupleFactory(
        status=CoupleStatus.CLOSED, closed_on=date(2024, 2, 29), closing_reason="Done."
    )
    assert keep_until(couple, 7) == date(2031, 3, 1)
    assert (
        years_before(date(2031, 3, 1), 7) >= couple.closed_on > years_before(date(2031, 2, 28), 7)
    )
