"""The consultation platform: drafts, reactions from councils, boards, young people and providers.

It builds on the portal's core (database, accounts, audit log); the portal never imports it
directly but loads it as a module through ``load(app)``.
"""

from __future__ import annotations

from flask import Flask


def load(app: Flask) -> None:
    """Hook the consultations module into the application."""
    from consultations import models  # noqa: F401  (the tables belong to the metadata)
    from consultations.cli import register as register_cli

    register_cli(app)
