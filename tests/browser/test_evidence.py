"""A provider admin keeps the evidence vault: uploads through the real form, sees the status,
corrects a mistake, and withdraws a version; every page passes axe."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from portal.evidence import vault
from tests import files_samples
from tests.browser.conftest import check_a11y, follow, in_language, menu_link, sign_in, visit

pytestmark = pytest.mark.browser


def test_a_provider_admin_uploads_a_pdf_and_sees_it_in_the_vault(page: Page, world, live_server):
    sign_in(page, world.user("provider_admin").email)
    follow(page, menu_link(page, "/bewijsstukken"))
    follow(page, page.locator("main a[href='/bewijsstukken/toevoegen']"))
    issued = vault.today() - timedelta(days=30)

    # First try: the file is forgotten; what was typed stays and the error points at the field.
    page.locator("#evidence_type").select_option("kvk_extract")
    page.locator("#issue_date").fill(issued.isoformat())
    page.locator("#issuer").fill("Kamer van Koophandel")
    follow(page, page.locator("main form input[type=submit]"), status=422)
    expect(page.locator("#issuer")).to_have_value("Kamer van Koophandel")
    expect(page.locator("#issue_date")).to_have_value(issued.isoformat())
    expect(page.locator("#document")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary a[href='#document']")).to_have_text(
        in_language(live_server.app, "nl", "Choose the file to upload.")
    )

    page.locator("#document").set_input_files(
        files={"name": "kvk-uittreksel.pdf", "mimeType": "application/pdf", "buffer": files_samples.pdf()}
    )
    follow(page, page.locator("main form input[type=submit]"))

    assert re.fullmatch(r"/bewijsstukken/\d+", urlsplit(page.url).path)
    expect(page.locator("main [role=status]")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("kvk-uittreksel.pdf")

    follow(page, page.locator("main a[href='/bewijsstukken']").last)
    row = page.locator("main table tbody tr", has_text="Uittreksel Kamer van Koophandel")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(in_language(live_server.app, "nl", "Valid"))

    # Withdraw it again, with the confirmation page in between.
    follow(page, row.locator("a"))
    follow(page, page.locator("main a[href$='/intrekken']"))
    page.locator("#reason").fill("Verkeerd bestand")
    follow(page, page.locator("main form input[type=submit]"))
    expect(page.locator("main table tbody tr").first).to_contain_text(
        in_language(live_server.app, "nl", "Withdrawn on %(date)s", date="")
    )


def test_the_upload_page_explains_which_dates_each_kind_needs(page: Page, world):
    sign_in(page, world.user("provider_admin").email)
    visit(page, "/bewijsstukken/toevoegen")

    page.locator("main details summary").click()
    check_a11y(page)
    expect(page.locator("main details table")).to_contain_text("Gedragsverklaring Aanbesteden (GVA)")
