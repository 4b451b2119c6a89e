"""Load data for measuring: `practice seed`."""

from __future__ import annotations

import time as timer

import click

from practice import db, migrate
from practice.accounts.passwords import password_problem
from practice.cli.context import app_context
from practice.seed.practice_data import SeedError, Sizes, seed


@click.command("seed")
@click.option("--counselors", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option(
    "--couples-per-counselor", type=click.IntRange(0, 100_000), default=50, show_default=True
)
@click.option("--years", type=click.IntRange(1, 10), default=1, show_default=True)
@click.option("--services", type=click.IntRange(0, 1_000_000), default=1000, show_default=True)
@click.option(
    "--large-caseload",
    type=click.IntRange(0, 1_000_000),
    default=0,
    help="give the first counselor this many couples instead",
)
@click.option("--password", required=True, help="the password of every seeded account")
def seed_command(
    counselors: int,
    couples_per_counselor: int,
    years: int,
    services: int,
    large_caseload: int,
    password: str,
) -> None:
    """Fill an empty database with a practice of invented, realistic load data.

    At the end it prints the accounts a benchmark signs in with, one per line as
    `role email`: a counselor with a typical caseload, the counselor with the largest,
    an admin and a partner with a portal sign-in; then the id of the couple with the most
    history and the two-factor key every seeded staff account shares.
    """
    if problem := password_problem(password):
        raise click.BadParameter(problem, param_hint="--password")
    sizes = Sizes(counselors, couples_per_counselor, years, services, large_caseload)
    started = timer.perf_counter()
    with app_context() as app:
        migrate.upgrade(app.config["DATABASE_URL"])
        try:
            result = seed(sizes, password, say=lambda line: click.echo(line, err=True))
        except SeedError as error:
            raise click.ClickException(str(error)) from None
        db.session.commit()
    took = timer.perf_counter() - started
    written = ", ".join(f"{name} {count}" for name, count in sorted(result.rows.items()) if count)
    click.echo(f"Seeded in {took:.0f} s: {written}", err=True)
    for line in result.sign_ins():
        click.echo(line)
