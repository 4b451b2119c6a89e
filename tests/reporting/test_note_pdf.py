from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from practice import clock
from practice.appointments import services as appointments
from practice.reporting.models import GeneratedReport
from practice.reporting.render import ASSET_BASE, BundledOnlyFetcher, render_pdf
from tests.factories import AppointmentFactory, signed_note

if shutil.which("pdftotext") is None and os.environ.get("PRACTICE_REQUIRE_PDF_TOOLS"):
    raise RuntimeError("pdftotext is required here: apt-get install poppler-utils")
pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed; install it with: sudo apt-get install poppler-utils",
)


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


class Canary:
    """A local web server that notes every request it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                canary.hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_signed_note_pdf_has_the_note_signature_hash_and_page_numbers(client, auth):
    note = signed_note(AppointmentFactory(), assessment="Less blame in their language.")
    appointments.add_addendum(
        note,
        {"reason": "Date typo", "body": "The walk was on Tuesday."},
        note.appointment.couple.counselor,
    )
    auth.login(note.appointment.couple.counselor)
    response = client.get(f"/notes/{note.id}/pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in (
        "Progress note",
        note.appointment.couple.display_name,
        "Confidential",
        "Less blame in their language.",
        note.content_hash,
        "Addendum 1: Date typo",
        "The walk was on Tuesday.",
    ):
        assert expected in text, expected
    pages = re.findall(r"Page (\d+) of (\d+)", text)
    assert pages[0][0] == "1" and all(total == pages[-1][1] for _n, total in pages)
    assert pages[-1][0] == pages[-1][1]


def test_every_pdf_made_is_recorded_with_its_sha256(client, auth, db_session):
    import hashlib

    note = signed_note(AppointmentFactory())
    auth.login(note.appointment.couple.counselor)
    pdf = client.get(f"/notes/{note.id}/pdf").data
    entry = db_session.scalar(select(GeneratedReport))
    assert entry.kind == "note" and entry.subject_id == note.id
    assert entry.sha256 == hashlib.sha256(pdf).hexdigest()
    assert entry.generated_by_id == note.appointment.couple.counselor_id


def test_markup_and_addresses_typed_by_users_are_text_and_fetch_nothing(client, auth):
    with Canary() as canary:
        hostile = (
            f'<img src="{canary.url}/img"> <link rel=stylesheet href="{canary.url}/css"> '
            f'<b>bold?</b> <img src="file:///etc/passwd"> '
            f'<img src="data:image/png;base64,iVBORw0KGgo="> '
            f"<style>@import url({canary.url}/import);</style>"
        )
        note = signed_note(AppointmentFactory(), assessment=hostile, plan=hostile)
        auth.login(note.appointment.couple.counselor)
        text = pdf_text(client.get(f"/notes/{note.id}/pdf").data)
        assert "<b>bold?</b>" in text and "file:///etc/passwd" in text
        assert canary.hits == []


def test_the_fetcher_refuses_everything_but_bundled_assets():
    with Canary() as canary:
        fetcher = BundledOnlyFetcher()
        for url in (
            "file:///etc/passwd",
            f"{canary.url}/x",
            "data:text/plain,hi",
            ASSET_BASE + "../../etc/passwd",
            "https://example.com/",
        ):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
        assert fetcher.fetch(ASSET_BASE + "_shared/print.css").status == 200
        assert canary.hits == []


def test_the_same_data_gives_the_same_bytes(app, db_session):
    context = {
        "couple_name": "A & B",
        "appointment_when": "01 Dec 2026 at 17:00",
        "individual": None,
        "note_format": "DAP",
        "author": "C",
        "sections": [("Data", "x")],
        "areas": [],
        "interventions": "",
        "homework_reviewed": "",
        "risk_observed": False,
        "risk_details": "",
        "signed_by": "C",
        "signed_when": "01 Dec 2026 at 18:00",
        "content_hash": "0" * 64,
        "addenda": [],
    }
    from practice.reporting import render

    render._CACHE.clear()
    first = render_pdf("note", context)
    render._CACHE.clear()  # rendered again from scratch, not taken from the cache
    assert render_pdf("note", context) == first
    # ...so an unchanged report is served from the cache without rendering it again.
    assert render_pdf("note", context) is render._CACHE[next(reversed(render._CACHE))]


def test_a_worksheet_prints_the_exercise_as_a_blank_form(client, auth):
    from tests.factories import CoupleFactory, make_assignment, make_exercise, partner_with_login

    couple = CoupleFactory(partners=["Ida Wren", "Oli Wren"])
    user = partner_with_login(couple, 1)
    assignment = make_assignment(
        couple, make_exercise(title="Evening <b>check-in</b>"), note="Try it after dinner."
    )
    auth.login(user)
    text = pdf_text(client.get(f"/portal/assignments/{assignment.id}/worksheet.pdf").data)
    for expected in (
        "Evening <b>check-in</b>",
        "Ida Wren & Oli Wren",
        "Try it after dinner.",
        "1. What I heard",
        "2. How connected (0-10)",
        "Yes",
        "No",
        "Page 1 of",
    ):
        assert expected in text, expected


def test_the_handout_lists_the_shared_services_with_how_to_reach_them(client, auth):
    import uuid

    from practice import db
    from practice.directory.models import DirectoryLocation, DirectoryService
    from practice.referrals import services as referrals
    from tests.factories import CoupleFactory

    couple = CoupleFactory()
    shared = DirectoryService(
        hsds_id=str(uuid.uuid4()),
        name="Harbor Group",
        status="active",
        phones=["212-555-0142"],
        languages=["Spanish"],
        hours=["Mon 9-5"],
    )
    shared.locations.append(DirectoryLocation(hsds_id=str(uuid.uuid4()), address="7 Pier Rd"))
    internal = DirectoryService(
        hsds_id=str(uuid.uuid4()), name="Internal Only Clinic", status="active"
    )
    db.session.add_all([shared, internal])
    db.session.flush()
    referrals.refer(couple, shared, partner=None, reason="r", shared=True, actor=couple.counselor)
    referrals.refer(
        couple, internal, partner=None, reason="r", shared=False, actor=couple.counselor
    )
    auth.login(couple.counselor)
    text = pdf_text(client.get(f"/couples/{couple.id}/handout.pdf").data)
    for expected in ("Harbor Group", "212-555-0142", "7 Pier Rd", "Spanish", "Mon 9-5"):
        assert expected in text, expected
    assert "Internal Only Clinic" not in text


def test_the_progress_report_has_every_section_and_a_chart(client, auth):
    from datetime import timedelta

    from practice.measures import services as measures
    from practice.measures.definitions import CSI4
    from practice.measures.models import SafetyScreen
    from tests.factories import CoupleFactory, make_assignment, make_exercise

    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    note = signed_note(AppointmentFactory(couple=couple), assessment="ASSESSMENT-MARK")
    for days, score in ((20, 2), (1, 4)):
        for partner in couple.partners:
            measures.record_response(
                partner,
                CSI4,
                dict.fromkeys(CSI4.item_keys, score),
                clock.today() - timedelta(days=days),
                couple.counselor,
            )
    make_assignment(couple, make_exercise(), start_on=clock.today() - timedelta(days=2))
    from practice import db

    db.session.add(
        SafetyScreen(
            couple_id=couple.id,
            partner_id=couple.partners[0].id,
            answers={"afraid": 1},
            positive=True,
        )
    )
    db.session.flush()
    auth.login(couple.counselor)
    start = (clock.today() - timedelta(days=60)).isoformat()
    response = client.get(f"/couples/{couple.id}/progress-report.pdf?from={start}")
    text = pdf_text(response.data)
    for expected in (
        "Couple progress report",
        "Ana Reyes & Ben Reyes",
        "Attendance",
        "Couples Satisfaction Index (CSI-4)",
        "+8",
        "ASSESSMENT-MARK",
        "Homework adherence by framework area",
        "Communication",
        "Safety",
        "positive: afraid of partner",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert note.id  # the signed note's assessment was included above
    assert chart_drawn(response.data)


def chart_drawn(pdf: bytes) -> bool:
    """Whether some page, looked at as a picture, shows a partner's line in the chart blue."""
    import io
    import tempfile
    from pathlib import Path

    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "r.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", f"{folder}/r.pdf", f"{folder}/p"], check=True
        )
        for page in sorted(Path(folder).glob("p*.png")):
            image = Image.open(io.BytesIO(page.read_bytes())).convert("RGB")
            if any(
                abs(r - 31) + abs(g - 95) + abs(b - 168) < 60
                for r, g, b in image.get_flattened_data()
            ):
                return True
    return False


