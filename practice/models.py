"""Import every area's models, so the metadata (and Alembic) sees all tables."""

from practice.accounts.models import Invitation, Role, User, UserSession
from practice.audit.models import AuditEntry
from practice.couples.models import Couple, CoupleStatus, Partner

__all__ = [
    "AuditEntry",
    "Couple",
    "CoupleStatus",
    "Invitation",
    "Partner",
    "Role",
    "User",
    "UserSession",
]
