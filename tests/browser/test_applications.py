"""A provider walks the application wizard in the browser and submits; every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.applications.helpers import CLEAN_ANSWERS, fill_vault
from tests.browser.conftest import follow, sign_in, visit
from tests.rounds.helpers import published_round

pytestmark = pytest.mark.browser


def test_a_provider_walks_the_wizard_and_submits(page: Page, world):
    round = published_round(world, "Open House Jeugdhulp 2027")
    documents = fill_vault(world.provider, world.user("provider_admin"))
    sign_in(page, world.user("provider_admin").email)
    visit(page, f"/open-house/{round.id}")
    follow(page, page.locator("main form[action^='/aanmeldingen/ronde'] button"))

    assert page.url.endswith("/percelen")
    page.locator("main input[type=checkbox][name=scopes]").first.check()
    follow(page, page.locator("main form input[type=submit]"))

    assert page.url.endswith("/verklaring")
    # An exclusion ground that applies, without explanation, is refused with the error linked to its field.
    page.locator("#applies-conviction_fraud-0").check()
    follow(page, page.locator("main form input[type=submit]"), status=422)
    expect(page.locator(".error-summary a[href='#explanation-conviction_fraud']")).to_be_visible()
    for code, (applies, _explanation) in CLEAN_ANSWERS.items():
        page.locator(f"#applies-{code}-{0 if applies else 1}").check()
    follow(page, page.locator("main form input[type=submit]"))

    page.locator("#name").fill("Onder Zorg BV")
    page.locator("#kvk_number").fill("12345678")
    page.locator("#share_percent").fill("20")
    follow(page, page.locator("main form[action$='/onderaannemers'] input[type=submit]"))
    expect(page.locator("main table")).to_contain_text("Onder Zorg BV")
    follow(page, page.locator("main a.button[href$='/bewijsstukken']"))

    for select in page.locator("main select").all():
        select.select_option(index=1)
    follow(page, page.locator("main form input[type=submit]"))

    expect(page.locator("#complete")).to_be_visible()
    follow(page, page.locator("main form[action$='/indienen'] input[type=submit]"))
    expect(page.locator(".flash-messages .alert--success")).to_be_visible()
    expect(page.locator("#timeline li").first).to_contain_text(str(round.published_at.year))
    assert len(documents) == 3
