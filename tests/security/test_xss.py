"""SECURITY.md row 4: XSS payloads in every text field, rendered in pages and in the PDF HTML.

The world is filled through the forms themselves, by the counselor and by both partners
(couple details, notes and addenda, appointment places, custom exercises, assignment notes,
answers, agreements, feedback, referral reasons and status notes), every text field holding
script, attribute-breaking, ``javascript:`` and template payloads. Then every page each of them
(and an admin) can reach is crawled, and the HTML of every PDF report is rendered. No page may
carry the payload as markup: no script of it, no event-handler attribute, no ``javascript:``
link or source, no evaluated template; and the payload must be there, escaped, where the text
is shown (so that the check is not passing on pages that simply left it out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import current_app
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from practice import clock, db
from practice.accounts.models import User
from practice.agreements.models import Agreement
from practice.appointments.models import ProgressNote
from practice.couples.models import Couple
from practice.directory.models import DirectoryService
from practice.exercises.library import sync_library
from practice.exercises.models import Exercise
from practice.homework.models import Assignment, Completion
from practice.referrals.models import Referral
from practice.reporting import notes, printables, progress, summary
from practice.reporting.render import render_html
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, AdminFactory, CounselorFactory, add_service
from tests.security.conftest import sign_in_directly, url, world_fixtures

JS = "javascript:alert(1)"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(1)>"
TEMPLATE = "{{7*191}}x"  # 1337x if it were ever evaluated as a template
ALL = " ".join((JS, SCRIPT, IMG, SVG, TEMPLATE))  # 111 characters: fits every text field
SHORT = IMG  # for the one field shorter than that (pronouns, 40)
ESCAPED = str(escape(SCRIPT))  # how the payload must read where it is shown

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcset"}
# Raw markup of the payloads: never in a page, whatever the context.
RAW = ("<script>alert(1)", "<img src=x onerror", "<svg onload", "1337x")

COUNSELOR, PARTNER_A, PARTNER_B, ADMIN = "counselor", "partner A", "partner B", "admin"


class MarkupScanner(HTMLParser):
    """Reads a page as a browser would and lists what of the payloads became markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>: an event handler")
            if name in URL_ATTRIBUTES and value:
                plain = re.sub(r"[\x00-\x20]", "", value).lower()
                if plain.startswith("javascript:") or ",javascript:" in plain:
                    self.problems.append(f"<{tag} {name}={value[:40]!r}>: a javascript: URL")
        if tag == "script":
            source = dict(attrs).get("src") or ""
            if not source.startswith("/"):
                self.problems.append(f"<script src={source!r}>: not the app's own script")
            self._script = True
        if tag in ("img", "svg", "iframe", "object", "embed") and dict(attrs).get("src") == "x":
            self.problems.append(f"<{tag} src=x>: the payload's element")
        if tag == "svg":
            self.problems.append("<svg>: the payload's element")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:40]!r}")


def markup_problems(html: str) -> list[str]:
    problems = [f"raw {raw!r}" for raw in RAW if raw in html]
    scanner = MarkupScanner()
    scanner.feed(html)
    scanner.close()
    return list(dict.fromkeys(problems + scanner.problems))


def test_the_scanner_finds_the_payloads_unescaped():
    """The check itself: the payloads as markup are caught, escaped they are not."""
    for payload in (SCRIPT, IMG, SVG):
        assert markup_problems(f'<p>{payload}</p><input value="{payload}">')
    assert markup_problems(f'<a href="{JS}">x</a>')
    assert markup_problems(f"<a href=' {JS.upper()}'>x</a>")
    assert markup_problems('<img src="&#106;avascript:alert(1)">')
    assert not markup_problems(f'<p>{escape(ALL)}</p><input value="{escape(ALL)}">')
    assert not markup_problems('<script src="/static/practice.js"></script>')


# --- the world, filled through the forms ---------------------------------------------------


@dataclass
class World:
    users: dict[str, int]
    couple: int
    closed_couple: int
    notes: list[int]
    version: int  # the custom exercise's version
    assignment: int
    pages: list[tuple[str, str, str]] = field(default_factory=list)  # pages seen while filling


