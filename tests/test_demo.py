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


def test_the_demo_has_a_closed_consultation_whose_analysis_pages_look_real(app, client):
    from consultations.analysis.models import PointReaction, ReactionStatus
    from consultations.models import Audience, Consultation, ConsultationPhase, Point, Response, ResponseStatus
    from portal.clock import now
    from portal.demo.consultation_analysis import TITLE

    seed_demo(db.session)
    db.session.commit()
    consultation = db.session.scalar(select(Consultation).where(Consultation.title == TITLE))
    assert consultation.phase(now()) is ConsultationPhase.CLOSED
    reactions = db.session.scalars(select(Response).where(Response.consultation_id == consultation.id)).all()
    assert len(reactions) == 12 and all(r.status is ResponseStatus.SUBMITTED for r in reactions)
    assert {Audience.GEMEENTERAAD, Audience.ADVIESRAAD, Audience.ERVARINGSDESKUNDIGE,
            Audience.ZORGAANBIEDER} <= {r.audience for r in reactions}
    assert len(consultation.themes) == 5
    points = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).all()
    coded = [p for p in points if p.theme_id is not None]
    assert len(points) == 23 and 0 < len(coded) < len(points)
    statuses = sorted(r.status.value for r in db.session.scalars(
        select(PointReaction).where(PointReaction.point_id.in_([p.id for p in points]))))
    assert statuses == ["draft"] * 2 + ["final"] * 3 + ["reviewed"] * 3
    assert {r.status for r in db.session.scalars(select(PointReaction))} == set(ReactionStatus)
    # The same every time: a second seed adds nothing, and the analysis pages show the data.
    seed_demo(db.session)
    db.session.commit()
    assert db.session.scalar(select(func.count(Consultation.id)).where(Consultation.title == TITLE)) == 1
    log_in(client, "beleid@demo.example.org", DEMO_PASSWORD)
    base = f"/analyse/consultaties/{consultation.id}"
    assert client.get(f"/consultaties/{consultation.id}").status_code == 200
    index = client.get(base).get_data(as_text=True)
    assert 'id="count-points">23<' in index
    for path in ("/codeboek", "/coderen", "/reacties-op-punten", "/samenvatting", "/reactienota"):
        assert client.get(base + path).status_code == 200, path
    assert "Wachttijden" in client.get(base + "/samenvatting").get_data(as_text=True)
