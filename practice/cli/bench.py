"""`practice bench`: the production server under load, page by page (see practice/bench/)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from practice.bench import BenchError
from practice.bench import accounts as bench_accounts
from practice.bench.pages import Search
from practice.bench.report import render
from practice.bench.runner import Settings, duration, run
from practice.cli.context import make_app

# Shown as [hidden] in the command line the report repeats: secrets, and a partner's address
# (a client's).
HIDDEN_OPTIONS = ("--password", "--partner-password", "--two-factor-key", "--partner")


def connection_counts(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter("give whole numbers separated by commas, such as 8,32") from None
    if not counts or any(not 1 <= count <= 1024 for count in counts):
        raise click.BadParameter("give numbers from 1 to 1024, such as 8,32")
    return counts


def shown_command_line(arguments: list[str]) -> str:
    """The command as typed, with secrets and client data hidden."""
    shown, hide_next = [], False
    for argument in arguments:
        name = argument.split("=", 1)[0]
        if hide_next:
            shown.append("[hidden]")
        elif name in HIDDEN_OPTIONS and "=" in argument:
            shown.append(f"{name}=[hidden]")
        else:
            shown.append(argument)
        hide_next = argument in HIDDEN_OPTIONS
    return shlex.join(["practice", *shown])


@click.command()
@click.option(
    "--accounts",
    "accounts_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="What `practice seed` printed, saved to a file: the accounts to sign in as.",
)
@click.option("--password", prompt=True, hide_input=True, help="Every seeded account's password.")
@click.option("--counselor", help="E-mail of a counselor with a typical caseload.")
@click.option("--large-counselor", help="E-mail of the counselor with the largest caseload.")
@click.option("--partner", help="E-mail of a partner with a portal sign-in.")
@click.option(
    "--partner-password", help="The partner's password, if not --password (as in the demo)."
)
@click.option("--couple", type=int, help="Record number of a couple with a year of history.")
@click.option("--two-factor-key", help="The staff accounts' TOTP key (base32), as seed printed.")
@click.option(
    "--connections",
    default="8,32",
    show_default=True,
    callback=connection_counts,
    help="Connection counts to load with, separated by commas.",
)
@click.option("--rounds", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option(
    "--seconds",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1, 600),
    help="Length of each measurement.",
)
@click.option(
    "--warmup",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 600),
    help="Seconds of load per page before the first round, not counted.",
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--zip", "zip_code", default="10025", show_default=True, help="Searching the directory from."
)
@click.option(
    "--within",
    default=25.0,
    show_default=True,
    type=click.FloatRange(0.1, 500),
    help="Miles from --zip.",
)
@click.option(
    "--words", default="counseling", show_default=True, help="Searching the directory for."
)
def bench(
    accounts_file: Path | None,
    password: str,
    counselor: str | None,
    large_counselor: str | None,
    partner: str | None,
    partner_password: str | None,
    couple: int | None,
    two_factor_key: str | None,
    connections: tuple[int, ...],
    rounds: int,
    seconds: float,
    warmup: float,
    workers: int,
    zip_code: str,
    within: float,
    words: str,
) -> None:
    """Measure the production server under load, page by page, against a bare endpoint.

    Starts `practice serve` with this environment's settings, signs in over HTTP, and prints
    requests per second, latencies, the share of the bare endpoint's rate, SQL queries and
    errors for each page, and the workers' memory. The pages write what they always write
    (audit entries, session activity): run it on a seeded database, not a practice in use.
    """
    seeded = {}
    if accounts_file is not None:
        seeded = bench_accounts.from_seed_output(accounts_file.read_text(errors="replace"))
    settings = Settings(
        connections=connections,
        rounds=rounds,
        seconds=seconds,
        warmup=warmup,
        workers=workers,
        search=Search(zip_code=zip_code, within_miles=within, words=words),
    )
    try:
        accounts = bench_accounts.resolve(
            seeded,
            {
                "counselor": counselor,
                "large_counselor": large_counselor,
                "partner": partner,
                "couple": couple,
                "two_factor_key": two_factor_key,
            },
        )
        app = make_app()
        minutes = duration(settings) / 60
        click.echo(f"Measuring for about {minutes:.1f} min (start-up aside).", err=True)
        passwords = {"staff": password, "partner": partner_password or password}
        results = run(app, accounts, passwords, settings, lambda line: click.echo(line, err=True))
    except BenchError as error:
        raise click.ClickException(str(error)) from None
    click.echo(render(results, shown_command_line(sys.argv[1:])))
