"""Fixtures for the register stories."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english_messages(app):
    """Compare service messages in the source language; the Dutch catalogue is tested elsewhere."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
