"""Keep the maxima table as the migration seeded it: it is reference data kept between tests."""

from __future__ import annotations

import pytest
from flask import has_app_context
from sqlalchemy import delete

from portal.extensions import db
from portal.models import WntMaximum


@pytest.fixture(autouse=True)
def _seeded_maxima_only(app):
    """Remove the maxima a test added."""
    yield
    if has_app_context():
        db.session.remove()
    with app.app_context():
        db.session.execute(delete(WntMaximum).where(WntMaximum.added_by != ""))
        db.session.commit()
