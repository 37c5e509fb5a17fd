"""A buyer prepares a round in the browser, and providers read it; every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import follow, sign_in, visit
from tests.rounds.helpers import draft_round, published_round

pytestmark = pytest.mark.browser


def test_a_buyer_adds_a_product_group_and_sees_errors_linked_to_fields(page: Page, world):
    round = draft_round(world, "Ronde in voorbereiding")
    sign_in(page, world.user("buyer").email)
    visit(page, f"/rondes/{round.id}")
    page.locator("details:has(form[action$='/productgroepen']) > summary").click()
    follow(page, page.locator("form[action$='/productgroepen'] input[type=submit]"), status=422)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#code']")).to_be_visible()
    page.locator("#code").fill("CRI")
    page.locator("#name").fill("Crisis")
    follow(page, page.locator("form[action$='/productgroepen'] input[type=submit]"))
    expect(page.locator("#productgroepen")).to_contain_text("Crisis")
    for summary in page.locator("main details summary").all():
        summary.click()
    visit(page, f"/rondes/{round.id}/publiceren")


def test_a_provider_reads_a_published_round_and_asks_a_question(page: Page, world):
    round = published_round(world, "Gepubliceerde ronde")
    visit(page, "/open-house")
    follow(page, page.locator("main a", has_text="Gepubliceerde ronde"))
    expect(page.locator("h1")).to_have_text("Gepubliceerde ronde")
    sign_in(page, world.user("provider_admin").email)
    visit(page, f"/open-house/{round.id}")
    page.locator("#question").fill("Geldt de SKJ-eis ook voor begeleiding?")
    follow(page, page.locator("form[action$='/vragen'] input[type=submit]"))
    expect(page.locator(".flash-messages .alert--success")).to_be_visible()
