"""The consultation platform: drafts, reactions from councils, boards, young people and providers.

It builds on the portal's core (database, accounts, audit log); the portal never imports it
directly but loads it as a module through ``load(app)``.
"""

from __future__ import annotations

from flask import Flask


def load(app: Flask) -> None:
    """Hook the consultations module into the application."""
    from consultations import models  # noqa: F401  (the tables belong to the metadata)
    from consultations.analysis import models as analysis_models  # noqa: F401
    from consultations.analysis.views import bp as analysis_bp
    from consultations.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(analysis_bp)
    # A reaction may hold several answers of 50,000+ characters; when a form is sent again
    # after an expired session it arrives URL-encoded, so allow more than Flask's 500 kB.
    app.config["MAX_FORM_MEMORY_SIZE"] = max(app.config.get("MAX_FORM_MEMORY_SIZE") or 0, 4 * 1024 * 1024)
    from consultations.cli import register as register_cli

    register_cli(app)
