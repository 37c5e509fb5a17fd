"""Browser fixtures: the portal served over HTTP with CSRF on, headless Chromium and axe-core.

Every page a test sees must be checked with axe: open pages with `visit`, follow links and
submit forms with `follow`, and call `check_a11y` after changing a page in place. A test that
loads a page without checking it fails at teardown.

The portal sends a strict Content-Security-Policy (script-src 'self'). Playwright injects axe
through the DevTools protocol, which the policy does not govern, so contexts keep the policy
(no `bypass_csp`) and the tests also fail on any CSP violation the browser reports.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, Error, Locator, Page, Response, sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from tests.conftest import make_settings
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

_AXE = Axe()


@dataclass(frozen=True)
class LiveServer:
    """The portal answering HTTP on a free local port.

    pytest-flask pushes a request context of `live_server.app` around each test that uses a
    fixture called live_server, so this is an object with `.app`, not a bare URL.
    """

    app: Flask
    url: str


@dataclass
class _Watch:
    """What one browser page loaded and which of those documents axe checked."""

    javascript: bool
    #: The document loaded last, until axe checks it.
    unchecked: str | None = None
    #: Documents that were left for another one before axe checked them.
    missed: list[str] = field(default_factory=list)
    #: Every path axe checked, in order.
    checked: list[str] = field(default_factory=list)
    #: Content-Security-Policy complaints from the browser console.
    csp_violations: list[str] = field(default_factory=list)

    def loaded(self, url: str) -> None:
        """Note a new document; the one before it should have been checked by now."""
        if self.unchecked is not None:
            self.missed.append(self.unchecked)
        self.unchecked = url

    def console(self, url: str, text: str) -> None:
        """Keep the browser's complaints about the Content-Security-Policy."""
        if "Content Security Policy" in text:
            self.csp_violations.append(f"{url}: {text}")


_WATCHES: weakref.WeakKeyDictionary[Page, _Watch] = weakref.WeakKeyDictionary()


@pytest.fixture(scope="session")
def live_server(_database) -> Iterator[LiveServer]:
    """Serve an application with CSRF protection on, so browsers post real form tokens."""
    instance, url = _database
    application = create_app(make_settings(instance, url, flask={"WTF_CSRF_ENABLED": True}))
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(application, f"http://127.0.0.1:{server.port}")
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Start headless Chromium once; fail (never skip) when it is not there."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}. "
            "Install it with `apt-get install chromium` or run `make browser`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server, app) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts (own cookies), as separate people would.

    Requesting `app` makes the autouse `_clean_database` empty the tables after the test.
    """
    contexts = []
    watches = []

    def open_page(**options) -> Page:
        options = {"base_url": live_server.url, "locale": "nl-NL", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch = _Watch(javascript=options.get("java_script_enabled", True))
        page.on("domcontentloaded", lambda loaded: watch.loaded(loaded.url))
        page.on("console", lambda message: watch.console(page.url, message.text))
        _WATCHES[page] = watch
        watches.append(watch)
        return page

    yield open_page

    for context in contexts:
        context.close()
    for watch in watches:
        if not watch.javascript:
            continue  # axe runs in the page, so it cannot check pages without JavaScript
        unchecked = watch.missed + ([watch.unchecked] if watch.unchecked else [])
        assert not unchecked, f"pages seen but not checked with axe: {unchecked}"
        assert not watch.csp_violations, "\n".join(watch.csp_violations)


@pytest.fixture
def page(open_page) -> Page:
    """A browser page for one person, in Dutch."""
    return open_page()


def check_a11y(page: Page) -> None:
    """Check the page as it is now with axe-core and fail on any violation."""
    watch = _WATCHES[page]
    assert watch.javascript, "axe-core runs in the page and needs JavaScript"
    page.wait_for_load_state()
    results = _AXE.run(page)
    watch.unchecked = None
    watch.checked.append(urlsplit(page.url).path)
    assert results.violations_count == 0, f"axe on {page.url}:\n{results.generate_report()}"


def checked_paths(page: Page) -> list[str]:
    """Return the paths axe has checked in this page, in order."""
    return list(_WATCHES[page].checked)


def visit(page: Page, path: str, status: int = 200) -> Response:
    """Open a path of the portal, expect its status and check the page with axe."""
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path} answered {response.status if response else None}, expected {status}"
    )
    if _WATCHES[page].javascript:  # axe needs JavaScript; the same pages are checked elsewhere
        check_a11y(page)
    return response


def follow(page: Page, action: Locator | Callable[[], object], status: int = 200) -> Response:
    """Click a link or button (or do an action) that loads a page, then check that page."""
    with page.expect_navigation() as navigation:
        action.click() if isinstance(action, Locator) else action()
    response = navigation.value
    assert response is not None and response.status == status, (
        f"{page.url} answered {response.status if response else None}, expected {status}"
    )
    if _WATCHES[page].javascript:
        check_a11y(page)
    return response


def sign_in(page: Page, email: str, password: str = PASSWORD) -> Response:
    """Sign in through the login form, as a person does."""
    visit(page, "/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    return follow(page, page.locator("main input[type=submit]"))


def sign_out(page: Page) -> Response:
    """Sign out with the button in the page header."""
    return follow(page, page.locator("header form[action$='/uitloggen'] button"))


def in_language(app: Flask, locale: str, message: str, **variables) -> str:
    """Return a message as the portal shows it in the given language."""
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **variables)


def main_menu(page: Page) -> Locator:
    """Return the links of the main menu."""
    return page.locator("header nav[aria-label] a")


def menu_link(page: Page, path: str) -> Locator:
    """Return the main-menu link to a path."""
    return page.locator(f"header nav[aria-label] a[href='{path}']")
