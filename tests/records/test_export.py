"""The whole record of a couple, as the counselor downloads it and as `practice couple
export` writes it: everything, decrypted; or, prepared for one partner, without what only
the other may see."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from practice import clock, db
from practice.audit.models import AuditEntry
from practice.cli import main
from practice.db import get_database
from tests.conftest import count_queries, make_test_app
from tests.databases import throwaway_database
from tests.factories import AdminFactory, AppointmentFactory, CounselorFactory, signed_note
from tests.records.builders import full_record

EVERYTHING = [
    "JOINT-NOTE-TEXT",
    "ADDENDUM-TEXT",
    "SECOND-ALONE-NOTE",
    "FIRST-PRIVATE-ANSWER",
    "SECOND-PRIVATE-ANSWER",
    "SECOND-SHARED-ANSWER",
    "FEEDBACK-TEXT",
    "SECOND-REFERRAL-REASON",
    "JOINT-REFERRAL-REASON",
    "AGREEMENT-SIGNAL",
    "FIRST-INTAKE",
    "SECOND-INTAKE",
    "JOINT-PLAN-GOAL",
    "SECOND-PLAN-GOAL",
]


def download(client, couple_id, **args):
    response = client.get(f"/couples/{couple_id}/record.json", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.text, json.loads(response.text)


def test_the_counselor_downloads_the_whole_record_decrypted_and_the_export_is_audited(client, auth):
    record = full_record()
    couple = record.couple
    auth.login(couple.counselor)
    text, data = download(client, couple.id)
    for marker in EVERYTHING:
        assert marker in text, marker
    assert [p["name"] for p in data["partners"]] == ["Iris Moreau", "Theo Moreau"]
    (joint,) = [a["note"] for a in data["appointments"] if a["individual_partner_id"] is None]
    assert joint["status"] == "signed"
    assert len(joint["versions"]) >= 2  # the draft and the signed text
    assert joint["addenda"][0]["body"] == "ADDENDUM-TEXT"
    assert len(data["measures"]) == 2 and len(data["safety_checks"]) == 2
    assert data["safety_checks"][0]["answers"] == {
        "humiliated": 0,
        "afraid": 0,
        "raped": 0,
        "kicked": 0,
    }
    assert {e["title"] for e in data["exercises"]} == {"Practice check-in", "Pause agreement"}
    assert data["people"][0]["name"] == couple.counselor.name
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.couple_id == couple.id)
    ).all()
    assert "couple.export" in actions


def test_a_record_prepared_for_one_partner_leaves_out_what_only_the_other_may_see(client, auth):
    record = full_record()
    first_id, second_id = record.partner_ids
    auth.login(record.couple.counselor)
    text, data = download(client, record.couple.id, partner=first_id)
    assert data["prepared_for"] == {"partner_id": first_id}
    for kept in (
        "JOINT-NOTE-TEXT",
        "ADDENDUM-TEXT",
        "FIRST-PRIVATE-ANSWER",
        "SECOND-SHARED-ANSWER",
        "FEEDBACK-TEXT",
        "JOINT-REFERRAL-REASON",
        "AGREEMENT-SIGNAL",
    ):
        assert kept in text, kept
    assert "FIRST-INTAKE" in text and "JOINT-PLAN-GOAL" in text
    for left_out in (
        "SECOND-PRIVATE-ANSWER",
        "SECOND-ALONE-NOTE",
        "SECOND-REFERRAL-REASON",
        "SECOND-INTAKE",
        "SECOND-PLAN-GOAL",
    ):
        assert left_out not in text, left_out
    assert {m["partner_id"] for m in data["measures"]} == {first_id}
    assert {s["partner_id"] for s in data["safety_checks"]} == {first_id}
    _, other = download(client, record.couple.id, partner=second_id)
    assert "FIRST-PRIVATE-ANSWER" not in json.dumps(other)


def test_an_unsent_draft_is_in_no_record_not_even_the_one_prepared_for_its_writer(client, auth):
    """The portal tells a partner that only they see a draft until they send it."""
    record = full_record()
    first_id, _ = record.partner_ids
    auth.login(record.couple.counselor)
    whole, _ = download(client, record.couple.id)
    prepared, _ = download(client, record.couple.id, partner=first_id)
    assert "SECOND-SHARED-ANSWER" in whole and "SECOND-SHARED-ANSWER" in prepared
    assert "FIRST-UNSENT-DRAFT" not in whole
    assert "FIRST-UNSENT-DRAFT" not in prepared


def test_the_record_costs_the_same_queries_however_big_it_is(app, client, auth):
    small = full_record()
    counselor = small.couple.counselor
    big = full_record(counselor=counselor)
    for hours in range(3, 9):  # six more appointments, each with a signed note
        later = clock.now().replace(microsecond=0) - timedelta(days=hours)
        signed_note(AppointmentFactory(couple=big.couple, starts_at=later))
    auth.login(counselor)
    counts = []
    for couple in (small.couple, big.couple):
        with count_queries(app) as counter:
            _, data = download(client, couple.id)
        counts.append((len(data["appointments"]), len(counter.statements)))
    assert counts[0][0] == 2 and counts[1][0] == 8
    assert counts[0][1] == counts[1][1]


@pytest.mark.parametrize("who", ["other counselor", "admin", "partner"])
def test_nobody_but_the_couples_counselor_gets_the_record(client, auth, who):
    record = full_record()
    if who == "other counselor":
        auth.login(CounselorFactory())
        expected = 404
    elif who == "admin":
        auth.login(AdminFactory())
        expected = 403
    else:
        auth.login(record.couple.partners[0].user)
        expected = 403
    response = client.get(f"/couples/{record.couple.id}/record.json")
    assert response.status_code == expected
    assert "JOINT-NOTE-TEXT" not in response.text


def test_a_partner_of_another_couple_is_not_found(client, auth):
    record, other = full_record(), full_record()
    auth.login(record.couple.counselor)
    stranger = other.partner_ids[0]
    response = client.get(f"/couples/{record.couple.id}/record.json?partner={stranger}")
    assert response.status_code == 404
    response = client.get(f"/couples/{record.couple.id}/record.json?partner=abc")
    assert response.status_code == 404


def test_practice_couple_export_writes_the_record_for_its_owner_only(tmp_path):
    output = tmp_path / "record.json"
    with throwaway_database(tmp_path) as url:
        app = make_test_app(url)
        with app.app_context():
            record = full_record()
            couple_id, first_id = record.couple.id, record.partner_ids[0]
            db.session.commit()
        get_database(app).engine.dispose()
        env = {"PRACTICE_ENV": "testing", "DATABASE_URL": url}
        result = CliRunner().invoke(
            main, ["couple", "export", str(couple_id), "-o", str(output)], env=env
        )
        assert result.exit_code == 0, result.output
        assert f"record of couple {couple_id}, 2 appointments" in result.output
        text = output.read_text()
        assert all(marker in text for marker in EVERYTHING)
        assert stat.S_IMODE(output.stat().st_mode) == 0o600
        partial = tmp_path / "first.json"
        args = [
            "couple",
            "export",
            str(couple_id),
            "--for-partner",
            str(first_id),
            "-o",
            str(partial),
        ]
        assert CliRunner().invoke(main, args, env=env).exit_code == 0
        assert "SECOND-PRIVATE-ANSWER" not in partial.read_text()
        missing = CliRunner().invoke(
            main, ["couple", "export", "999999", "-o", str(output)], env=env
        )
        assert missing.exit_code != 0 and "No couple has the id 999999" in missing.output
        engine = create_engine(url)
        with engine.connect() as connection:
            exports = (
                connection.execute(
                    select(AuditEntry.object_type).where(AuditEntry.action == "couple.export")
                )
                .scalars()
                .all()
            )
        engine.dispose()
        assert exports == ["couples", "partners"]
