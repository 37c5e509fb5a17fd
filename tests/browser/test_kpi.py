"""The KPI dashboards in the browser: every dashboard, its filter form and the public scoreboard
pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.kpi import dashboards
from tests import factories
from tests.browser.conftest import follow, sign_in, sign_out, visit
from tests.kpi import trajectory

pytestmark = pytest.mark.browser


def _history(world) -> None:
    small = factories.MunicipalityFactory(region=world.region, name="Kleindorp")
    for number in range(8):
        for provider, place in ((world.provider, world.municipality), (world.other_provider, small if number < 3 else world.municipality)):
            trajectory(
                f"{provider.id}-{number}", provider=provider, municipality=place, start="2025-02-03",
                request="2025-01-06", end="2025-09-30" if number % 2 else None, reason="31" if number % 2 else None,
                satisfaction=8 if number % 2 else None, goals_met=True if number % 2 else None,
                product_group="BEH" if number % 3 else "VBL",
                claims={"2024-11": "400.00", "2025-03": "900.00", "2025-04": "900.00"},
            )
    dashboards.save_kpi_settings(db.session, region_id=world.region.id, scoreboard_public=True, growth_threshold=15)
    db.session.commit()


def test_every_kpi_dashboard_passes_axe(page: Page, world):
    _history(world)
    sign_in(page, world.user("provider_admin").email)
    visit(page, "/kpi/aanbieder")
    expect(page.locator("svg[role=img] title").first).to_be_attached()
    follow(page, page.locator("main form.filter-form button[type=submit]"))
    sign_out(page)

    sign_in(page, world.user("buyer").email)
    visit(page, "/kpi/gemeente?jaar=2025")
    follow(page, page.locator("#aanbieders table a", has_text=world.provider.name))
    expect(page.locator("h1")).to_have_text(world.provider.name)
    visit(page, "/kpi/raad")
    expect(page.locator("main")).to_contain_text("fewer than 5")
    sign_out(page)

    sign_in(page, world.user("region_admin").email)
    visit(page, "/kpi/instellingen")
    sign_out(page)

    visit(page, f"/openbaar/scorebord/{world.region.code}")


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """These stories read the English source texts; the Dutch catalogue is checked in test_i18n."""
    monkeypatch.setattr("portal.i18n.DEFAULT_LOCALE", "en")
