"""Every page people reach passes axe-core: the menus of both kinds of administrator, the
public pages, error pages, opened disclosures and forms shown again with errors."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    check_a11y,
    checked_paths,
    follow,
    main_menu,
    menu_link,
    sign_in,
    visit,
)

pytestmark = pytest.mark.browser


def _paths(*endpoints: str) -> set[str]:
    return {url_for(endpoint) for endpoint in endpoints}


def _walk_main_menu(page: Page) -> list[str]:
    """Open every page in the main menu by clicking its link; return the menu's paths."""
    paths = [link.get_attribute("href") for link in main_menu(page).all()]
    for path in paths:
        follow(page, menu_link(page, path))
        expect(main_menu(page).and_(page.locator("[aria-current=page]"))).to_have_attribute(
            "href", path
        )
    return paths


def test_a_region_admin_can_use_every_page_in_the_menu(page: Page, world):
    sign_in(page, world.user("region_admin").email)

    menu = _walk_main_menu(page)

    assert set(menu) >= _paths(
        "home.index",
        "organisations.profile",
        "organisations.members",
        "organisations.municipalities",
        "organisations.providers",
        "admin.audit_log",
        "admin.outbox",
    )
    assert set(checked_paths(page)) >= set(menu)

    # One step further: the pages the region's lists link to.
    follow(page, menu_link(page, url_for("organisations.providers")))
    follow(page, page.locator("main table a", has_text=world.provider.name))
    expect(page.locator("h1")).to_contain_text(world.provider.name)
    follow(page, menu_link(page, url_for("organisations.municipalities")))
    follow(page, page.locator("main table a", has_text=world.council.name))
    expect(page.locator("h1")).to_contain_text(world.council.name)


def test_a_provider_admin_can_use_every_page_in_the_menu(page: Page, world):
    sign_in(page, world.user("provider_admin").email)

    menu = _walk_main_menu(page)

    assert set(menu) >= _paths("home.index", "organisations.profile", "organisations.members")
    staff_only = _paths("organisations.providers", "admin.audit_log", "admin.outbox")
    assert not set(menu) & staff_only
    assert set(checked_paths(page)) >= set(menu)


def test_the_public_pages_pass_axe(page: Page):
    visit(page, "/")
    follow(page, page.locator("main a[href='/inloggen']"))
    follow(page, page.locator("main a[href='/wachtwoord-vergeten']"))
    expect(page.locator("#email")).to_be_visible()

    assert checked_paths(page) == ["/", "/inloggen", "/wachtwoord-vergeten"]


def test_a_page_that_does_not_exist_explains_itself_and_passes_axe(page: Page):
    visit(page, "/bestaat-niet", status=404)

    expect(page.locator("h1")).not_to_be_empty()
    expect(page.locator("main a[href='/']")).to_be_visible()


def test_the_own_account_page_passes_axe(page: Page, world):
    person = world.user("reviewer")
    sign_in(page, person.email)

    follow(page, page.locator("header a[href='/account']"))

    expect(page.locator("main")).to_contain_text(person.email)
    expect(page.locator("#name")).to_have_value(person.name)


def test_the_add_location_form_passes_axe_when_opened(page: Page, world):
    sign_in(page, world.user("provider_admin").email)
    visit(page, "/organisatie")
    add_location = page.locator(
        "details", has=page.locator("form[action$='/organisatie/locaties']")
    )
    expect(add_location.locator("form")).to_be_hidden()

    add_location.locator("summary").click()

    expect(add_location).to_have_attribute("open", "")
    expect(add_location.locator("input[type=submit]")).to_be_visible()
    check_a11y(page)


def test_an_empty_invitation_comes_back_with_an_error_summary_linked_to_the_fields(
    page: Page, world
):
    sign_in(page, world.user("region_admin").email)
    visit(page, "/organisatie/leden")

    invite_form = page.locator("main form[action$='/uitnodigen']")
    follow(page, invite_form.locator("input[type=submit]"), status=422)

    assert urlsplit(page.url).path.endswith("/uitnodigen")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.locator("a")
    assert {link.get_attribute("href") for link in links.all()} == {"#name", "#email"}
    for link in links.all():
        field_id = link.get_attribute("href")[1:]
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
        expect(page.locator(f"#{field_id}-error")).to_be_visible()
