"""Respondents react with the keyboard alone, and every consultation page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consultations import services
from consultations.models import Audience
from portal.extensions import db
from tests.browser.conftest import check_a11y, follow, sign_in, visit
from tests.consultations.pages_helpers import open_consultation

pytestmark = pytest.mark.browser


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement && document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def question_id(consultation, key: str) -> int:
    return next(q.id for q in consultation.questions if q.key == key)


def test_an_expert_by_experience_reacts_with_the_keyboard_alone_without_an_account(page: Page, world):
    consultation = open_consultation(world)
    _, token = services.invite_individual(db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE,
                                          name="Sam", actor=None)
    db.session.commit()
    q1, q2 = question_id(consultation, "q1"), question_id(consultation, "q2")
    visit(page, f"/mijn-reactie/{token}")
    expect(page.locator("main")).to_contain_text("Vind je de plannen goed?")

    tab_to(page, f"input[name=q{q1}]")
    page.keyboard.press("Space")
    tab_to(page, f"#q{q2}_text")
    page.keyboard.type("Luister echt naar jongeren.")
    tab_to(page, "#anonymous")
    page.keyboard.press("Space")
    tab_to(page, "input[name=save]")
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(".flash-messages .alert--success")).to_be_visible()
    expect(page.locator(f"#q{q2}_text")).to_have_value("Luister echt naar jongeren.")

    tab_to(page, "input[name=send]")
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#submitted-message")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Luister echt naar jongeren.")


def test_a_council_member_writes_the_reaction_with_the_keyboard_and_sees_errors(page: Page, world):
    consultation = open_consultation(world)
    q2 = question_id(consultation, "q2")
    sign_in(page, world.user("body_member").email)
    visit(page, "/reageren")
    follow(page, page.locator("main a", has_text=consultation.title))
    tab_to(page, f"#q{q2}_text")
    page.keyboard.type("De raad vraagt aandacht voor de wachttijden.")
    tab_to(page, "input[name=send]")
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#submitted-message")).to_be_visible()
    # Changing it again, then an attachment that is not a PDF shows an error summary that passes axe.
    follow(page, page.locator("form[action$='/wijzigen'] button"))
    page.locator("#attachment").set_input_files(files=[{"name": "brief.txt", "mimeType": "text/plain", "buffer": b"hallo"}])
    follow(page, page.locator("input[name=save]"), status=422)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(f"#q{q2}_text")).to_have_value("De raad vraagt aandacht voor de wachttijden.")


def test_a_resident_finds_the_consultation_and_reacts_with_the_keyboard(page: Page, world):
    consultation = open_consultation(world)
    q2 = question_id(consultation, "q2")
    visit(page, "/inspraak")
    follow(page, page.locator("main a", has_text=consultation.title))
    follow(page, page.locator(f"main a[href='/inspraak/{consultation.id}/reageren']"))
    tab_to(page, f"#q{q2}_text")
    page.keyboard.type("Meer hulp op school graag.")
    tab_to(page, "#name")
    page.keyboard.type("Kim")
    tab_to(page, "input[name=send]")
    follow(page, lambda: page.keyboard.press("Enter"))
    # The thank-you page shows the private link once; with it the resident changes the reaction.
    expect(page.locator("#private-link")).to_be_visible()
    tab_to(page, "#private-link a")
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#submitted-message")).to_be_visible()
    tab_to(page, "main a[href$='wijzigen=1']")
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator(f"#q{q2}_text")).to_have_value("Meer hulp op school graag.")
    tab_to(page, f"#q{q2}_text")
    page.keyboard.type(" En thuis.")
    tab_to(page, "input[name=send]")
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("main")).to_contain_text("En thuis.")


def test_a_resident_sees_errors_linked_to_the_fields_and_keeps_the_text(page: Page, world):
    consultation = open_consultation(world)
    q2 = question_id(consultation, "q2")
    visit(page, f"/inspraak/{consultation.id}/reageren")
    page.locator(f"#q{q2}_text").fill("Meer hulp op school graag.")
    page.locator("#email").fill("geen-adres")
    follow(page, page.locator("input[name=send]"), status=422)
    expect(page.locator(".error-summary a[href='#email']")).to_be_visible()
    expect(page.locator(f"#q{q2}_text")).to_have_value("Meer hulp op school graag.")


def test_the_staff_pages_of_a_consultation_pass_axe(page: Page, world):
    consultation = open_consultation(world)
    services.expect_formal_view(db.session, consultation=consultation, body=world.council,
                                deadline=services.now_utc(), actor=None)
    for name in ("Sam", "Noor"):
        services.invite_individual(db.session, consultation=consultation, audience=Audience.ERVARINGSDESKUNDIGE,
                                   name=name, email=f"{name.lower()}@test.example.org", actor=None)
    db.session.commit()
    sign_in(page, world.user("policy_officer").email)
    visit(page, "/consultaties")
    follow(page, page.locator("main a", has_text=consultation.title))
    for summary in page.locator("main details summary").all():
        summary.click()
    check_a11y(page)
    for path in ("overzicht", "zienswijzen", "bijeenkomsten"):
        visit(page, f"/consultaties/{consultation.id}/{path}")
        for summary in page.locator("main details summary").all():
            summary.click()
        check_a11y(page)
    visit(page, "/consultaties/nieuw")


def test_the_conflict_and_closed_pages_of_a_reaction_pass_axe(page: Page, world):
    from datetime import timedelta

    from sqlalchemy import update

    from consultations.models import Consultation
    from consultations.services import AnswerInput
    from tests import factories
    from portal.models import Role

    consultation = open_consultation(world)
    q2 = question_id(consultation, "q2")
    colleague = factories.member(Role.BODY_MEMBER, world.council, name="Collega Raadslid")
    draft = services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=colleague,
                                     answers={"q2": AnswerInput(text="Tekst van de collega.")}, seen_version=None)
    db.session.commit()
    sign_in(page, world.user("body_member").email)
    visit(page, f"/reageren/{consultation.id}")
    services.save_body_draft(db.session, consultation=consultation, body=world.council, actor=colleague,
                             answers={"q2": AnswerInput(text="Nieuwere tekst van de collega.")},
                             seen_version=draft.version)
    db.session.commit()
    page.locator(f"#q{q2}_text").fill("Mijn eigen tekst.")
    follow(page, page.locator("input[name=save]"), status=409)
    expect(page.locator("#their-text")).to_contain_text("Nieuwere tekst van de collega.")
    expect(page.locator(f"#q{q2}_text")).to_have_value("Mijn eigen tekst.")

    now = services.now_utc()
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(opens_at=now - timedelta(days=9), closes_at=now - timedelta(minutes=1)))
    db.session.commit()
    visit(page, f"/reageren/{consultation.id}")
    expect(page.locator("#closed-message")).to_be_visible()


def test_a_revoked_personal_link_shows_a_kind_page_that_passes_axe(page: Page, world):
    consultation = open_consultation(world)
    invitation, token = services.invite_individual(db.session, consultation=consultation,
                                                   audience=Audience.ERVARINGSDESKUNDIGE, name="Sam", actor=None)
    services.revoke_invitation(db.session, invitation=invitation, actor=None)
    db.session.commit()
    visit(page, f"/mijn-reactie/{token}", status=410)
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main textarea")).to_have_count(0)
