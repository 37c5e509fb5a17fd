"""The ``flask registration`` commands: remind providers about expiring evidence."""

from __future__ import annotations

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup

from portal.evidence import vault
from portal.extensions import db
from portal.mail import deliver_queued

registration_cli = AppGroup("registration", help="Open House registration: evidence reminders.")


@registration_cli.command("remind")
@click.option("--lead-days", default=vault.DEFAULT_LEAD_DAYS, show_default=True, type=click.IntRange(min=1),
              help="Remind this many days before a document expires.")
@click.option("--today", "today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (YYYY-MM-DD); default: today in the Netherlands.")
def remind(lead_days: int, today) -> None:
    """E-mail providers about evidence that expires soon or has expired; safe to run daily.

    Each reminder is sent once: a second run, even at the same moment, sends nothing new.
    """
    day = today.date() if today else vault.today()
    settings = current_app.config["PORTAL_SETTINGS"]
    with current_app.test_request_context(base_url=settings.base_url):
        link = settings.base_url + url_for("evidence.index")
        run = vault.send_reminders(db.session, today=day, lead_days=lead_days, link=link)
        db.session.commit()
        deliver_queued()
    click.echo(f"Sent {run.reminders} reminder(s) in {run.emails} e-mail(s) for {day.isoformat()}.")
    for name in run.unreachable:
        click.echo(f"Not reminded, no administrator or e-mail address: {name}", err=True)


def register(app: Flask) -> None:
    """Add the registration command group."""
    app.cli.add_command(registration_cli)
