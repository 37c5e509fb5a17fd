"""A region admin brings in a colleague, and a provider admin keeps the profile right."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import follow, in_language, menu_link, sign_in, visit

pytestmark = pytest.mark.browser


def test_an_invited_buyer_creates_an_account_and_lands_signed_in(open_page, world):
    admin = open_page()
    sign_in(admin, world.user("region_admin").email)
    follow(admin, menu_link(admin, "/organisatie/leden"))
    invite_form = admin.locator("main form[action$='/uitnodigen']")
    invite_form.locator("#name").fill("Ingrid Inkoop")
    invite_form.locator("#email").fill("Ingrid@Eendorp.example.org")
    invite_form.locator("#role").select_option("buyer")

    follow(admin, invite_form.locator("input[type=submit]"))

    expect(admin.locator("main [role=status]")).to_contain_text("ingrid@eendorp.example.org")
    open_invitations = admin.locator("section[aria-labelledby=invitations-title]")
    expect(open_invitations).to_contain_text("Ingrid Inkoop")

    # The demo keeps e-mail in the outbox instead of sending it; the admin reads it there.
    follow(admin, menu_link(admin, "/beheer/uitgaande-mail"))
    follow(admin, admin.locator("main table tbody tr").first.locator("a"))
    expect(admin.locator("main dl")).to_contain_text("ingrid@eendorp.example.org")
    link = admin.locator("main .mail-body a[href*='/uitnodiging/']")
    expect(link).to_have_count(1)
    invitation_path = urlsplit(link.get_attribute("href")).path

    invitee = open_page()
    visit(invitee, invitation_path)
    expect(invitee.locator("#name")).to_have_value("Ingrid Inkoop")
    invitee.locator("#name").fill("Ingrid van Inkoop")
    invitee.locator("#password").fill("drie koeien op de dijk")
    invitee.locator("#confirm_password").fill("drie koeien op de dijk")

    follow(invitee, invitee.locator("main input[type=submit]"))

    assert urlsplit(invitee.url).path == "/"
    expect(invitee.locator("h1")).to_contain_text("Ingrid van Inkoop")
    expect(invitee.locator("header")).to_contain_text(world.region.name)
    expect(menu_link(invitee, "/regio/aanbieders")).to_be_visible()

    # The link works once.
    visit(open_page(), invitation_path, status=404)


def test_a_provider_admin_corrects_a_mistyped_agb_code(page: Page, world, live_server):
    sign_in(page, world.user("provider_admin").email)
    visit(page, "/organisatie")
    follow(page, page.locator("main a[href='/organisatie/bewerken']"))
    agb_code = page.locator("#agb_code")

    agb_code.fill("1234567")
    follow(page, page.locator("main form input[type=submit]"), status=422)

    expect(agb_code).to_have_value("1234567")
    expect(agb_code).to_have_attribute("aria-invalid", "true")
    message = in_language(live_server.app, "nl", "An AGB code has exactly 8 digits.")
    expect(page.locator("#agb_code-error")).to_contain_text(message)
    summary_link = page.locator(".error-summary a[href='#agb_code']")
    expect(summary_link).to_have_text(message)
    summary_link.click()
    expect(agb_code).to_be_focused()

    agb_code.fill("12345678")
    follow(page, page.locator("main form input[type=submit]"))

    assert urlsplit(page.url).path == "/organisatie"
    expect(page.locator("main [role=status]")).to_be_visible()
    expect(page.locator("main dl")).to_contain_text("12345678")