class Browser:
    """One person's browser on the app, keeping the pages it is shown."""

    def __init__(self, app, user: User | None, pages: list, who: str) -> None:
        self.client = IsolatedClient(app, app.response_class, use_cookies=True)
        self.pages = pages
        self.who = who
        if user is not None:
            sign_in_directly(self.client, user)

    def post(self, address: str, data: dict[str, object]) -> str:
        """Send a form (which must be accepted) and read the page it leads to."""
        response = self.client.post(address, data=data)
        text = response.get_data(as_text=True)
        assert response.status_code == 302, f"{address}: {response.status_code}\n{text[:3000]}"
        location = response.headers["Location"]
        self.get(location)
        return location

    def get(self, address: str) -> str:
        response = self.client.get(address)
        text = response.get_data(as_text=True)
        if response.mimetype == "text/html":
            self.pages.append((self.who, address, text))
        return text


def _id_in(location: str) -> int:
    return int(re.search(r"/(\d+)", location).group(1))


def _partner_form(name: str, email: str) -> dict[str, str]:
    return {"name": name, "pronouns": SHORT, "email": email, "phone": ""}


def _couple_form(tag: str, **case: str) -> dict[str, object]:
    data: dict[str, object] = {}
    for prefix, who in (("partner_a", "a"), ("partner_b", "b")):
        for key, value in _partner_form(f"{ALL} {who}", f"{tag}-{who}@example.org").items():
            data[f"{prefix}-{key}"] = value
    data.update(
        {
            "presenting_concerns": ALL,
            "goals": ALL,
            "intake_date": (clock.today() - timedelta(days=30)).isoformat(),
            "zip_code": "",
            "status": "active",
            "closed_on": "",
            "closing_reason": "",
            **case,
        }
    )
    return data


def _note(version: int, fmt: str, **action: str) -> dict[str, object]:
    return {
        "version": str(version),
        "format": fmt,
        "data_section": ALL,
        "subjective": ALL,
        "objective": ALL,
        "assessment": ALL,
        "plan": ALL,
        "areas": "communication",
        "interventions": ALL,
        "homework_reviewed": ALL,
        "risk_observed": "y",
        "risk_details": ALL,
        **action,
    }


