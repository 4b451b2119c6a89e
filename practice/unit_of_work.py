"""One transaction per request, closed in one place.

A view parses its form, loads what it needs and calls a service; services change the models
and flush, and never commit. When the view has answered, the request's changes are committed
if the answer is a success (below 400) and rolled back otherwise, so an error page never
leaves half a change behind. A change a person may not make raises ``UserError``; ``attempt``
turns it into a message beside the form field it concerns (or a flashed one) and undoes what
was done so far. (The note editor alone undoes by hand: a conflict or a lock shows a page of its
own, with the editor's text kept.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import Flask, Response, flash, render_template
from flask import session as flask_session
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from practice import db, logs
from practice.audit import services as audit

T = TypeVar("T")


class UserError(ValueError):
    """A change that cannot be made; the message is safe to show, beside ``field`` if named."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What ``attempt`` gives back: the service's result, or the error it was refused with."""

    value: T | None = None
    error: UserError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def attempt(
    change: Callable[[], T],
    *,
    form: FlaskForm | None = None,
    field: str | None = None,
    field_prefix: str = "",
    flash_category: str = "danger",
) -> Outcome[T]:
    """Run a service call; if it is refused, undo it and say why.

    The message goes beside the form field the error names (its name after ``field_prefix``),
    else beside ``field``, else it is flashed.
    """
    try:
        return Outcome(value=change())
    except UserError as error:
        db.session.rollback()
        target = _field(form, field_prefix + error.field if error.field else None) or _field(
            form, field
        )
        if target is not None:
            target.errors = [*target.errors, str(error)]
        else:
            flash(str(error), flash_category)
        return Outcome(error=error)


def _field(form: FlaskForm | None, name: str | None):
    if form is None or name is None:
        return None
    return form._fields.get(name)


def finish_reading() -> None:
    """End the request's transaction before slow work that needs no database (rendering a
    PDF), so that no lock is held meanwhile; what the request writes afterwards (the record of
    the report) is committed at its end as usual."""
    db.done_reading()
    _commit(db.session)


def _commit(session: Session) -> None:
    """Commit; a reading page's transaction takes the write lock only if it has something to
    write (see db.prepare_to_write)."""
    if session.new or session.dirty or session.deleted or audit.has_pending(session):
        db.prepare_to_write(session)
    session.commit()


def init_app(app: Flask) -> None:
    @app.after_request
    def finish(response: Response) -> Response:
        session = db.open_session()
        if session is None:
            return response
        db.done_reading()
        if response.status_code >= 400:
            # Undo the changes, but keep the record that a page of client data was read.
            reads = audit.keep_reads_through_rollback(session)
            session.rollback()
            if reads:
                audit.note_reads(session, reads)
                session.commit()
            return response
        try:
            _commit(session)
        except Exception as error:  # the database refused the request's changes as a whole
            session.rollback()
            logs.log_error(app.logger, error)
            # Nothing the view announced ("Changes saved.") has happened: say nothing of it.
            flask_session.pop("_flashes", None)
            return Response(render_template("errors/error.html", code=500, reason=None), status=500)
        return response
