"""Import every area's models, so the metadata (and Alembic) sees all tables."""

from practice.accounts.models import Invitation, Role, User, UserSession
from practice.appointments.models import Addendum, Appointment, NoteVersion, ProgressNote
from practice.audit.models import AuditEntry
from practice.couples.models import Couple, CoupleStatus, Partner
from practice.measures.models import MeasureResponse, SafetyScreen

__all__ = [
    "Addendum",
    "Appointment",
    "AuditEntry",
    "Couple",
    "CoupleStatus",
    "Invitation",
    "MeasureResponse",
    "NoteVersion",
    "Partner",
    "ProgressNote",
    "Role",
    "SafetyScreen",
    "User",
    "UserSession",
]
