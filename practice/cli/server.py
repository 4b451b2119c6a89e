"""Serving: the demo on this machine, and gunicorn in production."""

from __future__ import annotations

import runpy

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from rq import SimpleWorker

from practice import db, migrate
from practice import demo as demo_data
from practice.cli.context import make_app
from practice.logs import ACCESS_LOG_FORMAT, AccessLogger, DevRequestHandler
from practice.reporting import jobs


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Set up the database with fictional demo data (once) and serve on this machine."""
    app = make_app(PRACTICE_ENV="development")
    migrate.upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        created = demo_data.load_once()
        db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present.")
    click.echo(f"\nPractice is running at http://{host}:{port}/\n")
    click.echo("Demo sign-ins (all fictional):")
    for account in demo_data.SIGN_INS:
        click.echo(f"  {account.role:<10} {account.email:<32} password: {account.password}")
    click.echo("\nPress Ctrl+C to stop.")
    app.run(
        host=host, port=port, debug=False, use_reloader=False, request_handler=DevRequestHandler
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="a gunicorn configuration file (see docs/gunicorn.conf.py); it wins over the options",
)
def serve(host: str, port: int, workers: int, config_file: str | None) -> None:
    """Serve with gunicorn, the production server."""
    app = make_app()

    class PracticeServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            # Paths only, secrets hidden: see practice/logs.py.
            self.cfg.set("logger_class", AccessLogger)
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
            if config_file:
                # As gunicorn reads its own -c file: every known setting the file assigns.
                for name, value in runpy.run_path(config_file).items():
                    if name in self.cfg.settings and value is not None:
                        self.cfg.set(name, value)

        def load(self) -> Flask:
            return app

    PracticeServer().run()


@click.command()
@click.option("--burst", is_flag=True, help="make the reports waiting now, then stop")
def worker(burst: bool) -> None:
    """Make PDF reports queued by the app servers (needs REDIS_URL)."""
    app = make_app()
    if not jobs.enabled(app):
        raise click.ClickException("Set REDIS_URL: the worker takes its reports from Redis.")
    # One process renders one report at a time; run more workers for more at once. No fork
    # per report: the database connections of a forked child would be its parent's.
    with app.app_context():
        SimpleWorker([jobs.queue(app)], connection=jobs.connection(app)).work(
            burst=burst, logging_level="WARNING"
        )
