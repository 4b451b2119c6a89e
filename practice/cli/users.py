"""Staff accounts."""

from __future__ import annotations

import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from practice import db
from practice.access import Role
from practice.accounts import services
from practice.cli.context import app_context


@click.group("user")
def user_group() -> None:
    """Staff account commands."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "counselor"]), required=True)
@click.option("--name", required=True)
def user_create(email: str, role: str, name: str) -> None:
    """Create a staff account; the password is asked for, or read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with app_context():
        try:
            user = services.create_user(email=email, name=name, role=Role(role), password=password)
            db.session.commit()
        except services.AccountError as error:
            raise click.ClickException(str(error)) from None
        except SQLAlchemyError as error:
            raise click.ClickException(
                f"Could not save the account: {error.__class__.__name__}"
            ) from None
        click.echo(f"Created {role} {user.email} (id {user.id}).")


@user_group.command("disable")
@click.argument("email")
def user_disable(email: str) -> None:
    """Disable an account and end its sessions."""
    with app_context():
        user = services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account has the e-mail {email}.")
        services.set_disabled(user, True)
        db.session.commit()
        click.echo(f"Disabled {user.email}; its sessions have ended.")