def _build() -> World:
    app = current_app._get_current_object()
    app.extensions["practice.limiter"].reset()
    sync_library()
    pages: list[tuple[str, str, str]] = []
    counselor = CounselorFactory(name=ALL)
    admin = AdminFactory(name=ALL)
    service = add_service(ALL, online=True, description=ALL, languages=["Spanish"])
    service.organization = ALL
    service.url = JS
    service.email = ALL
    service.fees = ALL
    service.hours = [ALL]
    service.phones = [ALL]
    service.search_text = "harbor"
    db.session.flush()
    c = Browser(app, counselor, pages, COUNSELOR)
    today = clock.today()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    # The couple, its partners invited and signed up through their links.
    couple_id = _id_in(c.post(url(app, "couples.new_couple"), _couple_form("fox")))
    closing = {"status": "closed", "closed_on": day(-1), "closing_reason": ALL}
    closed_id = _id_in(c.post(url(app, "couples.new_couple"), _couple_form("lane", **closing)))
    couple = db.session.get(Couple, couple_id)
    browsers = {}
    for principal, partner in zip((PARTNER_A, PARTNER_B), couple.partners, strict=True):
        c.post(url(app, "couples.invite_partner", couple_id=couple_id, partner_id=partner.id), {})
        link = re.search(r"/invitation/[\w-]+", pages[-1][2]).group(0)
        browsers[principal] = browser = Browser(app, None, pages, principal)
        browser.post(link, {"password": PASSWORD, "confirm": PASSWORD})
    a, b = browsers[PARTNER_A], browsers[PARTNER_B]
    partner_a, _partner_b = (p.id for p in couple.partners)

    # Appointments in the past, with notes signed (DAP, SOAP) and drafted, and an addendum.
    note_ids = []
    for offset, fmt, action in ((-3, "dap", "sign"), (-2, "soap", "sign"), (-1, "dap", "save")):
        location = c.post(
            url(app, "appointments.new_appointment", couple_id=couple_id),
            {
                "day": day(offset),
                "start_time": "10:00",
                "duration_minutes": "50",
                "format": "in_person",
                "place": ALL,
                "individual_partner_id": "",
            },
        )
        appointment = _id_in(location)
        c.post(
            url(app, "appointments.record_attendance", appointment_id=appointment),
            {"attendance": "both", "attending_partner_id": ""},
        )
        note = _id_in(
            c.post(url(app, "appointments.start_note", appointment_id=appointment), {"format": fmt})
        )
        version = db.session.get(ProgressNote, note).version
        c.post(
            url(app, "appointments.edit_note", note_id=note), _note(version, fmt, **{action: "1"})
        )
        note_ids.append(note)
    c.post(url(app, "appointments.add_addendum", note_id=note_ids[0]), {"reason": ALL, "body": ALL})

    # A custom exercise with payloads in every part, assigned to the couple with a note.
    exercise = _id_in(
        c.post(
            url(app, "exercises.new_exercise"),
            {
                "title": ALL,
                "area": "communication",
                "purpose": ALL,
                "instructions": ALL,
                "minutes": "10",
                "rhythm": "daily",
                "mode": "individual",
                "privacy_choice": "",
                "fields-0-label": ALL,
                "fields-0-type": "short_text",
                "fields-0-required": "y",
                "fields-1-label": ALL,
                "fields-1-type": "long_text",
                "fields-2-label": ALL,
                "fields-2-type": "checklist",
                "fields-2-options": f"{ALL}; plain",
            },
        )
    )
    version = db.session.get(Exercise, exercise).versions[-1].id
    pause = db.session.scalar(select(Exercise).where(Exercise.slug == "pause-agreement"))
    for chosen, rhythm in ((exercise, "daily"), (pause.id, "once")):
        c.post(
            url(app, "homework.new_assignment", couple_id=couple_id),
            {
                "exercise_id": str(chosen),
                "partner_id": "",
                "start_on": day(0),
                "due_on": day(6),
                "rhythm": rhythm,
                "times_per_week": "",
                "note": ALL,
            },
        )
    custom, agreement_assignment = (
        db.session.scalar(
            select(Assignment.id).where(
                Assignment.couple_id == couple_id, Assignment.version.has(exercise_id=chosen)
            )
        )
        for chosen in (exercise, pause.id)
    )

    # Both partners answer; one proposes the pause agreement, the other amends it, and the
    # first accepts the amendment.
    for browser in (a, b):
        browser.post(
            url(app, "homework.answer", assignment_id=custom),
            {"f_q1": ALL, "f_q2": f"{ALL}\n{ALL}", "f_q3": ALL, "submit": "1"},
        )
    agreement_text = {
        "f_signal": ALL,
        "f_break_minutes": "20",
        "f_during": ALL,
        "f_return": ALL,
        "f_revisit_on": day(30),
    }
    a.post(
        url(app, "homework.answer", assignment_id=agreement_assignment),
        {**agreement_text, "submit": "1"},
    )
    agreement = db.session.scalar(select(Agreement.id).where(Agreement.couple_id == couple_id))
    b.post(url(app, "agreements.amend_agreement", agreement_id=agreement), agreement_text)
    a.post(url(app, "agreements.accept_agreement", agreement_id=agreement), {})

    # The counselor answers the answers, and refers the couple and one partner.
    for completion in db.session.scalars(
        select(Completion.id).where(Completion.assignment_id == custom)
    ):
        c.post(url(app, "homework.add_feedback", completion_id=completion), {"body": ALL})
    referral_form = url(app, "referrals.new_referral", couple_id=couple_id, service=service.hsds_id)
    for partner in ("", str(partner_a), ""):
        c.post(referral_form, {"partner_id": partner, "reason": ALL, "shared": "y"})
    declined = db.session.scalar(
        select(func.max(Referral.id)).where(Referral.couple_id == couple_id)
    )
    c.post(
        url(app, "referrals.referral", referral_id=declined), {"status": "declined", "note": ALL}
    )
    return World(
        users={
            COUNSELOR: counselor.id,
            ADMIN: admin.id,
            PARTNER_A: db.session.get(Couple, couple_id).partners[0].user_id,
            PARTNER_B: db.session.get(Couple, couple_id).partners[1].user_id,
        },
        couple=couple_id,
        closed_couple=closed_id,
        notes=note_ids,
        version=version,
        assignment=custom,
        pages=pages,
    )


