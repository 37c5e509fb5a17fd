"""The whole Open House path in the browser: a provider applies, a reviewer asks for completion, the
provider fixes it and resubmits, two reviewers decide, and the provider appears on the public
register. Every page passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portal.evidence import vault
from portal.extensions import db
from portal.models import Application, ApplicationStatus
from tests.applications.helpers import CLEAN_ANSWERS, fill_vault
from tests.browser.conftest import follow, sign_in, sign_out, visit
from tests.conftest import find
from tests.matrices.evidence import add_document
from tests.rounds.helpers import published_round
from tests.screening.helpers import requirement, second_reviewer

pytestmark = pytest.mark.browser


def _apply(page: Page, round, world) -> Application:
    """Walk the wizard as the provider's administrator and submit."""
    sign_in(page, world.user("provider_admin").email)
    visit(page, f"/open-house/{round.id}")
    follow(page, page.locator("main form[action^='/aanmeldingen/ronde'] button"))
    page.locator("main input[type=checkbox][name=scopes]").first.check()
    follow(page, page.locator("main form input[type=submit]"))
    for code, (applies, _explanation) in CLEAN_ANSWERS.items():
        page.locator(f"#applies-{code}-{0 if applies else 1}").check()
    follow(page, page.locator("main form input[type=submit]"))
    follow(page, page.locator("main a.button[href$='/bewijsstukken']"))
    for select in page.locator("main select").all():
        select.select_option(index=1)
    follow(page, page.locator("main form input[type=submit]"))
    follow(page, page.locator("main form[action$='/indienen'] input[type=submit]"))
    sign_out(page)
    return db.session.scalar(db.select(Application).where(Application.provider_id == world.provider.id))


def test_from_application_to_the_public_register(page: Page, world):
    round = published_round(world, "Open House Jeugdhulp 2027")
    fill_vault(world.provider, world.user("provider_admin"))
    application = _apply(page, round, world)
    kvk = requirement(application, "kvk_extract")

    # The reviewer finds it in the queue, takes it into review and rejects the KvK extract.
    sign_in(page, world.user("reviewer").email)
    visit(page, "/beoordeling")
    follow(page, page.locator(f"#queue tr[data-application='{application.id}'] a"))
    follow(page, page.locator("main form[action$='/in-behandeling'] input[type=submit]"))
    for item in application.evidence:
        rejected = item.requirement_id == kvk.id
        page.locator(f"#verdict-{item.requirement_id}-{'reject' if rejected else 'accept'}").check()
        if rejected:
            page.locator(f"#reason-{item.requirement_id}").fill("Het uittreksel noemt de vorige bestuurder.")
        follow(page, page.locator(f"#save-verdict-{item.requirement_id}"))
    page.locator(f"main input[name=requirements][value='{kvk.id}']").check()
    page.locator("#deadline").fill((vault.today() + timedelta(days=14)).isoformat())
    page.locator("#note").fill("Lever een actueel uittreksel aan.")
    follow(page, page.locator("main form[action$='/herstelverzoek'] input[type=submit]"))
    assert find(Application, application.id).status is ApplicationStatus.COMPLETION_REQUESTED
    sign_out(page)

    # The provider sees the request in the inbox, picks a fresh extract and resubmits.
    fresh = add_document(world.provider, world.user("provider_admin"), "kvk_extract", issue_date=vault.today())
    sign_in(page, world.user("provider_admin").email)
    expect(page.locator("#inbox")).to_contain_text(round.title)
    follow(page, page.locator(f"#inbox a[href$='/aanmeldingen/{application.id}/herstel']"))
    expect(page.locator("main")).to_contain_text("Het uittreksel noemt de vorige bestuurder.")
    assert page.locator("main select").count() == 1, "only the rejected item can be changed"
    page.locator(f"#requirement-{kvk.id}").select_option(str(fresh.id))
    follow(page, page.locator("main form[action$='/herstel'] input[type=submit]"))
    follow(page, page.locator("main form[action$='/herstel/indienen'] input[type=submit]"))
    assert find(Application, application.id).status is ApplicationStatus.IN_REVIEW
    sign_out(page)

    # The reviewer accepts the new extract and proposes admission; a second reviewer confirms.
    sign_in(page, world.user("reviewer").email)
    visit(page, f"/beoordeling/{application.id}")
    page.locator(f"#verdict-{kvk.id}-accept").check()
    follow(page, page.locator(f"#save-verdict-{kvk.id}"))
    scope = application.scopes[0]
    page.locator(f"#outcome-{scope.id}-admitted").check()
    follow(page, page.locator(f"#propose-{scope.id}"))
    expect(page.locator(f"#confirm-{scope.id}")).to_have_count(0)
    sign_out(page)
    sign_in(page, second_reviewer(world).email)
    visit(page, f"/beoordeling/{application.id}")
    follow(page, page.locator(f"#confirm-{scope.id}"))
    assert find(Application, application.id).status is ApplicationStatus.DECIDED
    sign_out(page)

    # The provider reads the letter; anyone finds the provider on the municipality's public register.
    sign_in(page, world.user("provider_admin").email)
    follow(page, page.locator(f"#inbox a[href$='/besluitbrief/{application.id}']"))
    expect(page.locator("#signers")).to_contain_text(world.user("reviewer").name)
    sign_out(page)
    visit(page, f"/register/{world.region.code}/{world.municipality.cbs_code}")
    expect(page.locator("main")).to_contain_text(world.provider.name)
