"""Fictional demo data: a practice with an admin, two counselors and their couples.

Every name, address and story here is invented. E-mail addresses use the reserved
example.com and example.org domains, reserved for documentation, so nothing can reach a
real person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import select

from practice import clock, db, demo_directory
from practice import demo_history as history
from practice.accounts import services as accounts
from practice.accounts.models import Role, User
from practice.couples import services as couples
from practice.directory.search import service_by_hsds_id
from practice.exercises import services as exercises
from practice.exercises.library import sync_library
from practice.measures import services as measures
from practice.referrals import services as referrals
from practice.referrals.models import ReferralStatus


@dataclass(frozen=True)
class SignIn:
    role: str
    name: str
    email: str
    password: str


ADMIN = SignIn("admin", "Rosa Delgado", "admin@practice.example.com", "demo-admin-2026")
COUNSELOR = SignIn(
    "counselor", "Dr. Maya Okafor", "maya@practice.example.com", "demo-counselor-2026"
)
SECOND_COUNSELOR = SignIn(
    "counselor", "Jonah Lindqvist", "jonah@practice.example.com", "demo-counselor-2026"
)
PARTNER = SignIn("partner", "Elena Marsh", "elena@clients.example.org", "demo-partner-2026")
OTHER_PARTNER = SignIn("partner", "Tom Marsh", "tom@clients.example.org", "demo-partner-2026")
SIGN_INS = (ADMIN, COUNSELOR, SECOND_COUNSELOR, PARTNER, OTHER_PARTNER)


def _partner(name: str, pronouns: str, email: str | None, phone: str = "") -> dict:
    return {"name": name, "pronouns": pronouns, "email": email, "phone": phone}


def _case(
    a: dict,
    b: dict,
    *,
    weeks_ago: int,
    concerns: str,
    goals: str,
    status: str = "active",
    closed_weeks_ago: int | None = None,
    reason: str | None = None,
) -> dict:
    today = clock.today()
    return {
        "partner_a": a,
        "partner_b": b,
        "presenting_concerns": concerns,
        "goals": goals,
        "intake_date": today - timedelta(weeks=weeks_ago),
        "status": status,
        "closed_on": today - timedelta(weeks=closed_weeks_ago) if closed_weeks_ago else None,
        "closing_reason": reason,
    }


def maya_cases() -> list[dict]:
    return [
        _case(
            _partner("Elena Marsh", "she/her", PARTNER.email, "555-0101"),
            _partner("Tom Marsh", "he/him", OTHER_PARTNER.email, "555-0102"),
            weeks_ago=16,
            concerns="Feel more like flatmates than partners since their second child was born. "
            "Arguments about money end in silence for days.",
            goals="A weekly money conversation that stays calm. Ten minutes of talk every evening.",
        ),
        _case(
            _partner("Priya Natarajan", "she/her", "priya@clients.example.org", "555-0111"),
            _partner("Sam Okoro", "they/them", "sam@clients.example.org"),
            weeks_ago=6,
            concerns="Recurring fights about time with friends versus time together.",
            goals="Agree on protected evenings; learn to pause a heated argument.",
        ),
        _case(
            _partner("Daniel Reyes", "he/him", "daniel@clients.example.org"),
            _partner("Marco Bellini", "he/him", None, "555-0131"),
            weeks_ago=2,
            concerns="Trust shaken after a broken promise about a job move.",
            goals="Rebuild trust through small kept promises.",
        ),
        _case(
            _partner("Grace Whitfield", "she/her", "grace@clients.example.org"),
            _partner("Hannah Whitfield", "she/her", "hannah@clients.example.org"),
            weeks_ago=30,
            concerns="Disagreements about parenting roles with a teenager.",
            goals="A written parenting plan both can stand behind.",
            status="paused",
        ),
        _case(
            _partner("Oliver Brandt", "he/him", None),
            _partner("Nina Brandt", "she/her", None),
            weeks_ago=44,
            concerns="Distance after years of long working hours.",
            goals="Reconnect through a daily habit of connection.",
            status="closed",
            closed_weeks_ago=8,
            reason="Goals met; the couple chose to finish after twelve sessions.",
        ),
    ]


def jonah_cases() -> list[dict]:
    return [
        _case(
            _partner("Aisha Karimi", "she/her", "aisha@clients.example.org"),
            _partner("Leo Fontaine", "he/him", "leo@clients.example.org"),
            weeks_ago=10,
            concerns="Repeated arguments about household chores and fairness.",
            goals="Use I-statements instead of blame; a chores agreement with a revisit date.",
        ),
        _case(
            _partner("Ruth Adeyemi", "she/her", None),
            _partner("Felix Adeyemi", "he/him", None),
            weeks_ago=1,
            concerns="Recently married; different expectations about family visits.",
            goals="Name the gap together and agree on first steps.",
        ),
    ]


def _staff(sign_in: SignIn, role: Role) -> User:
    return accounts.create_user(
        email=sign_in.email, name=sign_in.name, role=role, password=sign_in.password
    )


def load_once() -> bool:
    """Load the demo practice unless it is already there; return whether it was loaded."""
    if db.session.scalar(select(User).where(User.email == ADMIN.email)) is not None:
        return False
    _staff(ADMIN, Role.ADMIN)
    maya = _staff(COUNSELOR, Role.COUNSELOR)
    jonah = _staff(SECOND_COUNSELOR, Role.COUNSELOR)
    created = {}
    for counselor, cases in ((maya, maya_cases()), (jonah, jonah_cases())):
        for data in cases:
            couple = couples.create_couple(counselor, data)
            created[couple.partners[0].name] = couple
    # Elena and Tom have used their invitations and can sign in to the portal.
    marsh = created["Elena Marsh"]
    for partner, sign_in in zip(marsh.partners, (PARTNER, OTHER_PARTNER), strict=True):
        issued = couples.invite_partner(partner, maya, timedelta(days=7))
        accounts.accept_invitation(issued.invitation, sign_in.password)
    # Priya has signed up (with a password of her own, not published here); Sam has not.
    priya = couples.invite_partner(created["Priya Natarajan"].partners[0], maya, timedelta(days=7))
    accounts.accept_invitation(priya.invitation, secrets.token_urlsafe(16))
    # Months of history for two couples, a few weeks for a third.
    history.add_history(marsh, maya, weeks=14, seed=1, at=time(17, 0))
    history.add_history(created["Aisha Karimi"], jonah, weeks=9, seed=2, at=time(16, 0))
    history.add_history(created["Priya Natarajan"], maya, weeks=5, seed=3, at=time(18, 30))
    history.upcoming(created["Daniel Reyes"], maya, in_days=2, hour=10)
    # The built-in exercise library, and three weeks of homework for the Marshes and Aisha & Leo.
    sync_library()
    library = {version.exercise.slug: version for version in exercises.library_for(maya)}
    history.add_homework(marsh, maya, library)
    history.add_homework(created["Aisha Karimi"], jonah, library)
    # A fictional local directory, the couples' ZIP codes, and a few referrals.
    demo_directory.load()
    for couple, zip_code in (
        (marsh, "10025"),
        (created["Priya Natarajan"], "10011"),
        (created["Aisha Karimi"], "07030"),
    ):
        couple.zip_code = zip_code
    money = service_by_hsds_id(demo_directory.hsds_id_of("Brooklyn Money Coaching", "service"))
    workshop = service_by_hsds_id(
        demo_directory.hsds_id_of("Hoboken Relationship Workshops", "service")
    )
    first = referrals.refer(
        marsh,
        money,
        partner=None,
        shared=True,
        actor=maya,
        reason="Help with the budget plan you started in the money meeting.",
    )
    referrals.change_status(first, ReferralStatus.CONTACTED, "", marsh.partners[0].user)
    referrals.refer(
        created["Aisha Karimi"],
        workshop,
        partner=None,
        shared=True,
        actor=jonah,
        reason="A six-week workshop on communication, alongside our sessions.",
    )
    # Priya answered the private safety check with a yes: Maya's couple page shows the flag.
    answers = {"humiliated": 1, "afraid": 0, "raped": 0, "kicked": 0}
    measures.record_safety_screen(
        created["Priya Natarajan"].partners[0], answers, priya.invitation.user
    )
    db.session.flush()
    return True
