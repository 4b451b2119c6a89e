"""Import every area's models, so the metadata (and Alembic) sees all tables."""

from practice.accounts.models import Invitation, RecoveryCode, Role, User, UserSession
from practice.agreements.models import Agreement, AgreementVersion
from practice.appointments.models import Addendum, Appointment, NoteVersion, ProgressNote
from practice.audit.models import AuditEntry
from practice.consent.models import ConsentSignature, ConsentVersion
from practice.couples.models import CaseEvent, Couple, CoupleStatus, Partner
from practice.directory.models import (
    DirectoryLocation,
    DirectoryRecord,
    DirectoryService,
    DirectoryServiceCategory,
    DirectoryServiceLanguage,
)
from practice.exercises.models import Exercise, ExerciseVersion
from practice.feedback.models import SessionRating
from practice.homework.models import Assignment, Completion, Feedback, ReminderSent
from practice.intake.models import Intake
from practice.measures.models import (
    ContactPreference,
    MeasureResponse,
    SafetyFollowUp,
    SafetyPlan,
    SafetyScreen,
)
from practice.outbox.models import OutboxMessage
from practice.plans.models import (
    ObjectiveMet,
    PlanAcknowledgement,
    PlanVersion,
    TreatmentPlan,
)
from practice.referrals.models import Referral, ReferralEvent
from practice.reporting.models import GeneratedReport

__all__ = [
    "Addendum",
    "Agreement",
    "AgreementVersion",
    "Appointment",
    "Assignment",
    "AuditEntry",
    "CaseEvent",
    "Completion",
    "ConsentSignature",
    "ConsentVersion",
    "ContactPreference",
    "Couple",
    "CoupleStatus",
    "DirectoryLocation",
    "DirectoryRecord",
    "DirectoryService",
    "DirectoryServiceCategory",
    "DirectoryServiceLanguage",
    "Exercise",
    "ExerciseVersion",
    "Feedback",
    "GeneratedReport",
    "Intake",
    "Invitation",
    "MeasureResponse",
    "NoteVersion",
    "ObjectiveMet",
    "OutboxMessage",
    "Partner",
    "PlanAcknowledgement",
    "PlanVersion",
    "ProgressNote",
    "RecoveryCode",
    "Referral",
    "ReferralEvent",
    "ReminderSent",
    "Role",
    "SafetyFollowUp",
    "SafetyPlan",
    "SafetyScreen",
    "SessionRating",
    "TreatmentPlan",
    "User",
    "UserSession",
]