world_connection, db_connection, world = world_fixtures(_build)


# --- pages ---------------------------------------------------------------------------------

# Where each person starts; everything linked from there (on this site) is read in turn.
SEEDS = {
    COUNSELOR: [
        ("pages.caseload", {}),
        ("exercises.library", {}),
        ("directory.search", {"q": "harbor"}),
        ("accounts.profile", {}),
    ],
    PARTNER_A: [("portal.home", {}), ("referrals.portal_referrals", {})],
    PARTNER_B: [("portal.home", {}), ("referrals.portal_referrals", {})],
    ADMIN: [
        ("couples.admin_couples", {}),
        ("accounts.staff_accounts", {}),
        ("accounts.audit_trail", {}),
        ("exercises.library", {}),
    ],
}
# Pages the crawl must reach, each showing the payloads (escaped) where the text is.
MUST_SHOW = {
    COUNSELOR: {
        "pages.caseload",
        "pages.couple",
        "couples.edit_couple",
        "appointments.appointment",
        "appointments.note",
        "appointments.edit_note",
        "homework.assignment",
        "homework.new_assignment",
        "agreements.staff_agreement",
        "referrals.referral",
        "referrals.new_referral",
        "exercises.exercise",
        "exercises.edit_exercise",
        "exercises.library",
        "directory.service",
    },
    PARTNER_A: {
        "portal.home",
        "homework.answer",
        "agreements.agreement",
        "referrals.portal_referrals",
    },
    ADMIN: {"couples.admin_couples", "accounts.staff_accounts"},
}
MUST_SHOW[PARTNER_B] = MUST_SHOW[PARTNER_A] | {"agreements.amend_agreement"}
NOT_FOLLOWED = ("static", "bootstrap.static", "reports.", "accounts.sign_in")
MAX_PAGES = 250


def _endpoint(app, address: str) -> tuple[str | None, str]:
    parts = urlsplit(address)
    try:
        endpoint, _values = app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:  # not found, another method, or a redirect: not a page to read
        return None, address
    return endpoint, parts.path + (f"?{parts.query}" if parts.query else "")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.found.append(href.split("#")[0])


def _crawl(app, client, seeds: list[str]) -> dict[str, tuple[str, int, str]]:
    """Every page reachable from the seeds: {address: (endpoint, status, html)}."""
    seen: dict[str, tuple[str, int, str]] = {}
    queue = list(seeds)
    while queue and len(seen) < MAX_PAGES:
        endpoint, address = _endpoint(app, queue.pop(0))
        if endpoint is None or address in seen or endpoint.startswith(NOT_FOLLOWED):
            continue
        response = client.get(address)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        seen[address] = (endpoint, response.status_code, html)
        links = _Links()
        links.feed(html)
        queue.extend(links.found)
    return seen


@pytest.mark.parametrize("principal", [COUNSELOR, PARTNER_A, PARTNER_B, ADMIN])
def test_no_page_carries_the_payloads_as_markup(app, client, world, principal):
    sign_in_directly(client, db.session.get(User, world.users[principal]))
    seeds = [url(app, endpoint, **values) for endpoint, values in SEEDS[principal]]
    pages = _crawl(app, client, seeds)
    offending = [
        f"{address}: {problem}"
        for address, (_endpoint, _status, html) in pages.items()
        for problem in markup_problems(html)
    ]
    assert not offending, f"{principal}:\n" + "\n".join(offending)
    errors = [
        f"{address} -> {status}" for address, (_e, status, _h) in pages.items() if status >= 500
    ]
    assert not errors, "\n".join(errors)
    showing = {endpoint for endpoint, _status, html in pages.values() if ESCAPED in html}
    missing = MUST_SHOW[principal] - showing
    assert not missing, f"{principal}: never reached, or the payload is not shown: {missing}"


