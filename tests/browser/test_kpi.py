"""The KPI pages in the browser: every dashboard, its filter form, the public scoreboard and the
import of care data pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.kpi import dashboards
from tests import factories
from tests.browser.conftest import follow, sign_in, sign_out, visit
from portal.kpi.importer import ImportStep
from tests.kpi import CLAIM_HEADER, TRAJECTORY_HEADER, paused_import, trajectory

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


@pytest.mark.parametrize("javascript", [False, True], ids=["without-javascript", "with-axe"])
def test_a_region_administrator_imports_care_data_and_follows_its_progress(open_page, world, tmp_path, javascript):
    """Without JavaScript the pages work; with it, axe checks the form, the progress and the outcome."""
    page = open_page(java_script_enabled=javascript)
    code, kvk = world.municipality.cbs_code, world.provider.kvk_number
    trajectories = tmp_path / "trajecten.csv"
    trajectories.write_text("\n".join([
        TRAJECTORY_HEADER,
        f"B-1,C-1,{code},{kvk},BEH,45A12,wijkteam,2025-01-06,2025-02-03,,,,",
        f"B-2,C-2,{code},{kvk},BEH,45A12,huisarts,2025-01-06,2025-02-03,2025-13-01,31,8,yes",
    ]) + "\n")
    claims = tmp_path / "declaraties.csv"
    claims.write_text(f"{CLAIM_HEADER}\nB-1,2025-02,900.00\nB-1,2025-03,900.00\n")
    sign_in(page, world.user("region_admin").email)
    follow(page, page.locator("header nav a", has_text="Import care data"))
    page.locator("#trajectories").set_input_files(trajectories)
    page.locator("#claims").set_input_files(claims)

    with paused_import(ImportStep.READ_CLAIMS) as held:
        follow(page, page.locator("main input[type=submit]"))
        assert held.wait(timeout=30)
        follow(page, page.locator("main a", has_text="Refresh"))
        expect(page.locator("#import-steps [aria-current=step]")).to_contain_text("Reading and checking the claims")
        expect(page.locator("#import-progress")).to_have_attribute("value", "100")

    for _attempt in range(50):
        if page.locator("#import-status").inner_text() != "Running":
            break
        page.wait_for_timeout(100)
        follow(page, page.locator("main a", has_text="Refresh"))
    expect(page.locator("#import-status")).to_have_text("Finished")
    expect(page.locator("#rejected-rows")).to_contain_text("'2025-13-01' is not a date as YYYY-MM-DD")
    follow(page, page.locator("main a", has_text="Import care data"))
    expect(page.locator("main table")).to_contain_text("trajecten.csv, declaraties.csv")


def test_the_import_pages_pass_axe(page: Page, world):
    sign_in(page, world.user("contract_manager").email)
    visit(page, "/kpi/import")
    follow(page, page.locator("main input[type=submit]"), status=422)  # no files chosen
    expect(page.locator(".error-summary")).to_contain_text("Choose the file with the trajectories.")


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """These stories read the English source texts; the Dutch catalogue is checked in test_i18n."""
    monkeypatch.setattr("portal.i18n.DEFAULT_LOCALE", "en")
