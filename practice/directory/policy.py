"""Directory services are for all staff to read; inactive ones only for admins."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from practice.access import Role
from practice.directory.editing import form_data
from practice.directory.models import DirectoryService
from practice.directory.search import service_by_hsds_id

HSDS_ID_LENGTH = 36  # a UUID; anything longer is not an id


def load_service_or_404(hsds_id: str) -> DirectoryService:
    """A service as staff see it. Admins keep the way back to one they made inactive."""
    service = service_by_hsds_id(hsds_id) if len(hsds_id) <= HSDS_ID_LENGTH else None
    if service is None or (service.status != "active" and current_user.role is not Role.ADMIN):
        abort(404)
    return service


def load_active_service_or_404(hsds_id: str) -> DirectoryService:
    """A service that can be referred to: in the directory and active."""
    service = service_by_hsds_id(hsds_id) if len(hsds_id) <= HSDS_ID_LENGTH else None
    if service is None or service.status != "active":
        abort(404)
    return service


def load_service_form_data_or_404(hsds_id: str) -> dict[str, Any]:
    """A service as the admin's edit form shows it, active or not (admin routes only)."""
    data = form_data(hsds_id) if len(hsds_id) <= HSDS_ID_LENGTH else None
    if data is None:
        abort(404)
    return data