def test_the_client_summary_holds_nothing_private(client, auth):
    import uuid
    from datetime import timedelta

    from practice import db
    from practice.directory.models import DirectoryService
    from practice.exercises.models import Rhythm
    from practice.homework import services as homework
    from practice.measures import services as measures
    from practice.measures.definitions import CSI4
    from practice.measures.models import SafetyScreen
    from practice.referrals import services as referrals
    from tests.factories import (
        CoupleFactory,
        make_assignment,
        make_exercise,
        partner_with_login,
    )

    couple = CoupleFactory(partners=["Ana Reyes", "Ben Reyes"])
    ana = partner_with_login(couple, 1)
    signed_note(
        AppointmentFactory(couple=couple),
        assessment="NOTE-MARKER-ASSESS",
        plan="NOTE-MARKER-PLAN",
        data_section="NOTE-MARKER-DATA",
    )
    measures.record_response(
        couple.partners[0],
        CSI4,
        dict.fromkeys(CSI4.item_keys, 3),
        clock.today() - timedelta(days=3),
        couple.counselor,
    )
    private = make_assignment(
        couple, make_exercise(privacy_choice=True, title="Shared Title"), rhythm="once"
    )
    homework.save_answers(
        private,
        couple.partners[0],
        {"heard": "COUNSELOR-ONLY-MARKER", "connected": 4},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=ana,
    )
    make_assignment(
        couple,
        make_exercise(title="ONE-PARTNER-MARKER", rhythm=Rhythm.DAILY),
        partner_id=couple.partners[0].id,
    )
    db.session.add(
        SafetyScreen(
            couple_id=couple.id,
            partner_id=couple.partners[0].id,
            answers={"afraid": 1},
            positive=True,
        )
    )
    help_desk = DirectoryService(
        hsds_id=str(uuid.uuid4()), name="Open Help Desk", status="active", phones=["212-555-0111"]
    )
    alone = DirectoryService(
        hsds_id=str(uuid.uuid4()), name="ALONE-REFERRAL-MARKER", status="active"
    )
    db.session.add_all([help_desk, alone])
    db.session.flush()
    referrals.refer(
        couple, help_desk, partner=None, reason="REASON-MARKER", shared=True, actor=couple.counselor
    )
    referrals.refer(
        couple, alone, partner=couple.partners[0], reason="r", shared=True, actor=couple.counselor
    )
    auth.login(couple.counselor)
    start = (clock.today() - timedelta(days=60)).isoformat()
    response = client.get(f"/couples/{couple.id}/summary.pdf?from={start}")
    text = pdf_text(response.data)
    assert "Your progress together" in text and "Open Help Desk" in text
    assert "212-555-0111" in text and "Shared Title" in text
    for marker in (
        "NOTE-MARKER",
        "COUNSELOR-ONLY-MARKER",
        "ONE-PARTNER-MARKER",
        "ALONE-REFERRAL-MARKER",
        "REASON-MARKER",
        "afraid",
        "Safety check",
        "safety check",
        "positive",
    ):
        assert marker not in text, marker


def test_the_benchmark_prints_its_figures():
    from click.testing import CliRunner

    from practice.cli import main

    result = CliRunner().invoke(
        main,
        ["report", "benchmark", "--weeks", "3", "--runs", "1"],
        env={"PRACTICE_ENV": "development"},
    )
    assert result.exit_code == 0, result.output
    assert "progress report, 3 weekly appointments:" in result.output and "ratio" in result.output
