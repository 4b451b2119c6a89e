"""SECURITY.md row 3: posts with extra fields.

Every form a counselor, a partner or a visitor can send is sent once, valid, with extra fields
naming protected columns (``counselor_id``, ``couple_id``, ``role``, ``user_id``, ``partner_id``,
``is_disabled``, ``status``, ``created_by_id``, ``signed_by_id``, ``owner_id``, ``shared``, …) set
to another person's or another couple's values. The protected columns of every row are read
before and after: the only changes allowed are the ones the form itself makes, and the rows it
creates must carry the poster's own values, whatever the extra fields said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from practice import clock, db
from practice.access import Audience, Role, audience_of
from practice.accounts import invitations, sessions
from practice.accounts.models import Invitation, User, UserSession
from practice.agreements.models import Agreement, AgreementStatus, AgreementVersion
from practice.appointments.models import (
    Addendum,
    Appointment,
    Attendance,
    NoteStatus,
    NoteVersion,
    ProgressNote,
)
from practice.consent import services as consent
from practice.consent.models import ConsentSignature, ConsentVersion
from practice.couples import services as couples
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.exercises.fields import check_spec
from practice.exercises.models import (
    AgreementKind,
    Exercise,
    ExerciseVersion,
    Mode,
    Rhythm,
    Visibility,
)
from practice.feedback.models import SessionRating
from practice.homework import services as homework
from practice.homework.models import Assignment, Completion, CompletionStatus, Feedback
from practice.intake.models import Intake
from practice.measures.definitions import CHECKIN, HARK
from practice.measures.models import (
    ContactPreference,
    MeasureResponse,
    SafetyFollowUp,
    SafetyPlan,
    SafetyScreen,
)
from practice.plans import services as plans
from practice.plans.models import (
    ObjectiveMet,
    PlanAcknowledgement,
    PlanVersion,
    TreatmentPlan,
    shown_fingerprint,
)
from practice.referrals import services as referrals
from practice.referrals.models import Referral, ReferralEvent, ReferralStatus
from tests.factories import (
    PASSWORD,
    RISK_REVIEW,
    SIMPLE_FIELDS,
    AppointmentFactory,
    CounselorFactory,
    CoupleFactory,
    add_service,
    draft_note,
    follow_up,
    individual_note,
    make_assignment,
    make_exercise,
    partner_with_login,
    signed_note,
)
from tests.security.conftest import sign_in_directly, url, world_fixtures

# The protected columns of each table: who owns a row, whom it is for, what state it is in.
PROTECTED = {
    User: ("role", "is_disabled", "password_hash", "totp_secret"),
    UserSession: ("user_id", "ended_at"),
    Invitation: ("user_id", "created_by_id", "purpose"),
    Couple: ("counselor_id", "status"),
    Partner: ("couple_id", "position", "user_id"),
    Appointment: (
        "couple_id",
        "created_by_id",
        "individual_partner_id",
        "attendance",
        "attending_partner_id",
    ),
    ProgressNote: ("appointment_id", "couple_id", "author_id", "status", "signed_by_id"),
    NoteVersion: ("note_id", "saved_by_id", "signed"),
    Addendum: ("note_id", "signed_by_id"),
    Exercise: ("owner_id", "shared"),
    ExerciseVersion: ("exercise_id", "created_by_id"),
    Assignment: ("couple_id", "partner_id", "version_id", "created_by_id"),
    Completion: ("assignment_id", "partner_id", "status", "visibility"),
    Feedback: ("completion_id", "author_id"),
    Agreement: ("couple_id", "assignment_id", "status"),
    AgreementVersion: ("agreement_id", "proposed_by_id", "accepted_by_id"),
    Referral: ("couple_id", "partner_id", "shared", "status", "created_by_id"),
    ReferralEvent: ("referral_id", "status", "actor_id"),
    MeasureResponse: ("couple_id", "partner_id", "entered_by_id"),
    SafetyScreen: ("couple_id", "partner_id", "reviewed_by_id"),
    SafetyFollowUp: ("couple_id", "partner_id", "screen_id", "note_id", "decided_by_id"),
    ContactPreference: ("couple_id", "partner_id"),
    SafetyPlan: ("couple_id", "partner_id"),
    SessionRating: ("couple_id", "partner_id", "appointment_id"),
    Intake: ("couple_id", "partner_id"),
    ConsentVersion: ("created_by_id", "number"),
    ConsentSignature: ("couple_id", "partner_id", "version_id"),
    TreatmentPlan: ("couple_id",),
    PlanVersion: ("plan_id", "number", "written_by_id"),
    PlanAcknowledgement: ("plan_id", "partner_id", "version_id"),
    ObjectiveMet: ("plan_id", "recorded_by_id"),
}

COUNSELOR, PARTNER_A, PARTNER_B, ANON = "counselor", "partner A", "partner B", "anonymous"
NEW_PASSWORD = "a brand new passphrase for this test"


class _Any:
    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


ANY = _Any()  # a value the form sets and the test cannot know (a password hash, a time)


@dataclass(frozen=True)
class New:
    """The id of the one row of ``model`` the post creates."""

    model: type


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, int]
    service: str
    emails: dict[str, str]
    other_secret: str


def _build() -> World:
    service = add_service("Harbor Counseling", online=True)
    counselor = CounselorFactory()
    other = CounselorFactory()
    couple = CoupleFactory(counselor=counselor, partners=["Ines Fox", "Omar Fox"])
    user_a = partner_with_login(couple, 1)
    user_b = partner_with_login(couple, 2)
    pa, pb = couple.partners
    uninvited = CoupleFactory(counselor=counselor, partners=["Uma Lane", "Ugo Lane"])
    for position, partner in enumerate(uninvited.partners, start=1):
        partner.email = f"lane{position}-{uninvited.id}@example.com"
    foreign = CoupleFactory(counselor=other, partners=["Yara Yew", "Yuri Yew"])
    partner_with_login(foreign, 1)
    now = clock.now()
    done = AppointmentFactory(couple=couple, starts_at=now - timedelta(days=7))
    signed = signed_note(done)
    drafted = AppointmentFactory(couple=couple, starts_at=now - timedelta(days=3))
    draft = draft_note(drafted)
    bare = AppointmentFactory(couple=couple, starts_at=now - timedelta(hours=3))
    screen = SafetyScreen(
        couple_id=couple.id,
        partner_id=pa.id,
        answers={"humiliated": 0, "afraid": 1, "raped": 0, "kicked": 0},
        positive=True,
    )
    db.session.add(screen)
    letters = make_exercise(
        owner=counselor, mode=Mode.INDIVIDUAL, privacy_choice=True, fields=check_spec(SIMPLE_FIELDS)
    )
    together = make_assignment(couple, letters)
    for_a = make_assignment(couple, letters, partner_id=pa.id)
    answered = make_assignment(couple, letters)
    completion = homework.save_answers(
        answered,
        pa,
        {"heard": "x", "connected": 4},
        visibility=Visibility.SHARED,
        submit=True,
        today=clock.today(),
        actor=user_a,
    )
    pause = make_exercise(
        mode=Mode.TOGETHER,
        rhythm=Rhythm.ONCE,
        agreement_kind=AgreementKind.PAUSE,
        fields=check_spec(
            [{"key": "signal", "label": "Signal", "type": "short_text", "required": True}]
        ),
    )
    homework.save_answers(
        make_assignment(couple, pause, rhythm="once"),
        pa,
        {"signal": "hand up"},
        visibility=None,
        submit=True,
        today=clock.today(),
        actor=user_a,
    )
    db.session.flush()
    agreement = db.session.scalar(select(Agreement).where(Agreement.couple_id == couple.id))
    shared_referral = referrals.refer(
        couple, service, partner=None, reason="Groups", shared=True, actor=counselor
    )
    unshared_referral = referrals.refer(
        couple, service, partner=None, reason="Later", shared=False, actor=counselor
    )
    # Two-factor sign-in on for partner A and for the other counselor, who is signed in too.
    for user in (user_a, other):
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at = now
    other_secret = other.totp_secret
    sessions.start_session(other)
    db.session.flush()
    return World(
        ids={
            COUNSELOR: counselor.id,
            "other": other.id,
            PARTNER_A: user_a.id,
            PARTNER_B: user_b.id,
            "couple": couple.id,
            "uninvited": uninvited.id,
            "uninvited_1": uninvited.partners[0].id,
            "uninvited_2": uninvited.partners[1].id,
            "foreign": foreign.id,
            "foreign_partner": foreign.partners[0].id,
            "partner_a": pa.id,
            "partner_b": pb.id,
            "done": done.id,
            "signed": signed.id,
            "draft": draft.id,
            "bare": bare.id,
            "screen": screen.id,
            "exercise": letters.exercise_id,
            "version": letters.id,
            "together": together.id,
            "for_a": for_a.id,
            "completion": completion.id,
            "agreement": agreement.id,
            "agreement_v1": agreement.versions[0].id,
            "shared_referral": shared_referral.id,
            "unshared_referral": unshared_referral.id,
        },
        service=service.hsds_id,
        emails={"a": pa.email, "b": pb.email, COUNSELOR: counselor.email, "other": other.email},
        other_secret=other_secret,
    )


world_connection, db_connection, world = world_fixtures(_build)


# --- the posts ------------------------------------------------------------------------------


@dataclass
class Post:
    who: str
    url: str
    data: dict[str, object]
    status: int = 302
    # The changes the form itself makes to protected columns: {(table, column): {id: value}}.
    changes: dict[tuple[type, str], dict[int, object]] = field(default_factory=dict)
    # The rows it creates, in order, with their protected columns: {table: [values, ...]}.
    created: dict[type, list[dict[str, object]]] = field(default_factory=dict)
    # What ``status`` is set to among the extra fields, where the form has no such field.
    status_value: str = "closed"
    subforms: tuple[str, ...] = ()


def _hostile(world: World, post: Post) -> dict[str, object]:
    """Extra fields that, if believed, would hand the row to someone else or change its
    state; a name the form itself has is left as the form sends it."""
    ids = world.ids
    partner_post = post.who in (PARTNER_A, PARTNER_B)
    other_partner = ids["partner_b"] if post.who == PARTNER_A else ids["partner_a"]
    other_user = ids[PARTNER_B] if post.who == PARTNER_A else ids[PARTNER_A]
    values: dict[str, object] = {
        "counselor_id": ids["other"],
        "couple_id": ids["foreign"],
        "role": "admin",
        "user_id": other_user if partner_post else ids["other"],
        "partner_id": other_partner if partner_post else ids["foreign_partner"],
        "is_disabled": "y",
        "status": post.status_value,
        "created_by_id": ids["other"],
        "signed_by_id": ids["other"],
        "owner_id": ids["other"],
        "shared": "y",
        "author_id": ids["other"],
        "entered_by_id": ids["other"],
        "reviewed_by_id": ids["other"],
        "saved_by_id": ids["other"],
        "actor_id": ids["other"],
        "proposed_by_id": other_partner,
        "accepted_by_id": other_partner,
        "visibility": "shared",
        "assignment_id": ids["for_a"],
        "agreement_id": ids["agreement"],
        "completion_id": ids["completion"],
        "appointment_id": ids["done"],
        "note_id": ids["signed"],
        "version_id": ids["version"],
        "position": "2",
        "totp_secret": "JBSWY3DPEHPK3PXP",
        "password_hash": "x",
        "id": ids["foreign"],
    }
    for prefix in post.subforms:
        for name in ("id", "couple_id", "user_id", "role", "is_disabled", "position"):
            values[f"{prefix}-{name}"] = values[name]
    return {name: value for name, value in values.items() if name not in post.data}


def _day(offset: int = 0) -> str:
    return (clock.today() + timedelta(days=offset)).isoformat()


def _couple_form(names: tuple[str, str], emails: tuple[str, str]) -> dict[str, object]:
    data: dict[str, object] = {}
    for prefix, name, email in zip(("partner_a", "partner_b"), names, emails, strict=True):
        data.update(
            {
                f"{prefix}-name": name,
                f"{prefix}-pronouns": "",
                f"{prefix}-email": email,
                f"{prefix}-phone": "",
            }
        )
    data.update(
        {
            "presenting_concerns": "Arguing",
            "goals": "Calmer talks",
            "intake_date": _day(-10),
            "zip_code": "",
            "status": "active",
            "closed_on": "",
            "closing_reason": "",
        }
    )
    return data


def _note_form(note_id: int, **changes: object) -> dict[str, object]:
    note = db.session.get(ProgressNote, note_id)
    return {
        "version": str(note.version),
        "format": "dap",
        "data_section": "They talked.",
        "subjective": "",
        "objective": "",
        "assessment": "Calmer.",
        "plan": "Keep going.",
        "interventions": "",
        "homework_reviewed": "",
        "risk_observed": "",
        "risk_details": "",
        **changes,
    }


def _exercise_form(title: str) -> dict[str, object]:
    return {
        "title": title,
        "area": "communication",
        "purpose": "Listen",
        "instructions": "Take turns.",
        "minutes": "10",
        "rhythm": "daily",
        "mode": "individual",
        "privacy_choice": "",
        "fields-0-label": "What I heard",
        "fields-0-type": "long_text",
        "fields-0-required": "y",
        "fields-0-options": "",
    }


def _measure_form(measure, **extra: object) -> dict[str, object]:
    return {**{item.key: str(item.options[1].score) for item in measure.items}, **extra}


def _passwords() -> dict[str, object]:
    return {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


Setup = Callable[["Context"], Post]


@dataclass
class Context:
    app: object
    client: object
    world: World

    @property
    def ids(self) -> dict[str, int]:
        return self.world.ids

    def url(self, endpoint: str, **values: object) -> str:
        return url(self.app, endpoint, **values)

    def sign_in(self, who: str) -> None:
        sign_in_directly(self.client, db.session.get(User, self.ids[who]))

    def session_of(self, who: str) -> int:
        return db.session.scalar(
            select(UserSession.id).where(
                UserSession.user_id == self.ids[who], UserSession.ended_at.is_(None)
            )
        )


CASES: dict[str, Setup] = {}


def case(name: str):
    def register(setup: Setup) -> Setup:
        CASES[name] = setup
        return setup

    return register


@case("couples.new_couple")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("couples.new_couple"),
        _couple_form(("Nia Brook", "Noah Brook"), ("nia@example.org", "noah@example.org")),
        subforms=("partner_a", "partner_b"),
        created={
            Couple: [{"counselor_id": c.ids[COUNSELOR], "status": CoupleStatus.ACTIVE}],
            Partner: [
                {"couple_id": New(Couple), "position": 1, "user_id": None},
                {"couple_id": New(Couple), "position": 2, "user_id": None},
            ],
        },
    )


@case("couples.edit_couple")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    emails = (c.world.emails["a"], c.world.emails["b"])
    return Post(
        COUNSELOR,
        c.url("couples.edit_couple", couple_id=c.ids["couple"]),
        _couple_form(("Ines Fox", "Omar Fox"), emails),
        subforms=("partner_a", "partner_b"),
    )


@case("couples.invite_partner")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    partner = c.ids["uninvited_1"]
    return Post(
        COUNSELOR,
        c.url("couples.invite_partner", couple_id=c.ids["uninvited"], partner_id=partner),
        {},
        changes={(Partner, "user_id"): {partner: New(User)}},
        created={
            User: [
                {
                    "role": Role.CLIENT,
                    "is_disabled": False,
                    "password_hash": None,
                    "totp_secret": None,
                }
            ],
            Invitation: [
                {
                    "user_id": New(User),
                    "created_by_id": c.ids[COUNSELOR],
                    "purpose": "invitation",
                }
            ],
        },
    )


@case("couples.end_portal_access")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url(
            "couples.end_portal_access", couple_id=c.ids["couple"], partner_id=c.ids["partner_b"]
        ),
        {},
        changes={(User, "is_disabled"): {c.ids[PARTNER_B]: True}},
    )


@case("appointments.new_appointment")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("appointments.new_appointment", couple_id=c.ids["couple"]),
        {
            "day": _day(3),
            "start_time": "10:00",
            "duration_minutes": "50",
            "format": "in_person",
            "place": "Room 9",
            "individual_partner_id": "",
        },
        created={
            Appointment: [
                {
                    "couple_id": c.ids["couple"],
                    "created_by_id": c.ids[COUNSELOR],
                    "individual_partner_id": None,
                    "attendance": None,
                    "attending_partner_id": None,
                }
            ]
        },
    )


@case("appointments.record_attendance")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    bare = c.ids["bare"]
    return Post(
        COUNSELOR,
        c.url("appointments.record_attendance", appointment_id=bare),
        {"attendance": "both", "attending_partner_id": ""},
        changes={(Appointment, "attendance"): {bare: Attendance.BOTH}},
    )


@case("appointments.start_note")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("appointments.start_note", appointment_id=c.ids["bare"]),
        {"format": "dap"},
        status_value="signed",
        created={
            ProgressNote: [
                {
                    "appointment_id": c.ids["bare"],
                    "couple_id": c.ids["couple"],
                    "author_id": c.ids[COUNSELOR],
                    "status": NoteStatus.DRAFT,
                    "signed_by_id": None,
                }
            ]
        },
    )


@case("appointments.edit_note (save)")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    note = c.ids["draft"]
    return Post(
        COUNSELOR,
        c.url("appointments.edit_note", note_id=note),
        _note_form(note, save="1"),
        status_value="signed",
        created={
            NoteVersion: [{"note_id": note, "saved_by_id": c.ids[COUNSELOR], "signed": False}]
        },
    )


@case("appointments.edit_note (sign)")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    note = c.ids["draft"]
    return Post(
        COUNSELOR,
        c.url("appointments.edit_note", note_id=note),
        _note_form(note, sign="1"),
        status_value="draft",
        changes={
            (ProgressNote, "status"): {note: NoteStatus.SIGNED},
            (ProgressNote, "signed_by_id"): {note: c.ids[COUNSELOR]},
        },
        created={NoteVersion: [{"note_id": note, "saved_by_id": c.ids[COUNSELOR], "signed": True}]},
    )


@case("appointments.add_addendum")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    note = c.ids["signed"]
    return Post(
        COUNSELOR,
        c.url("appointments.add_addendum", note_id=note),
        {"reason": "A detail", "body": "They also agreed on Sundays."},
        created={Addendum: [{"note_id": note, "signed_by_id": c.ids[COUNSELOR]}]},
    )


@case("appointments.enter_measure")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url(
            "appointments.enter_measure",
            couple_id=c.ids["couple"],
            measure_key="checkin",
            partner=c.ids["partner_a"],
        ),
        _measure_form(CHECKIN, taken_on=_day()),
        created={
            MeasureResponse: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": c.ids["partner_a"],
                    "entered_by_id": c.ids[COUNSELOR],
                }
            ]
        },
    )


@case("safety.follow_up")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    screen = c.ids["screen"]
    couple = db.session.get(Couple, c.ids["couple"])
    note = individual_note(couple, db.session.get(Partner, c.ids["partner_a"]))
    form = {f"risk_{key}": value for key, value in RISK_REVIEW.items()}
    form.update(note_id=str(note.id), decision="continue", reason="Talked alone; safe.")
    return Post(
        COUNSELOR,
        c.url("safety.follow_up", couple_id=c.ids["couple"], screen_id=screen),
        form,
        changes={
            (SafetyScreen, "reviewed_by_id"): {screen: c.ids[COUNSELOR]},
        },
        created={
            SafetyFollowUp: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": c.ids["partner_a"],
                    "screen_id": screen,
                    "note_id": note.id,
                    "decided_by_id": c.ids[COUNSELOR],
                }
            ]
        },
    )


@case("safety.resume")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    screen = SafetyScreen(
        couple_id=c.ids["couple"],
        partner_id=c.ids["partner_b"],
        answers={"humiliated": 0, "afraid": 1, "raped": 0, "kicked": 0},
        positive=True,
    )
    db.session.add(screen)
    db.session.flush()
    paused = follow_up(screen, decision="pause")
    return Post(
        COUNSELOR,
        c.url("safety.resume", couple_id=c.ids["couple"], follow_up_id=paused.id),
        {"reason": "Both feel safe; joint sessions again."},
    )


@case("exercises.new_exercise")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("exercises.new_exercise"),
        _exercise_form("Evening listening"),
        created={
            Exercise: [{"owner_id": c.ids[COUNSELOR], "shared": False}],
            ExerciseVersion: [{"exercise_id": New(Exercise), "created_by_id": c.ids[COUNSELOR]}],
        },
    )


@case("exercises.edit_exercise")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    exercise = c.ids["exercise"]
    return Post(
        COUNSELOR,
        c.url("exercises.edit_exercise", exercise_id=exercise),
        _exercise_form("Letters, second version"),
        created={ExerciseVersion: [{"exercise_id": exercise, "created_by_id": c.ids[COUNSELOR]}]},
    )


@case("homework.new_assignment")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("homework.new_assignment", couple_id=c.ids["couple"]),
        {
            "exercise_id": str(c.ids["exercise"]),
            "partner_id": "",
            "start_on": _day(),
            "due_on": _day(6),
            "rhythm": "daily",
            "times_per_week": "",
            "note": "Try it after dinner.",
        },
        created={
            Assignment: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": None,
                    "version_id": c.ids["version"],
                    "created_by_id": c.ids[COUNSELOR],
                }
            ]
        },
    )


@case("homework.close_assignment")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(COUNSELOR, c.url("homework.close_assignment", assignment_id=c.ids["together"]), {})


@case("homework.add_feedback")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    completion = c.ids["completion"]
    return Post(
        COUNSELOR,
        c.url("homework.add_feedback", completion_id=completion),
        {"body": "Well heard."},
        created={Feedback: [{"completion_id": completion, "author_id": c.ids[COUNSELOR]}]},
    )


@case("referrals.new_referral")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("referrals.new_referral", couple_id=c.ids["couple"], service=c.world.service),
        {"partner_id": "", "reason": "Evening groups", "shared": ""},
        status_value="completed",
        created={
            Referral: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": None,
                    "shared": False,
                    "status": ReferralStatus.SUGGESTED,
                    "created_by_id": c.ids[COUNSELOR],
                }
            ],
            ReferralEvent: [
                {
                    "referral_id": New(Referral),
                    "status": ReferralStatus.SUGGESTED,
                    "actor_id": c.ids[COUNSELOR],
                }
            ],
        },
    )


@case("referrals.referral")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    referral = c.ids["unshared_referral"]
    return Post(
        COUNSELOR,
        c.url("referrals.referral", referral_id=referral),
        {"status": "contacted", "note": ""},
        changes={(Referral, "status"): {referral: ReferralStatus.CONTACTED}},
        created={
            ReferralEvent: [
                {
                    "referral_id": referral,
                    "status": ReferralStatus.CONTACTED,
                    "actor_id": c.ids[COUNSELOR],
                }
            ]
        },
    )


def _profile(c: Context, who: str) -> Post:
    c.sign_in(who)
    return Post(
        who,
        c.url("accounts.profile"),
        {"current": PASSWORD, **_passwords()},
        changes={(User, "password_hash"): {c.ids[who]: ANY}},
    )


@case("accounts.profile (counselor)")
def _(c: Context) -> Post:
    return _profile(c, COUNSELOR)


@case("accounts.profile (partner)")
def _(c: Context) -> Post:
    return _profile(c, PARTNER_A)


@case("accounts.account_second_factor")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    c.client.get(c.url("accounts.account_second_factor"))  # the key waits in the session
    with c.client.session_transaction() as session:
        secret = session["two_factor_setup_key"]
    code = pyotp.TOTP(secret).at(clock.now())
    return Post(
        COUNSELOR,
        c.url("accounts.account_second_factor"),
        {"code": code},
        changes={(User, "totp_secret"): {c.ids[COUNSELOR]: secret}},
    )


@case("accounts.turn_off_second_factor")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    return Post(
        PARTNER_A,
        c.url("accounts.turn_off_second_factor"),
        {},
        changes={
            (User, "totp_secret"): {c.ids[PARTNER_A]: None},
            (UserSession, "ended_at"): {c.session_of(PARTNER_A): ANY},
        },
    )


@case("accounts.sign_out")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("accounts.sign_out"),
        {},
        changes={(UserSession, "ended_at"): {c.session_of(COUNSELOR): ANY}},
    )


@case("accounts.sign_out_everywhere")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    return Post(
        COUNSELOR,
        c.url("accounts.sign_out_everywhere"),
        {},
        changes={(UserSession, "ended_at"): {c.session_of(COUNSELOR): ANY}},
    )


@case("accounts.sign_in")
def _(c: Context) -> Post:
    return Post(
        ANON,
        c.url("accounts.sign_in"),
        {"email": c.world.emails["b"], "password": PASSWORD},
        created={UserSession: [{"user_id": c.ids[PARTNER_B], "ended_at": None}]},
    )


@case("accounts.second_factor")
def _(c: Context) -> Post:
    """The code step after the password, for a counselor with two-factor sign-in on."""
    c.client.post(
        c.url("accounts.sign_in"), data={"email": c.world.emails["other"], "password": PASSWORD}
    )
    return Post(
        ANON,
        c.url("accounts.second_factor"),
        {"code": pyotp.TOTP(c.world.other_secret).at(clock.now())},
        created={UserSession: [{"user_id": c.ids["other"], "ended_at": None}]},
    )


@case("accounts.set_up_second_factor")
def _(c: Context) -> Post:
    """Setting up two-factor sign-in at the first sign-in that requires it."""
    c.app.config["PRACTICE_REQUIRE_TWO_FACTOR"] = True  # put back by the test
    c.client.post(
        c.url("accounts.sign_in"), data={"email": c.world.emails[COUNSELOR], "password": PASSWORD}
    )
    c.client.get(c.url("accounts.set_up_second_factor"))
    with c.client.session_transaction() as session:
        secret = session["two_factor_setup_key"]
    return Post(
        ANON,
        c.url("accounts.set_up_second_factor"),
        {"code": pyotp.TOTP(secret).at(clock.now())},
        changes={(User, "totp_secret"): {c.ids[COUNSELOR]: secret}},
        created={UserSession: [{"user_id": c.ids[COUNSELOR], "ended_at": None}]},
    )


@case("accounts.accept_invitation")
def _(c: Context) -> Post:
    partner = db.session.get(Partner, c.ids["uninvited_2"])
    counselor = db.session.get(User, c.ids[COUNSELOR])
    issued = couples.invite_partner(partner, counselor, timedelta(hours=1))
    invitee = issued.invitation.user_id
    return Post(
        ANON,
        c.url("accounts.accept_invitation", token=issued.token),
        _passwords(),
        changes={(User, "password_hash"): {invitee: ANY}},
        created={UserSession: [{"user_id": invitee, "ended_at": None}]},
    )


@case("accounts.reset_password")
def _(c: Context) -> Post:
    tokens: list[str] = []
    invitations.request_reset(db.session.get(User, c.ids[PARTNER_B]), tokens.append)
    return Post(
        ANON,
        c.url("accounts.reset_password", token=tokens[0]),
        _passwords(),
        changes={(User, "password_hash"): {c.ids[PARTNER_B]: ANY}},
        created={UserSession: [{"user_id": c.ids[PARTNER_B], "ended_at": None}]},
    )


@case("accounts.forgot_password")
def _(c: Context) -> Post:
    return Post(
        ANON,
        c.url("accounts.forgot_password"),
        {"email": c.world.emails["b"]},
        created={
            Invitation: [{"user_id": c.ids[PARTNER_B], "created_by_id": None, "purpose": "reset"}]
        },
    )


def _answers(**extra: object) -> dict[str, object]:
    return {"f_heard": "I heard you", "f_connected": "6", "f_confirmed": "yes", **extra}


@case("homework.answer (draft)")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    assignment = c.ids["together"]
    return Post(
        PARTNER_A,
        c.url("homework.answer", assignment_id=assignment),
        _answers(visibility="counselor", save="1"),
        status_value="submitted",
        created={
            Completion: [
                {
                    "assignment_id": assignment,
                    "partner_id": c.ids["partner_a"],
                    "status": CompletionStatus.DRAFT,
                    "visibility": Visibility.COUNSELOR,
                }
            ]
        },
    )


@case("homework.answer (send, given to one partner)")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    assignment = c.ids["for_a"]
    return Post(
        PARTNER_A,
        c.url("homework.answer", assignment_id=assignment),
        _answers(submit="1"),
        status_value="draft",
        created={
            Completion: [
                {
                    "assignment_id": assignment,
                    "partner_id": c.ids["partner_a"],
                    "status": CompletionStatus.SUBMITTED,
                    "visibility": Visibility.COUNSELOR,
                }
            ]
        },
    )


@case("measures.portal_answer")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    return Post(
        PARTNER_A,
        c.url("measures.portal_answer", measure_key="checkin"),
        _measure_form(CHECKIN),
        created={
            MeasureResponse: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": c.ids["partner_a"],
                    "entered_by_id": c.ids[PARTNER_A],
                }
            ]
        },
    )


@case("measures.safety_check")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    return Post(
        PARTNER_A,
        c.url("measures.safety_check"),
        _measure_form(HARK),
        created={
            SafetyScreen: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": c.ids["partner_a"],
                    "reviewed_by_id": None,
                }
            ]
        },
    )


@case("intake.portal_intake")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    form = {
        "reason": "improve",
        "what_brings": "Words of our own.",
        "hopes": "Calmer evenings.",
        "stressors": "money",
        "prior": "none",
    }
    return Post(
        PARTNER_A,
        c.url("intake.portal_intake"),
        form,
        created={Intake: [{"couple_id": c.ids["couple"], "partner_id": c.ids["partner_a"]}]},
    )


@case("consent.sign_consent")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    version = consent.current_or_default()
    form = {
        "number": str(version.number),
        "sha256": version.sha256,
        "typed_name": db.session.get(Partner, c.ids["partner_a"]).name,
        "agree": "y",
    }
    return Post(
        PARTNER_A,
        c.url("consent.sign_consent"),
        form,
        created={
            ConsentVersion: [{"created_by_id": None, "number": 1}],
            ConsentSignature: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": c.ids["partner_a"],
                    "version_id": New(ConsentVersion),
                }
            ],
        },
    )


def _plan(c: Context) -> PlanVersion:
    couple = db.session.get(Couple, c.ids["couple"])
    goal = {
        "partner_id": None,
        "title": "Calmer evenings",
        "objectives": [{"kind": "own_words", "text": "Two calm talks", "target_on": "2099-01-01"}],
    }
    return plans.save_plan(couple, [goal], clock.today(), couple.counselor)


@case("plans.edit_plan")
def _(c: Context) -> Post:
    c.sign_in(COUNSELOR)
    form = {
        "review_on": clock.today().isoformat(),
        "goals-0-title": "Calmer evenings",
        "goals-0-for_whom": "",
        "goals-0-objectives-0-kind": "agreement",
        "goals-0-objectives-0-agreement": "pause",
    }
    return Post(
        COUNSELOR,
        c.url("plans.edit_plan", couple_id=c.ids["couple"]),
        form,
        created={
            TreatmentPlan: [{"couple_id": c.ids["couple"]}],
            PlanVersion: [
                {"plan_id": New(TreatmentPlan), "number": 1, "written_by_id": c.ids[COUNSELOR]}
            ],
        },
    )


@case("plans.objective_met")
def _(c: Context) -> Post:
    version = _plan(c)
    c.sign_in(COUNSELOR)
    key = version.goals[0]["objectives"][0]["key"]
    return Post(
        COUNSELOR,
        c.url("plans.objective_met", couple_id=c.ids["couple"], key=key),
        {},
        created={ObjectiveMet: [{"plan_id": version.plan_id, "recorded_by_id": c.ids[COUNSELOR]}]},
    )


@case("plans.portal_plan")
def _(c: Context) -> Post:
    version = _plan(c)
    c.sign_in(PARTNER_A)
    return Post(
        PARTNER_A,
        c.url("plans.portal_plan"),
        {"shown": shown_fingerprint(version.goals_for(c.ids["partner_a"]))},
        created={
            PlanAcknowledgement: [
                {
                    "plan_id": version.plan_id,
                    "partner_id": c.ids["partner_a"],
                    "version_id": version.id,
                }
            ]
        },
    )


@case("measures.contact_preference")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    return Post(
        PARTNER_A,
        c.url("measures.contact_preference"),
        {"email_ok": "no", "phone_ok": "yes", "safe_times": "Mornings"},
        created={
            ContactPreference: [{"couple_id": c.ids["couple"], "partner_id": c.ids["partner_a"]}]
        },
    )


@case("measures.safety_plan")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    return Post(
        PARTNER_A,
        c.url("measures.safety_plan"),
        {"warning_signs": "Raised voice", "people": "A friend"},
        created={SafetyPlan: [{"couple_id": c.ids["couple"], "partner_id": c.ids["partner_a"]}]},
    )


@case("feedback.rate")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    couple = db.session.get(Couple, c.ids["couple"])
    attended = AppointmentFactory(
        couple=couple,
        starts_at=clock.now().replace(microsecond=0) - timedelta(hours=2),
        attendance=Attendance.BOTH,
    )
    return Post(
        PARTNER_A,
        c.url("feedback.rate", appointment_id=attended.id),
        {"heard": "8", "mattered": "7", "fits": "9", "overall": "8"},
        created={
            SessionRating: [
                {
                    "couple_id": c.ids["couple"],
                    "partner_id": c.ids["partner_a"],
                    "appointment_id": attended.id,
                }
            ]
        },
    )


@case("referrals.mark_contacted")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_A)
    referral = c.ids["shared_referral"]
    return Post(
        PARTNER_A,
        c.url("referrals.mark_contacted", referral_id=referral),
        {},
        status_value="completed",
        changes={(Referral, "status"): {referral: ReferralStatus.CONTACTED}},
        created={
            ReferralEvent: [
                {
                    "referral_id": referral,
                    "status": ReferralStatus.CONTACTED,
                    "actor_id": c.ids[PARTNER_A],
                }
            ]
        },
    )


@case("agreements.accept_agreement")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_B)
    agreement = c.ids["agreement"]
    return Post(
        PARTNER_B,
        c.url("agreements.accept_agreement", agreement_id=agreement),
        {},
        status_value="proposed",
        changes={
            (Agreement, "status"): {agreement: AgreementStatus.IN_FORCE},
            (AgreementVersion, "accepted_by_id"): {c.ids["agreement_v1"]: c.ids["partner_b"]},
        },
    )


@case("agreements.amend_agreement")
def _(c: Context) -> Post:
    c.sign_in(PARTNER_B)
    agreement = c.ids["agreement"]
    return Post(
        PARTNER_B,
        c.url("agreements.amend_agreement", agreement_id=agreement),
        {"f_signal": "both hands up"},
        status_value="in_force",
        created={
            AgreementVersion: [
                {
                    "agreement_id": agreement,
                    "proposed_by_id": c.ids["partner_b"],
                    "accepted_by_id": None,
                }
            ]
        },
    )


# --- the check ------------------------------------------------------------------------------


Snapshot = dict[type, dict[int, tuple[object, ...]]]


def _snapshot() -> Snapshot:
    taken: Snapshot = {}
    for model, columns in PROTECTED.items():
        rows = db.session.execute(select(model.id, *(getattr(model, c) for c in columns)))
        taken[model] = {row[0]: tuple(row[1:]) for row in rows}
    return taken


def _differences(before: Snapshot, after: Snapshot):
    changes: dict[tuple[type, str], dict[int, object]] = {}
    created: dict[type, list[dict[str, object]]] = {}
    for model, columns in PROTECTED.items():
        for row_id, values in sorted(after[model].items()):
            if row_id not in before[model]:
                created.setdefault(model, []).append(dict(zip(columns, values, strict=True)))
                continue
            for column, old, new in zip(columns, before[model][row_id], values, strict=True):
                if old != new:
                    changes.setdefault((model, column), {})[row_id] = new
        gone = set(before[model]) - set(after[model])
        for row_id in gone:
            changes.setdefault((model, "(deleted)"), {})[row_id] = None
    new_ids = {model: [i for i in after[model] if i not in before[model]] for model in PROTECTED}
    return changes, created, new_ids


def _resolve(value: object, new_ids: dict[type, list[int]]) -> object:
    if isinstance(value, New):
        made = new_ids[value.model]
        return made[0] if len(made) == 1 else f"one new {value.model.__name__} (made {made})"
    if isinstance(value, dict):
        return {_resolve(k, new_ids): _resolve(v, new_ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, new_ids) for v in value]
    return value


def _named(table: dict) -> dict:
    return {
        (f"{key[0].__name__}.{key[1]}" if isinstance(key, tuple) else key.__name__): value
        for key, value in table.items()
    }


@pytest.fixture
def settings(app):
    """Mail on (messages wait in the outbox, nothing is sent), so that the forgotten-password
    form does its work; the settings a case changes (two-factor required) are put back."""
    saved = {key: app.config.get(key) for key in ("SMTP_HOST", "PRACTICE_REQUIRE_TWO_FACTOR")}
    app.config["SMTP_HOST"] = "mail.practice.invalid"
    yield
    app.config.update(saved)


@pytest.mark.parametrize("name", sorted(CASES))
def test_extra_fields_change_no_protected_column(app, client, world, settings, name):
    post = CASES[name](Context(app, client, world))
    extras = _hostile(world, post)
    assert len(extras) >= 20
    before = _snapshot()
    response = client.post(post.url, data={**extras, **post.data})
    assert response.status_code == post.status, f"{name}: the valid post was not accepted"
    changes, created, new_ids = _differences(before, _snapshot())
    expected_changes = _resolve(post.changes, new_ids)
    expected_created = _resolve(post.created, new_ids)
    assert _named(changes) == _named(expected_changes), f"{name}: protected columns changed"
    assert _named(created) == _named(expected_created), f"{name}: new rows carry others' values"


def test_every_form_is_posted(app):
    """Each route a counselor, partner or visitor can post to has a case above."""
    staff_or_client = {Audience.PUBLIC, Audience.SIGNED_IN, Audience.STAFF, Audience.COUNSELOR}
    staff_or_client |= {Audience.CLIENT}
    posted = {name.split(" ")[0] for name in CASES}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        if audience_of(app, rule.endpoint) in staff_or_client:
            assert rule.endpoint in posted, f"{rule.endpoint}: no extra-field case"
