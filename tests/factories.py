"""factory_boy factories for the tests' fictional people and couples."""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select

from practice import clock, db
from practice.access import Role
from practice.accounts.models import User
from practice.accounts.passwords import hash_password
from practice.appointments import services as appointments
from practice.appointments.models import Appointment, AppointmentFormat, NoteFormat, ProgressNote
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.directory.models import (
    DirectoryLocation,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)
from practice.exercises import services as exercise_services
from practice.exercises.fields import check_spec
from practice.exercises.library import add_version, sync_library
from practice.exercises.models import Exercise, ExerciseVersion, Mode, Rhythm
from practice.homework import services as homework
from practice.homework.models import Assignment
from practice.measures import services as measures_services
from practice.measures.models import FollowUpDecision

PASSWORD = "correct horse battery"


@functools.cache
def _password_hash() -> str:
    # Every factory user shares one hash of the same password, made by the test app's
    # (fast) hasher the first time it is needed.
    return hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    role = Role.COUNSELOR
    password_hash = factory.LazyFunction(_password_hash)


class CounselorFactory(UserFactory):
    role = Role.COUNSELOR


class AdminFactory(UserFactory):
    role = Role.ADMIN


class ClientFactory(UserFactory):
    role = Role.CLIENT


class CoupleFactory(BaseFactory):
    class Meta:
        model = Couple

    counselor = factory.SubFactory(CounselorFactory)
    intake_date = factory.LazyFunction(lambda: clock.today() - timedelta(days=30))
    status = CoupleStatus.ACTIVE
    presenting_concerns = "Drifting apart"
    goals = "Talk every evening"

    @factory.post_generation
    def partners(couple: Couple, create: bool, names: list[str] | None, **kwargs: object) -> None:
        for position, name in enumerate(names or ["Avery Stone", "Blake Stone"], start=1):
            couple.partners.append(Partner(position=position, name=name))
        if create:
            db.session.flush()


def partner_with_login(couple: Couple, position: int = 1) -> User:
    """Give one partner of a couple a portal sign-in and return it."""
    partner = couple.partners[position - 1]
    partner.email = f"partner{couple.id}-{position}@example.com"
    partner.user = ClientFactory(name=partner.name, email=partner.email)
    db.session.flush()
    return partner.user


class AppointmentFactory(BaseFactory):
    class Meta:
        model = Appointment

    couple = factory.SubFactory(CoupleFactory)
    starts_at = factory.LazyFunction(lambda: clock.now().replace(microsecond=0))
    duration_minutes = 50
    format = AppointmentFormat.IN_PERSON
    place = "Room 2"
    created_by_id = factory.LazyAttribute(lambda appointment: appointment.couple.counselor_id)


NOTE_TEXT = {
    "format": "dap",
    "data_section": "Both partners described the week.",
    "subjective": "",
    "objective": "",
    "assessment": "Less blame in their language.",
    "plan": "Daily check-in, five times a week.",
    "areas": ["communication", "empathy"],
    "interventions": "Speaker-listener practice",
    "homework_reviewed": "Repair script log",
    "risk_observed": False,
    "risk_details": "",
}


def draft_note(appointment: Appointment, **changes: object) -> ProgressNote:
    """A saved draft note for an appointment, written by the couple's counselor."""
    counselor = appointment.couple.counselor
    note = appointments.start_note(appointment, counselor, NoteFormat.DAP)
    appointments.save_draft(note, {**NOTE_TEXT, **changes}, note.version, counselor)
    return note


def signed_note(appointment: Appointment, **changes: object) -> ProgressNote:
    note = draft_note(appointment, **changes)
    appointments.sign(note, {**NOTE_TEXT, **changes}, note.version, appointment.couple.counselor)
    return note


SIMPLE_FIELDS = [
    {"key": "heard", "label": "What I heard", "type": "long_text", "required": True},
    {"key": "connected", "label": "How connected (0-10)", "type": "rating", "required": True},
    {"key": "confirmed", "label": "Confirmed", "type": "yes_no"},
]


def make_exercise(owner=None, **changes: object) -> ExerciseVersion:
    """An exercise with one version (a small daily check-in unless told otherwise)."""
    content = {
        "title": "Practice check-in",
        "area": "communication",
        "purpose": "Talk and listen.",
        "instructions": "Take turns.",
        "minutes": 15,
        "rhythm": Rhythm.DAILY,
        "mode": Mode.INDIVIDUAL,
        "privacy_choice": False,
        "agreement_kind": None,
        "timer_minutes": None,
        "fields": check_spec(SIMPLE_FIELDS),
        **changes,
    }
    exercise = Exercise(
        slug=f"test-{next(_slugs)}", owner_id=owner.id if owner else None, shared=False
    )
    exercise.versions = []
    db.session.add(exercise)
    version = add_version(exercise, content, owner.id if owner else None)
    db.session.flush()
    return version


