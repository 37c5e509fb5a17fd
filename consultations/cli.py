"""Command-line tasks for consultations."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

consultations_cli = AppGroup("consultations", help="Import, export and analyse consultations.")


def register(app: Flask) -> None:
    """Add the consultations command group."""
    app.cli.add_command(consultations_cli)
