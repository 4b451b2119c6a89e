from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user

from practice import db
from practice.access import Audience, Permission, allow
from practice.appointments.policy import load_note_or_404
from practice.reporting import services

bp = Blueprint("reports", __name__)


def _pdf_response(report: services.Report) -> Response:
    return Response(
        report.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
    )


@bp.route("/notes/<id:note_id>/pdf")
@allow(Audience.COUNSELOR)
def note_pdf(note_id: int):
    """Download a signed note as a PDF."""
    note = load_note_or_404(note_id, Permission.NOTE_READ)
    if not note.is_signed:
        abort(404)
    context, filename = services.note_context(note), services.note_filename(note)
    # The data is read; end the transaction before the slow part, so no lock is held
    # while WeasyPrint works.
    db.session.commit()
    report = services.build("note", filename, context)
    services.record(report, current_user, note_id)
    db.session.commit()
    return _pdf_response(report)