_slugs = iter(range(1, 10**9))


def make_assignment(couple: Couple, version: ExerciseVersion, **changes: object) -> Assignment:
    data = {
        "start_on": clock.today(),
        "due_on": clock.today() + timedelta(days=6),
        "rhythm": "daily",
        "times_per_week": None,
        "partner_id": None,
        "note": "",
        # Set-up only: joint work held by a safety check waiting for its follow-up is still
        # assigned (tests of the hold itself go through the form or homework.assign).
        "override_reason": "Set up by the test.",
        **changes,
    }
    return homework.assign(couple, version, data, couple.counselor)


def couple_with_portal(
    counselor: User, partners: tuple[tuple[str, str], tuple[str, str]], password: str
) -> Couple:
    """A couple made through the services, both partners signed up with ``password``.

    For tests that commit to a database of their own (a live server, threads), where the
    factories' flush-only sessions do not fit.
    """
    from practice.accounts.invitations import accept_invitation
    from practice.couples import services as couples

    (name_a, email_a), (name_b, email_b) = partners
    couple = couples.create_couple(
        counselor,
        {
            "partner_a": {"name": name_a, "pronouns": "", "email": email_a, "phone": ""},
            "partner_b": {"name": name_b, "pronouns": "", "email": email_b, "phone": ""},
            "presenting_concerns": "",
            "goals": "",
            "intake_date": clock.today(),
            "status": "active",
            "closed_on": None,
            "closing_reason": None,
        },
    )
    for partner in couple.partners:
        issued = couples.invite_partner(partner, counselor, timedelta(days=1))
        accept_invitation(issued.invitation, password)
    return couple


def built_in(slug: str) -> ExerciseVersion:
    """The current version of a built-in exercise, the library loaded first."""
    sync_library()
    exercise = db.session.scalar(select(Exercise).where(Exercise.slug == slug))
    return exercise_services.current_version(exercise)


def add_service(
    name,
    *,
    at=None,
    places=(),
    online=False,
    status="active",
    category=None,
    languages=(),
    free=False,
    sliding=False,
    description="",
):
    """A directory service as the search index holds it, at one place (``at``) or several."""
    points = [at] if at is not None else list(places)
    service = DirectoryService(
        hsds_id=str(uuid.uuid4()),
        name=name,
        status=status,
        online=online,
        in_person=bool(points),
        free=free,
        sliding_scale=sliding,
        description=description,
        search_text=f"{name} {description}".lower(),
        phones=["555-0100"],
        languages=list(languages),
    )
    for number, (latitude, longitude) in enumerate(points, start=1):
        service.locations.append(
            DirectoryLocation(
                hsds_id=str(uuid.uuid4()),
                name=f"{name} office" + (f" {number}" if number > 1 else ""),
                address=f"{number} Main St, {name}",
                latitude=latitude,
                longitude=longitude,
            )
        )
    if category:
        service.categories.append(DirectoryServiceCategory(term_id=category))
    for language in languages:
        service.language_rows.append(DirectoryServiceLanguage(language=language))
    db.session.add(service)
    db.session.flush()
    return service


RISK_REVIEW = {
    "recent_violence": "no",
    "fear_now": "no",
    "severe_signs": "no",
    "children": "no",
    "wants_joint": "yes",
    "plan_discussed": "yes",
}


def individual_note(couple: Couple, partner: Partner) -> ProgressNote:
    """A signed note of an individual appointment with one partner."""
    appointment = AppointmentFactory(couple=couple, individual_partner_id=partner.id)
    return signed_note(appointment)


def follow_up(screen, decision: str = "continue", reason: str = "Talked alone; safe to go on."):
    """Follow up a positive safety check as its counselor would: an individual conversation
    with a signed note, the risk review, a decision."""
    couple = db.session.get(Couple, screen.couple_id)
    partner = db.session.get(Partner, screen.partner_id)
    note = individual_note(couple, partner)
    return measures_services.record_follow_up(
        screen, note.id, RISK_REVIEW, FollowUpDecision(decision), reason, couple.counselor
    )
