"""Logs an operator can read without reading a client's words.

Access logs show the method, the path and the status only: no query string (search words,
partner names), no referrer, and no secret that travels in a path (sign-in links). Errors are
logged with their traceback and the kinds of exception, never their messages, which may quote
what a person typed (a database error quotes the values it refused).
"""

from __future__ import annotations

import logging
import re
import traceback

from flask import has_request_context, request
from gunicorn.glogging import Logger as GunicornLogger
from werkzeug.serving import WSGIRequestHandler

# Paths whose next part is a secret (a single-use sign-in or password link).
_SECRET_PATHS = re.compile(r"^(?P<prefix>/invitation/|/password/reset/)[^/]+")
REDACTED = "[hidden]"


def redact_path(path: str) -> str:
    """A request path fit for a log: the query string dropped, secrets hidden."""
    path = path.split("?", 1)[0]
    return _SECRET_PATHS.sub(lambda match: match["prefix"] + REDACTED, path)


def describe_error(error: BaseException) -> str:
    """Where an error happened and what kind it was, without its message."""
    kinds = []
    cause: BaseException | None = error
    while cause is not None and len(kinds) < 5:
        kinds.append(f"{type(cause).__module__}.{type(cause).__qualname__}")
        cause = cause.__cause__ or cause.__context__
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{' caused by '.join(kinds)}\n{frames}".rstrip()


def log_error(logger: logging.Logger, error: BaseException) -> None:
    """Log an unexpected error of the current request: where, what kind, and the traceback."""
    logger.error(
        "unhandled error on %s %s: %s",
        request.method if has_request_context() else "-",
        redact_path(request.path) if has_request_context() else "-",
        describe_error(error),
    )


class AccessLogger(GunicornLogger):
    """gunicorn's logger, with paths redacted (used by `practice serve`)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = atoms["f"] = "-"
        return atoms


ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


class DevRequestHandler(WSGIRequestHandler):
    """The development server's request log (`practice demo`), with paths redacted, and a
    Server header that names no software version."""

    def version_string(self) -> str:
        return "Practice"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        method = getattr(self, "command", "-")  # unset when the request line was garbage
        path = redact_path(getattr(self, "path", "") or "")
        version = getattr(self, "request_version", "-")
        self.log("info", '"%s %s %s" %s %s', method, path, version, code, size)


def quiet_libraries() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
