from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.accounts.models import User
from practice.couples.models import Couple, Partner
from practice.crypto import EncryptedJSON, EncryptedText
from practice.db import Base, UTCDateTime, enum_by_value

MAX_APPOINTMENT_MINUTES = 240  # the form refuses longer ones; the clash check relies on it


class AppointmentFormat(enum.Enum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"in_person": "In person", "video": "Video", "phone": "Phone"}[self.value]


class Attendance(enum.Enum):
    BOTH = "both"
    ONE_PARTNER = "one_partner"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {
            "both": "Both partners attended",
            "one_partner": "One partner attended",
            "cancelled": "Cancelled",
            "no_show": "No-show",
        }[self.value]


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[AppointmentFormat] = mapped_column(enum_by_value(AppointmentFormat))
    place: Mapped[str] = mapped_column(String(200), default="")
    # An individual appointment with one partner (for example after a positive safety check).
    individual_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    attendance: Mapped[Attendance | None] = mapped_column(enum_by_value(Attendance))
    attending_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    couple: Mapped[Couple] = relationship()
    individual_partner: Mapped[Partner | None] = relationship(foreign_keys=[individual_partner_id])
    attending_partner: Mapped[Partner | None] = relationship(foreign_keys=[attending_partner_id])
    note: Mapped[ProgressNote | None] = relationship(back_populates="appointment", uselist=False)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def attendance_label(self) -> str:
        if self.attendance is Attendance.ONE_PARTNER and self.attending_partner is not None:
            return f"Only {self.attending_partner.name} attended"
        return self.attendance.label if self.attendance else "Not recorded"


class NoteFormat(enum.Enum):
    DAP = "dap"
    SOAP = "soap"

    @property
    def label(self) -> str:
        return self.value.upper()


class NoteStatus(enum.Enum):
    DRAFT = "draft"
    SIGNED = "signed"


# The written sections of each format, in order. Text left in the other format's sections is
# dropped when a note is saved, so that nothing hidden is ever signed.
FORMAT_SECTIONS = {
    NoteFormat.DAP: ("data_section", "assessment", "plan"),
    NoteFormat.SOAP: ("subjective", "objective", "assessment", "plan"),
}
SECTION_LABELS = {
    "data_section": "Data",
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}


def note_sections(note_format: NoteFormat | str) -> list[tuple[str, str]]:
    """The sections a note of this format shows, as (field, label), in order."""
    return [(name, SECTION_LABELS[name]) for name in FORMAT_SECTIONS[NoteFormat(note_format)]]


# The fields that make up a note's content, in the order they are hashed and shown.
NOTE_CONTENT_FIELDS = (
    "format",
    "data_section",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "areas",
    "interventions",
    "homework_reviewed",
    "risk_observed",
    "risk_details",
    "plan_goals",
)


class ProgressNote(Base):
    """The counselor's note of one appointment: a draft until signed, then locked for good."""

    __tablename__ = "progress_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), unique=True
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    format: Mapped[NoteFormat] = mapped_column(enum_by_value(NoteFormat), default=NoteFormat.DAP)
    data_section: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    subjective: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    objective: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    assessment: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    plan: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    interventions: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    homework_reviewed: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    risk_observed: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_details: Mapped[str] = mapped_column(EncryptedText("note"), default="")
    # The plan goals worked on, as [{"key", "title"}] at the time of writing.
    plan_goals: Mapped[list[dict[str, str]] | None] = mapped_column(EncryptedJSON("note"))
    # active_history: the lock below must know the stored status even when it is overwritten.
    status: Mapped[NoteStatus] = mapped_column(
        enum_by_value(NoteStatus), default=NoteStatus.DRAFT, active_history=True
    )
    # Bumped on every save; a save based on an older number is a conflict, never an overwrite.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}

    appointment: Mapped[Appointment] = relationship(back_populates="note")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    addenda: Mapped[list[Addendum]] = relationship(
        back_populates="note", order_by="Addendum.signed_at, Addendum.id"
    )
    versions: Mapped[list[NoteVersion]] = relationship(
        back_populates="note", order_by="NoteVersion.number"
    )

    @property
    def is_signed(self) -> bool:
        return self.status is NoteStatus.SIGNED

    def content(self) -> dict[str, object]:
        values = {name: getattr(self, name) for name in NOTE_CONTENT_FIELDS}
        values["format"] = self.format.value
        if not values["plan_goals"]:
            # Notes signed before plans existed keep the exact content (and hash) they had.
            del values["plan_goals"]
        return values


class NoteVersion(Base):
    """A saved state of a note: every draft save and the signed text are all kept."""

    __tablename__ = "note_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("progress_notes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, object]] = mapped_column(EncryptedJSON("note_version"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed: Mapped[bool] = mapped_column(Boolean, default=False)

    note: Mapped[ProgressNote] = relationship(back_populates="versions")
    saved_by: Mapped[User] = relationship()


class Addendum(Base):
    """A signed correction or addition to a signed note; it never changes the note itself."""

    __tablename__ = "addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("progress_notes.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(EncryptedText("addendum"))
    body: Mapped[str] = mapped_column(EncryptedText("addendum"))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    content_hash: Mapped[str] = mapped_column(String(64))

    note: Mapped[ProgressNote] = relationship(back_populates="addenda")
    signed_by: Mapped[User] = relationship()
