"""The application factory: settings, extensions, every blueprint, error pages, headers."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, render_template, request
from flask_bootstrap import Bootstrap5
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from practice import access, clock, crypto, db, logs, resources, unit_of_work
from practice.accounts import admin_views, profile_views, signin, throttle, two_factor_views  # noqa: F401 (routes on accounts_bp)
from practice.accounts.views import bp as accounts_bp
from practice.agreements.views import bp as agreements_bp
from practice.appointments.views import bp as appointments_bp
from practice.config import load_config
from practice.consent.views import bp as consent_bp
from practice.couples.views import bp as couples_bp
from practice.db import Database
from practice.directory.views import bp as directory_bp
from practice.exercises.fields import FIELD_TYPES
from practice.exercises.views import bp as exercises_bp
from practice.feedback.views import bp as feedback_bp
from practice.framework import AREAS
from practice.homework.views import bp as homework_bp
from practice.intake.views import bp as intake_bp
from practice.measures.services import endorsed_items
from practice.measures.views import bp as measures_bp
from practice.pages.views import bp as pages_bp
from practice.pages.views import portal as portal_bp
from practice.plans.views import bp as plans_bp
from practice.proxies import TrustedProxyFix
from practice.records.views import bp as records_bp
from practice.referrals.views import bp as referrals_bp
from practice.reporting.views import bp as reports_bp
from practice.safety.views import bp as safety_bp

csrf = CSRFProtect()
bootstrap = Bootstrap5()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class Practice(Flask):
    """Flask, logging the errors it catches itself as Practice logs its own: with where and
    what kind, never the message (which may quote what someone typed)."""

    def log_exception(self, exc_info) -> None:
        logs.log_error(self.logger, exc_info[1])


# The app uses none of these browser features; no page or injected script may either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "bluetooth",
        "display-capture",
        "interest-cohort",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings from the environment, overridden by ``config``."""
    app = Practice(
        __name__,
        template_folder=str(resources.templates()),
        instance_path=_instance_path(),
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if config and "PRACTICE_ENV" in config:
        env["PRACTICE_ENV"] = config["PRACTICE_ENV"]
    app.config.update(load_config(Path(app.instance_path), env))
    app.config.update(config or {})
    crypto.install(app.config["ENCRYPTION_KEYRING"])

    app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["PRACTICE_TRUSTED_PROXIES"])
    app.url_map.converters["id"] = RecordId
    Database(
        app.config["DATABASE_URL"],
        app.config["DATABASE_POOL_SIZE"],
        app.config["DATABASE_MAX_OVERFLOW"],
    ).init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    signin.init_app(app)
    clock.init_app(app)
    _register_blueprints(app)
    _register_health_check(app)
    access.init_app(app)
    unit_of_work.init_app(app)
    _register_error_pages(app)
    _register_security_headers(app)
    _refuse_nul_characters(app)
    app.jinja_env.globals["practice_env"] = app.config["PRACTICE_ENV"]
    app.jinja_env.globals["area_labels"] = {area.key: area.label for area in AREAS}
    app.jinja_env.globals["field_types"] = FIELD_TYPES
    app.jinja_env.globals["endorsed"] = endorsed_items
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logs.quiet_libraries()
    return app


def _instance_path() -> str:
    # Beside where the command runs (the repository, for the demo), never inside the package.
    return str(Path(os.environ.get("PRACTICE_INSTANCE_PATH") or "instance").resolve())


class RecordId(IntegerConverter):
    """A record id in a URL: a positive integer that fits the databases' integer columns."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def _refuse_nul_characters(app: Flask) -> None:
    # PostgreSQL cannot store NUL in text, and no person types one: refuse such requests whole.
    @app.before_request
    def refuse_nul() -> None:
        fields = [*request.args.lists(), *request.form.lists(), ("path", [request.path])]
        if any("\x00" in value for _name, values in fields for value in values):
            abort(400)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(accounts_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(couples_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(intake_bp)
    app.register_blueprint(consent_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(safety_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(exercises_bp)
    app.register_blueprint(homework_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(records_bp)
    throttle.init_app(app)  # wraps views, so it comes after the blueprints


def _register_health_check(app: Flask) -> None:
    # For a load balancer's check and as the ceiling of `practice bench`: the app answering
    # from its own process, without the database or a template. Checks come without a cookie,
    # so nobody's session is looked up either.
    @app.get("/healthz")
    @access.allow(access.Audience.PUBLIC)
    def healthz() -> Response:
        """Say that this process answers."""
        return Response("ok", mimetype="text/plain")


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        return render_template("errors/error.html", code=code, reason=None), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Logged for the operator (see logs.log_error); the browser gets a plain page.
        logs.log_error(app.logger, error)
        # The failed transaction must go before the page (which reads the user) is drawn.
        db.session.rollback()
        return render_template("errors/error.html", code=500, reason=None), 500


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config["SESSION_COOKIE_SECURE"]:
            # Served over https (behind a proxy): browsers keep to https from then on.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in access.STATIC_ENDPOINTS:
            # Pages carry client data: keep them out of shared and back-button caches.
            response.headers["Cache-Control"] = "no-store"
        return response
