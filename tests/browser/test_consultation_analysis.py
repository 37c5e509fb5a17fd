"""Staff code points in the browser and the public reads the outcome; every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from consultations.analysis import memo, responses
from consultations.models import Point
from portal.extensions import db
from tests.browser.conftest import follow, sign_in, visit
from tests.consultations.data import import_consultation, points

pytestmark = pytest.mark.browser


def _points(consultation):
    return list(db.session.scalars(select(Point).where(Point.consultation_id == consultation.id).order_by(Point.id)))


def test_a_policy_officer_accepts_a_suggested_theme_with_one_click(page: Page, world):
    consultation = import_consultation(world.region, labelled=points()[:12], coded_every=3)
    db.session.commit()
    first = next(p for p in _points(consultation) if p.theme_id is None)
    base = f"/analyse/consultaties/{consultation.id}"
    sign_in(page, world.user("policy_officer").email)

    visit(page, "/analyse/consultaties")
    follow(page, page.locator("main a", has_text=consultation.title))
    visit(page, f"{base}/coderen")
    follow(page, page.locator(f"#punt-{first.id} .suggestions button").first)
    expect(page.locator(".flash-messages .alert--success")).to_be_visible()
    expect(page.locator(f"#punt-{first.id}")).to_have_count(0)

    visit(page, f"{base}/reacties/{first.answer.response_id}")
    visit(page, f"{base}/punten/{first.id}")
    visit(page, f"{base}/codeboek")
    visit(page, f"{base}/voorstel")
    visit(page, f"{base}/samenvatting")
    visit(page, f"{base}/reactienota")


def test_the_public_reads_a_published_outcome_with_personal_data_masked(page: Page, world):
    consultation = import_consultation(world.region, labelled=points()[:6], coded_every=1)
    consultation.publish_reactions = True
    first = _points(consultation)[0]
    first.answer.text += "\n\nMail mij op iemand@example.org."
    db.session.commit()
    for point in _points(consultation):
        responses.save_reaction(db.session, point=point, text="Wij nemen dit mee.", disposition="noted", reason=None,
                                owner=None, seen_version=None, actor=world.user("policy_officer"))
        responses.review_reaction(db.session, point=point, seen_version=None, actor=world.user("region_admin"))
        responses.finalise_reaction(db.session, point=point, seen_version=None, actor=world.user("policy_officer"))
    memo.finalise_memo(db.session, consultation=consultation, actor=world.user("policy_officer"))
    memo.publish(db.session, consultation=consultation, checked=True, actor=world.user("policy_officer"))
    db.session.commit()

    visit(page, f"/consultaties/{consultation.id}/uitkomst")

    expect(page.locator("h1")).to_contain_text(consultation.title)
    expect(page.locator("main")).not_to_contain_text("iemand@example.org")
    expect(page.locator("main")).to_contain_text("[e-mailadres]")


def test_staff_check_the_preview_before_publishing(page: Page, world):
    consultation = import_consultation(world.region, labelled=points()[:4], coded_every=1)
    db.session.commit()
    sign_in(page, world.user("policy_officer").email)

    visit(page, f"/analyse/consultaties/{consultation.id}/openbaar")
    expect(page.locator("form[action$='/openbaar'] input[type=checkbox]")).to_be_visible()
    visit(page, f"/analyse/consultaties/{consultation.id}/terugkoppeling")
