"""`flask --app app ...` commands (see CONTRACT.md)."""

import sys
from datetime import date

import click
from flask import Flask, current_app

from .accounts.models import DISCIPLINES, ROLES, ApiToken, find_user_by_email
from .accounts.services import api_tokens, create_user, revoke_api_token
from .core.clock import now
from .core.errors import DomainError
from .demo import load_demo
from .extensions import db
from .jobs.registry import run_due
from .jobs.scheduler import run_scheduler


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(jobs)
    app.cli.add_command(scheduler)


@click.group(help="Manage accounts.")
def users():
    pass


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone, e.g. America/New_York")
@click.option("--discipline", default="other", show_default=True, help=", ".join(DISCIPLINES))
@click.option("--member-until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Society membership expiry date (YYYY-MM-DD)")
def create_user_command(email, name, password, role, timezone, discipline, member_until):
    """Create an account; an existing email is an error."""
    try:
        user = create_user(email=email, name=name, password=password, role=role, timezone=timezone,
                           discipline=discipline, member_until=member_until.date() if member_until else None)
        db.session.commit()
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        click.echo(f"Error: {exc.message}" + (f" ({details})" if details else ""), err=True)
        sys.exit(1)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


def _user_or_exit(email):
    user = find_user_by_email(email)
    if user is None:
        click.echo(f"Error: no account for {email}.", err=True)
        sys.exit(1)
    return user


@users.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="How long it works (default: API_TOKEN_DAYS, 90 unless configured).")
def token_command(email, name, days):
    """Print a new API token for EMAIL as the last line of output."""
    user = _user_or_exit(email)
    token, raw = ApiToken.issue(user, name=name, days=days)
    db.session.commit()
    click.echo(f"New API token {token.id} \"{token.name}\" for {user.email}, "
               f"until {token.expires_at:%Y-%m-%d %H:%M} UTC (shown once):")
    click.echo(raw)


@users.command("tokens")
@click.argument("email")
def tokens_command(email):
    """List EMAIL's API tokens: id, name, state, created, expires, last used."""
    for token in api_tokens(_user_or_exit(email)):
        state = "revoked" if token.revoked_at else ("live" if token.is_live else "expired")
        last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.name or '-'}\t{state}\tcreated {token.created_at:%Y-%m-%d}\t"
                   f"expires {token.expires_at:%Y-%m-%d}\tlast used {last}")


@users.command("revoke-token")
@click.argument("token_id", type=click.IntRange(1))
def revoke_token_command(token_id):
    """Revoke API token TOKEN_ID (see `users tokens EMAIL`) at once."""
    token = revoke_api_token(token_id)
    if token is None:
        click.echo(f"Error: no API token {token_id}.", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Revoked API token {token.id} \"{token.name}\" of {token.user.email}.")


@click.command(help="Load demonstration data; running it again adds nothing.")
def demo():
    created = load_demo(today=date.today())
    db.session.commit()
    click.echo(f"Demo data ready ({created} new records). Sign in as admin@demo.balint.test / demo-password-1.")


@click.group(help="Scheduled jobs.")
def jobs():
    pass


@jobs.command("run-due")
def run_due_command():
    """Run every job that is due now, once."""
    results = run_due(now())
    for name, count in results.items():
        click.echo(f"{name}: {'failed (see log)' if count < 0 else count}")
    if any(count < 0 for count in results.values()):
        sys.exit(1)


@click.command(help="Run the background scheduler in the foreground (one process; more are safe).")
def scheduler():
    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]  # the app behind the proxy
