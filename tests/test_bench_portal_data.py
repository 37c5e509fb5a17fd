"""The benchmark's Open House and consultation data (bench/portal_data.py) is made through the
portal's services and fits the pages it measures."""

from __future__ import annotations

from sqlalchemy import func, select

from bench import portal_data, run
from consultations.analysis.splitting import propose_split
from consultations.models import Consultation, Point, Response
from portal.extensions import db
from portal.models import Application, ApplicationStatus
from portal.models.register import Admission
from tests.conftest import sign_in_as


def test_every_planned_point_becomes_exactly_one_point_of_the_analysis():
    plan = portal_data._reactions_plan(125)
    assert sum(plan) == 125 and set(plan) == {1, 2, 3, 4}
    for serial, count in enumerate(plan[:12]):
        assert len(propose_split(portal_data._point_texts(serial, count))) == count


def test_a_small_benchmark_region_has_applications_in_every_state_admissions_and_coded_points(app, monkeypatch):
    monkeypatch.setitem(portal_data.PORTAL_SIZES, "S", portal_data.PortalSize(applications=10, consultations=1,
                                                                               points=40))
    with app.app_context():
        run.set_up_region(db.session, "S")
        db.session.commit()
        states = dict(db.session.execute(select(Application.status, func.count()).group_by(Application.status)).all())
        assert set(states) == set(ApplicationStatus) and sum(states.values()) == 10
        assert db.session.scalar(select(func.count(Admission.id))) > 0
        consultation = db.session.get(Consultation, portal_data.SUMMARY_CONSULTATION_ID)
        assert consultation.closes_at is not None
        points = db.session.scalars(select(Point).where(Point.consultation_id == consultation.id)).all()
        assert len(points) == 40 and sum(p.theme_id is not None for p in points) == 30
        audiences = set(db.session.scalars(select(Response.audience).where(Response.consultation_id == consultation.id)))
        assert len(audiences) == 3

    from portal.auth.services import find_user

    reviewer, officer = find_user(db.session, portal_data.REVIEWER), find_user(db.session, "beleid@bench.example.org")
    for page in run.KEY_PAGES[-3:]:
        client = app.test_client()
        sign_in_as(client, {portal_data.REVIEWER: reviewer, officer.email: officer}.get(page.account))
        response = client.get(page.path)
        assert response.status_code == 200, page.name
    queue = client_for(app, reviewer).get("/beoordeling").get_data(as_text=True)
    assert "Benchmarkaanbieder" in queue
    summary = client_for(app, officer).get(portal_data.SUMMARY_PATH).get_data(as_text=True)
    assert all(label in summary for _key, label, _words in portal_data.THEMES)
    register = app.test_client().get(run.KEY_PAGES[-1].path).get_data(as_text=True)
    assert "Benchmarkaanbieder" in register


def client_for(app, user):
    """Return a test client signed in as the user."""
    client = app.test_client()
    sign_in_as(client, user)
    return client
