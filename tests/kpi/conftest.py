"""Fixtures for the KPI stories."""

from __future__ import annotations

import pytest

from tests.kpi import Cast, make_cast


@pytest.fixture
def cast(app) -> Cast:
    """Create the region, municipalities and providers the KPI files refer to."""
    return make_cast()
