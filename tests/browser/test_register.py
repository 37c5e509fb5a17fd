"""Anyone reads a municipality's public register and searches it; staff keep the register. Every
page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models.register import Admission, AdmissionStatus
from portal.register import services
from tests.browser.conftest import follow, sign_in, visit
from tests.conftest import find
from tests.factories import ProviderFactory
from tests.register.helpers import admit
from tests.rounds.helpers import draft_round

pytestmark = pytest.mark.browser


@pytest.fixture
def register(world):
    """Provider one and Jeugdhulp Zuid active in Eendorp, a suspended provider beside them."""
    round = draft_round(world)
    [active] = admit(world, round, world.provider, groups=("BEH",))
    admit(world, round, ProviderFactory(name="Jeugdhulp Zuid", website="zuid.example.org"), groups=("BGI",))
    [paused] = admit(world, round, ProviderFactory(name="Geschorst Zorg"))
    services.suspend(db.session, admission=paused, reason="Onderzoek", seen_version=None, actor=world.user("buyer"))
    db.session.commit()
    return {"active": active}


def test_a_resident_finds_contracted_providers_of_the_municipality_and_searches(page: Page, world, register):
    visit(page, "/")
    follow(page, page.locator("main a[href='/register']"))
    follow(page, page.locator("main a", has_text=world.region.name))
    follow(page, page.locator("main a", has_text=world.municipality.name))
    providers = page.locator("#providers")
    expect(providers).to_contain_text(world.provider.name)
    expect(providers).to_contain_text("Jeugdhulp Zuid")
    expect(page.locator("main")).not_to_contain_text("Geschorst Zorg")
    page.locator("#q").fill("zuid")
    follow(page, page.locator("main form[role=search] button[type=submit]"))
    expect(providers.locator("li")).to_have_count(1)
    expect(providers).to_contain_text("Jeugdhulp Zuid")
    page.locator("#q").fill("")
    page.locator("#product").select_option("Behandeling")
    follow(page, page.locator("main form[role=search] button[type=submit]"))
    expect(providers.locator("li")).to_have_count(1)
    expect(providers).to_contain_text(world.provider.name)


def test_the_public_search_works_without_javascript(open_page, world, register):
    page = open_page(java_script_enabled=False)
    visit(page, f"/register/{world.region.code}/{world.municipality.cbs_code}")
    page.locator("#q").fill("behandel")
    follow(page, page.locator("main form[role=search] button[type=submit]"))
    expect(page.locator("#providers li")).to_have_count(1)
    expect(page.locator("#providers")).to_contain_text(world.provider.name)


def test_a_contract_manager_suspends_an_admission_after_fixing_a_missing_reason(page: Page, world, register):
    sign_in(page, world.user("contract_manager").email)
    visit(page, "/toelatingsregister")
    page.locator("#status").select_option("suspended")
    follow(page, page.locator("main form.filter-form button[type=submit]"))
    expect(page.locator("main table")).to_contain_text("Geschorst Zorg")
    expect(page.locator("main table")).not_to_contain_text(world.provider.name)
    admission = register["active"]
    visit(page, f"/toelatingsregister/{admission.id}")
    page.locator("#action").select_option("suspend")
    follow(page, page.locator("main form input[type=submit]"), status=422)
    expect(page.locator(".error-summary a[href='#reason']")).to_be_visible()
    page.locator("#reason").fill("Verzekering verlopen")
    follow(page, page.locator("main form input[type=submit]"))
    expect(page.locator("main table")).to_contain_text("Verzekering verlopen")
    assert find(Admission, admission.id).status is AdmissionStatus.SUSPENDED
    visit(page, "/toelatingsregister/verlopend-bewijs")
