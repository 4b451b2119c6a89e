"""The progress report's period and purpose: a bad period is refused with a message, and a
report for someone outside the practice holds the minimum necessary, saying so on every page."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from practice import clock, db
from practice.audit.models import AuditEntry
from practice.exercises.models import Visibility
from practice.homework import services as homework
from practice.measures import services as measures
from practice.measures.definitions import CSI4
from practice.measures.models import SafetyScreen
from practice.plans import services as plans
from tests.conftest import visible_text
from tests.factories import (
    AppointmentFactory,
    CoupleFactory,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)
from tests.reporting.test_note_pdf import pdf_text, pytestmark  # noqa: F401 (needs pdftotext)

OUTSIDE_LINE = "For someone outside the practice"
CLINICAL_LINE = "For the clinical record"
OUTSIDE_FACTS = (
    "Purpose For someone outside the practice — the minimum necessary: no safety checks, no"
    " individual appointments or their notes, no goals of one partner alone, no answers kept for"
    " the counselor"
)


@pytest.fixture
def planted(db_session):
    """A case with a marker in everything an outside report must leave out, and in the
    joint note it keeps."""
    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    ana, ben = couple.partners
    ana_user = partner_with_login(couple, 1)
    earlier = clock.now() - timedelta(days=3)
    signed_note(
        AppointmentFactory(couple=couple, starts_at=earlier), assessment="MARKER-JOINT-NOTE"
    )
    signed_note(
        AppointmentFactory(couple=couple, individual_partner_id=ana.id, starts_at=earlier),
        assessment="MARKER-INDIVIDUAL-NOTE",
    )
    db.session.add(
        SafetyScreen(couple_id=couple.id, partner_id=ana.id, answers={"afraid": 1}, positive=True)
    )
    exercise = make_exercise(privacy_choice=True)
    homework.save_answers(
        make_assignment(couple, exercise, start_on=clock.today() - timedelta(days=2)),
        ana,
        {"heard": "MARKER-COUNSELOR-ONLY", "connected": 4},
        visibility=Visibility.COUNSELOR,
        submit=True,
        today=clock.today(),
        actor=ana_user,
    )
    for days in (30, 2):
        for partner in (ana, ben):
            measures.record_response(
                partner,
                CSI4,
                dict.fromkeys(CSI4.item_keys, 3),
                clock.today() - timedelta(days=days),
                couple.counselor,
            )
    own_words = {"kind": "own_words", "text": "Say it kindly", "target_on": "2099-01-01"}
    plans.save_plan(
        couple,
        [
            {"partner_id": None, "title": "MARKER-SHARED-GOAL", "objectives": [dict(own_words)]},
            {"partner_id": ben.id, "title": "MARKER-OWN-GOAL", "objectives": [own_words]},
        ],
        clock.today() + timedelta(days=30),
        couple.counselor,
    )
    db.session.flush()
    return couple


def report(client, couple, **args):
    answer = client.get(f"/couples/{couple.id}/reports/progress", query_string=args)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf", answer.text[:300]
    return answer.data


def pages_of(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


def test_an_outside_report_leaves_out_safety_individual_notes_private_answers_and_own_goals(
    client, auth, planted
):
    auth.login(planted.counselor)
    start = (clock.today() - timedelta(days=40)).isoformat()
    clinical = pdf_text(report(client, planted, **{"from": start, "purpose": "clinical"}))
    outside = pdf_text(report(client, planted, **{"from": start, "purpose": "outside"}))
    for kept_in_both in ("MARKER-JOINT-NOTE", "MARKER-SHARED-GOAL", "Couples Satisfaction"):
        assert kept_in_both in clinical and kept_in_both in outside, kept_in_both
    for only_clinical in (
        "Safety",
        "afraid of partner",
        "MARKER-INDIVIDUAL-NOTE",
        "MARKER-OWN-GOAL",
    ):
        assert only_clinical in clinical, only_clinical
        assert only_clinical not in outside, only_clinical
    assert "MARKER-COUNSELOR-ONLY" not in clinical and "MARKER-COUNSELOR-ONLY" not in outside
    assert "0 of 2 appointments attended." in clinical
    assert "0 of 1 appointments attended." in outside  # the individual one is left out
    assert OUTSIDE_FACTS in " ".join(outside.split())
    assert "Purpose For the clinical record\n" in "\n".join(
        " ".join(line.split()) for line in clinical.splitlines()
    )


def test_the_trail_says_which_purpose_a_report_was_made_for(client, auth, planted):
    auth.login(planted.counselor)
    report(client, planted, purpose="outside")
    report(client, planted, purpose="clinical")
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.couple_id == planted.id, AuditEntry.action.startswith("report."))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["report.progress.outside", "report.progress"]
    answer = client.get(
        f"/couples/{planted.id}/reports/progress", query_string={"purpose": "outside"}
    )
    assert answer.headers["Content-Disposition"].startswith(
        f'attachment; filename="progress-outside-{planted.id}-'
    )


def test_the_purpose_is_stated_on_every_page(client, auth, planted):
    auth.login(planted.counselor)
    for purpose, line in (("outside", OUTSIDE_LINE), ("clinical", CLINICAL_LINE)):
        pages = pages_of(report(client, planted, purpose=purpose))
        assert len(pages) >= 2
        for number, page in enumerate(pages, start=1):
            assert line in page, f"page {number} does not state its purpose"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "2026-13-40"}, "Enter the first day as a date, such as 2026-11-20."),
        (
            {"from": "2026-11-20", "to": "2026-11-01"},
            "The first day must be on or before the last day.",
        ),
        ({"to": "2999-01-01"}, "The period cannot end after today."),
        ({"purpose": "everyone"}, "Not a valid choice."),
    ],
)
def test_a_bad_period_is_refused_beside_its_field_and_no_pdf_is_made(
    client, auth, planted, args, message
):
    auth.login(planted.counselor)
    for path in ("reports/progress", "progress-report.pdf"):
        answer = client.get(f"/couples/{planted.id}/{path}", query_string=args)
        assert answer.status_code == 400 and answer.mimetype == "text/html"
        assert f'<div class="invalid-feedback">{message}</div>' in answer.text
        assert '<h1 class="h3">Progress report</h1>' in answer.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"to": "yesterday"}, "Enter the last day as a date, such as 2026-11-20."),
        (
            {"from": "2026-11-20", "to": "2026-11-01"},
            "The first day must be on or before the last day.",
        ),
        ({"to": "2999-01-01"}, "The period cannot end after today."),
    ],
)
def test_the_summary_refuses_a_bad_period_the_same_way(client, auth, planted, args, message):
    auth.login(planted.counselor)
    answer = client.get(f"/couples/{planted.id}/summary.pdf", query_string=args)
    assert answer.status_code == 400 and answer.mimetype == "text/html"
    assert f'<div class="invalid-feedback">{message}</div>' in answer.text
    assert "Purpose" not in visible_text(answer.text)
    assert client.get(f"/couples/{planted.id}/summary.pdf").mimetype == "application/pdf"


def test_the_form_starts_at_the_first_answer_on_record_and_today(client, auth, planted):
    auth.login(planted.counselor)
    page = client.get(f"/couples/{planted.id}/reports/progress").text
    first = clock.today() - timedelta(days=30)
    assert f'name="from" required type="date" value="{first.isoformat()}"' in page
    assert f'name="to" required type="date" value="{clock.today().isoformat()}"' in page
    assert re.search(r'<input checked[^>]*value="clinical"', page)
    pdf = pdf_text(report(client, planted, purpose="clinical"))
    assert f"{first:%d %b %Y} to {clock.today():%d %b %Y}" in pdf
