"""Signing in and out in a real browser: every role, keyboard only, without JavaScript,
and in both languages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    check_a11y,
    follow,
    in_language,
    main_menu,
    sign_in,
    sign_out,
    visit,
)
from tests.conftest import ROLE_NAMES
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_role_signs_in_sees_their_start_page_and_signs_out(page: Page, world, role):
    person = world.user(role)

    sign_in(page, person.email)

    assert urlsplit(page.url).path == "/"
    expect(page.locator("h1")).to_contain_text(person.name)
    expect(page.locator("header")).to_contain_text(person.name)
    expect(main_menu(page).first).to_have_attribute("aria-current", "page")

    sign_out(page)

    expect(page.locator("h1")).not_to_contain_text(person.name)
    expect(main_menu(page)).to_have_count(0)
    expect(page.locator("header a[href='/inloggen']")).to_be_visible()


def test_a_keyboard_user_skips_to_the_form_and_signs_in_without_a_mouse(page: Page, world):
    person = world.user("provider_member")
    visit(page, "/inloggen")
    skip_link = page.locator("a.skip-link")
    hidden_box = skip_link.bounding_box()
    assert hidden_box is None or hidden_box["width"] <= 1, "the skip link shows before it has focus"

    page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    shown_box = skip_link.bounding_box()
    assert shown_box["width"] > 40 and shown_box["height"] > 16, f"skip link too small: {shown_box}"
    check_a11y(page)

    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/inloggen#main$"))
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    email = page.locator("#email")
    expect(email).to_be_focused()
    assert email.evaluate("field => getComputedStyle(field).outlineStyle") != "none", (
        "a focused field shows no focus ring"
    )
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)

    follow(page, lambda: page.keyboard.press("Enter"))

    assert urlsplit(page.url).path == "/"
    expect(page.locator("h1")).to_contain_text(person.name)


def test_signing_in_and_out_works_without_javascript(open_page, world):
    person = world.user("buyer")
    page = open_page(java_script_enabled=False)

    sign_in(page, person.email)

    assert urlsplit(page.url).path == "/"
    expect(page.locator("h1")).to_contain_text(person.name)

    sign_out(page)

    expect(page.locator("header a[href='/inloggen']")).to_be_visible()


def test_a_visitor_switches_to_english_and_back_to_dutch(page: Page, live_server):
    visit(page, "/inloggen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    follow(page, page.locator("header button[name=language][value=en]"))

    assert urlsplit(page.url).path == "/inloggen", "the switch should stay on the same page"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.locator("label[for=password]")).to_have_text("Password")
    back_to_dutch = page.locator("header button[name=language][value=nl]")
    expect(back_to_dutch).to_have_text("Nederlands")
    expect(back_to_dutch).to_have_attribute("lang", "nl")

    follow(page, back_to_dutch)

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("h1")).to_have_text(in_language(live_server.app, "nl", "Sign in"))
    expect(page.locator("header button[name=language][value=en]")).to_have_text("English")
