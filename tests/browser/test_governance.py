"""A provider fills in its governance declaration and a reviewer reads the compliance matrix;
every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal import clock
from portal.extensions import db
from portal.models import Application, ApplicationStatus, Round, RoundStatus
from tests.browser.conftest import follow, sign_in, visit
from tests.governance.helpers import filled_declaration, statement_values

pytestmark = pytest.mark.browser


def test_a_provider_fills_in_the_declaration_form(page: Page, world):
    sign_in(page, world.user("provider_admin").email)
    visit(page, "/governance")
    page.locator("#year").fill("2024")
    follow(page, page.locator("main form input[type=submit]"))
    assert "/governance/" in page.url
    follow(page, page.locator("main a.button[href$='/bewerken']"))

    # A principle that is not applied needs an explanation: refused, linked to its field, input kept.
    for number in range(1, 8):
        page.locator(f"#applied_{number}-{1 if number == 4 else 0}").check()
    page.locator("#revenue").fill("2000000")
    page.locator("#result").fill("100000")
    page.locator("#profit_distributed").fill("0")
    follow(page, page.locator("main form input[type=submit]"), status=422)
    expect(page.locator(".error-summary a[href='#explanation_4']")).to_be_visible()
    expect(page.locator("#revenue")).to_have_value("2000000")

    page.locator("#explanation_4").fill("Eenhoofdig bestuur met een adviesraad.")
    page.locator("#management_supervision_separated-0").check()
    page.locator("#has_client_council-0").check()
    for field, points in (("knowledge", "2"), ("tasks", "2"), ("funding", "3"), ("turnover", "2")):
        page.locator(f"#points_{field}").fill(points)
    page.locator("#class_reasoning").fill("Besluit raad van toezicht.")
    follow(page, page.locator("main form input[type=submit]"))
    expect(page.locator("#margin")).to_contain_text("5.0")

    page.locator("details:has(form[action$='/wnt']) summary").click()
    page.locator("#statement-official_name").fill("A. Bestuurder")
    page.locator("#statement-position").fill("Bestuurder")
    page.locator("#statement-start_date").fill("2024-01-01")
    page.locator("#statement-end_date").fill("2024-12-31")
    page.locator("#statement-part_time_factor").fill("0.8")
    page.locator("#statement-pay").fill("200000")
    follow(page, page.locator("form[action$='/wnt'] input[type=submit]"), status=422)
    expect(page.locator(".error-summary a[href='#statement-explanation']")).to_be_visible()


def test_a_reviewer_reads_the_matrix_and_drills_down(page: Page, world):
    round = Round(region=world.region, title="Open House 2027", status=RoundStatus.PUBLISHED, published_at=clock.now())
    db.session.add(round)
    db.session.add(Application(round=round, provider=world.provider, status=ApplicationStatus.SUBMITTED,
                               submitted_at=clock.now()))
    db.session.commit()
    filled_declaration(world.provider, world.user("provider_admin"), 2024, statements=[
        statement_values(2024), statement_values(2024, name="B. Duur", pay=200000, deferred_pay=0, explanation="Oud contract.")])
    sign_in(page, world.user("reviewer").email)
    visit(page, "/governance/matrix?year=2024")
    expect(page.locator("#matrix tbody tr")).to_have_count(1)
    follow(page, page.locator("#matrix tbody th a"))
    expect(page.locator("#wnt-table tbody tr")).to_have_count(2)
    page.locator("#verdict").select_option("questions")
    follow(page, page.locator("main form[action$='/oordeel'] input[type=submit]"), status=422)
    page.locator("#note").fill("Licht de overschrijding toe.")
    follow(page, page.locator("main form[action$='/oordeel'] input[type=submit]"))
    expect(page.locator("ul.notes")).to_contain_text("Licht de overschrijding toe.")
