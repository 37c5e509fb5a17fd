"""The fictional demo region: seeded once, and every demo account reaches its home page."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.models import LegalForm, Municipality, Provider
from tests.conftest import log_in


def test_seeding_twice_creates_nothing_new(app):
    first = seed_demo(db.session)
    db.session.commit()
    second = seed_demo(db.session)
    db.session.commit()
    assert first.total > 0
    assert second.total == 0
    assert db.session.scalar(select(func.count(Municipality.id))) >= 6
    assert db.session.scalar(select(func.count(Provider.id))) >= 25
    forms = set(db.session.scalars(select(Provider.legal_form)))
    assert forms == set(LegalForm)


def test_every_demo_account_signs_in_to_a_home_page(app, client):
    seed_demo(db.session)
    db.session.commit()
    assert len(DEMO_ACCOUNTS) == 11
    for email, _description in DEMO_ACCOUNTS:
        response = log_in(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        home = client.get("/")
        assert home.status_code == 200, email
        assert "<h1>" in home.get_data(as_text=True)
        client.post("/uitloggen")


def test_the_demo_command_reports_what_it_did(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "25 providers" in result.output
    again = runner.invoke(args=["demo", "seed"])
    assert "nothing new" in again.output


def test_the_demo_has_a_published_round_that_providers_can_read(app, client):
    from portal.demo.rounds import DRAFT_TITLE, PUBLISHED_TITLE
    from portal.models import Round, RoundStatus

    seed_demo(db.session)
    db.session.commit()
    published = db.session.scalar(select(Round).where(Round.title == PUBLISHED_TITLE))
    draft = db.session.scalar(select(Round).where(Round.title == DRAFT_TITLE))
    assert published.status is RoundStatus.PUBLISHED and draft.status is RoundStatus.DRAFT
    assert len(published.product_groups) == 6 and len(published.requirements) == 13
    page = client.get(f"/open-house/{published.id}").get_data(as_text=True)
    assert "Moet een zzp&#39;er zonder personeel ook een VOG-beleid aanleveren?" in page
    assert client.get(f"/open-house/{published.id}/toelatingsdocument").status_code == 200
