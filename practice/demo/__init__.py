"""Fictional demo data: a practice with an admin, two counselors and their couples.

Every name, address and story here is invented. E-mail addresses use the reserved
example.com and example.org domains, reserved for documentation, so nothing can reach a
real person.
"""

from __future__ import annotations

import secrets
from datetime import time, timedelta

from sqlalchemy import select

from practice import db
from practice.access import Role
from practice.accounts import invitations
from practice.accounts import services as accounts
from practice.accounts.models import User
from practice.couples import services as couples
from practice.demo import directory as demo_directory
from practice.demo import history
from practice.demo.people import (
    ADMIN,
    COUNSELOR,
    OTHER_PARTNER,
    PARTNER,
    SECOND_COUNSELOR,
    SIGN_INS,
    SignIn,
    jonah_cases,
    maya_cases,
)
from practice.directory.search import service_by_hsds_id
from practice.exercises import services as exercises
from practice.exercises.library import sync_library
from practice.measures import services as measures
from practice.referrals import services as referrals
from practice.referrals.models import ReferralStatus

__all__ = ["SIGN_INS", "load_once"]


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
        invitations.accept_invitation(issued.invitation, sign_in.password)
    # Priya has signed up (with a password of her own, not published here); Sam has not.
    priya = couples.invite_partner(created["Priya Natarajan"].partners[0], maya, timedelta(days=7))
    invitations.accept_invitation(priya.invitation, secrets.token_urlsafe(16))
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
