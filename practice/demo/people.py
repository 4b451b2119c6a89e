"""The demo's invented people: sign-ins, counselors' caseloads and each couple's story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from practice import clock


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
