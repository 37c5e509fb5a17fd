"""The ``flask demo`` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from portal.demo.seed import DEMO_ACCOUNTS, MUNICIPALITIES, PROVIDERS, seed_demo
from portal.extensions import db

demo_cli = AppGroup("demo", help="Set up the fictional demo region.")


@demo_cli.command("seed")
def seed_command() -> None:
    """Create the fictional demo region, its providers and demo accounts."""
    report = seed_demo(db.session)
    db.session.commit()
    click.echo(
        f"Demo region ready: {len(MUNICIPALITIES)} municipalities, {len(PROVIDERS)} providers, "
        f"{len(DEMO_ACCOUNTS)} accounts (created: {report.created_summary()})"
    )


def register(app: Flask) -> None:
    """Add the demo command group to the app's command line."""
    app.cli.add_command(demo_cli)