def test_pages_seen_while_filling_the_forms_carry_no_markup(world):
    """The pages each form led to (with their flash messages, which quote names)."""
    offending = [
        f"{who} {address}: {problem}"
        for who, address, html in world.pages
        for problem in markup_problems(html)
    ]
    assert not offending, "\n".join(offending)
    assert sum(ESCAPED in html for _who, _address, html in world.pages) > 20


# --- the PDF reports' HTML ------------------------------------------------------------------


def _report_html(world: World) -> dict[str, str]:
    couple = db.session.get(Couple, world.couple)
    today = clock.today()
    html = {}
    for note_id in world.notes:
        note = db.session.get(ProgressNote, note_id)
        if note.is_signed:
            html[f"note {note_id}"] = render_html("note", notes.note_context(note))
    for name, builder in (
        ("progress", progress.progress_context),
        ("summary", summary.summary_context),
    ):
        context, _charts = builder(couple, couple.intake_date, today)
        html[name] = render_html(name, context)
    version = db.session.get(Assignment, world.assignment).version
    html["worksheet"] = render_html("worksheet", printables.worksheet_context(version))
    html["portal worksheet"] = render_html(
        "worksheet",
        printables.worksheet_context(version, db.session.get(Assignment, world.assignment)),
    )
    services = list(db.session.scalars(select(DirectoryService)))
    html["handout"] = render_html(
        "handout", printables.handout_context(services, couple.display_name, couple.counselor.name)
    )
    return html


def test_no_report_carries_the_payloads_as_markup(world):
    reports = _report_html(world)
    assert len([name for name in reports if name.startswith("note")]) == 2
    offending = [
        f"{name}: {problem}" for name, html in reports.items() for problem in markup_problems(html)
    ]
    assert not offending, "\n".join(offending)
    blank = [name for name, html in reports.items() if ESCAPED not in html]
    assert not blank, f"the payload is not shown in: {blank}"


# --- text a URL carries -----------------------------------------------------------------------


REFLECTED = {
    COUNSELOR: [
        ("pages.caseload", {"q": ALL, "status": ALL, "sort": ALL, "page": ALL}),
        ("exercises.library", {"area": ALL}),
        ("directory.search", {"q": ALL, "zip_code": ALL, "category": ALL, "near": ALL}),
        ("accounts.recovery_codes", {"then": JS}),
        ("homework.new_assignment", {"couple_id": "couple", "exercise": ALL}),
        ("appointments.new_appointment", {"couple_id": "couple", "partner": ALL}),
    ],
    ADMIN: [
        ("couples.admin_couples", {"q": ALL}),
        ("accounts.audit_trail", {"person": ALL, "action": ALL, "start": ALL}),
    ],
    None: [
        ("accounts.sign_in", {"next": JS}),
        ("accounts.forgot_password", {"email": ALL}),
        ("accounts.accept_invitation", {"token": ALL}),
    ],
}


@pytest.mark.parametrize("principal", [COUNSELOR, ADMIN, None])
def test_text_in_the_address_is_not_reflected_as_markup(app, client, world, principal):
    if principal is not None:
        sign_in_directly(client, db.session.get(User, world.users[principal]))
    offending = []
    for endpoint, values in REFLECTED[principal]:
        arguments = {k: world.couple if v == "couple" else v for k, v in values.items()}
        address = url(app, endpoint, **arguments)
        response = client.get(address)
        if response.status_code >= 500:
            offending.append(f"{address} -> {response.status_code}")
        offending += [f"{address}: {p}" for p in markup_problems(response.get_data(as_text=True))]
    missing = client.get("/" + SCRIPT)  # an unknown address quoting the payload
    offending += [f"404 page: {p}" for p in markup_problems(missing.get_data(as_text=True))]
    assert not offending, "\n".join(offending)
