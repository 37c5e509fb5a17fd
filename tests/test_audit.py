"""The audit log: who changed what, when and why; append-only; filtered and exported per region."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal.audit.services import record
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import sign_in_as


def _event(world, action="provider.updated", region=None, **kw):
    return record(
        db.session, action=action, object_type="provider", object_id=1, object_label="Aanbieder Een",
        actor=world.user("buyer"), organisation=region or world.region, **kw,
    )


def test_an_event_keeps_who_what_and_why(world):
    event = _event(world, changes={"phone": ["1", "2"], "password_hash": ["a", "b"]}, reason="Gecorrigeerd")
    db.session.commit()
    assert event.actor_label == "Buyer <buyer@test.example.org>"
    assert event.region_id == world.region.id
    assert event.changes == {"phone": ["1", "2"]}  # secrets never reach the log
    assert event.reason == "Gecorrigeerd"
    assert event.occurred_at is not None


def test_the_log_cannot_be_changed_through_the_application(world):
    event = _event(world)
    db.session.commit()
    event.reason = "achteraf aangepast"
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_changes_to_the_log_on_postgresql(world):
    if db.engine.dialect.name != "postgresql":
        # SQLite has no such trigger; the ORM guard above covers it there.
        assert db.engine.dialect.name == "sqlite"
        return
    _event(world)
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_events SET reason = 'x'"))
    db.session.rollback()


def test_region_staff_see_only_their_own_regions_log(client, world):
    _event(world, action="provider.updated", reason="Eigen regio")
    _event(world, action="provider.updated", region=world.other_region, reason="Andere regio")
    db.session.commit()
    sign_in_as(client, world.user("auditor"))
    page = client.get("/beheer/logboek").get_data(as_text=True)
    assert "Eigen regio" in page and "Andere regio" not in page


def test_the_log_filters_by_action_and_person(client, world):
    _event(world, action="provider.updated", reason="Eerste")
    record(db.session, action="membership.created", object_type="membership", object_id=9,
           actor=world.user("region_admin"), organisation=world.region, reason="Tweede")
    db.session.commit()
    sign_in_as(client, world.user("region_admin"))
    page = client.get("/beheer/logboek", query_string={"action": "membership"}).get_data(as_text=True)
    assert "Tweede" in page and "Eerste" not in page
    page = client.get("/beheer/logboek", query_string={"actor": "buyer@"}).get_data(as_text=True)
    assert "Eerste" in page and "Tweede" not in page


def test_a_period_that_ends_before_it_starts_is_explained(client, world):
    sign_in_as(client, world.user("region_admin"))
    response = client.get("/beheer/logboek", query_string={"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 422
    assert 'href="#date_to"' in response.get_data(as_text=True)


def test_the_log_exports_as_csv_with_formulas_defused(client, world):
    _event(world, reason="=HYPERLINK(\"http://evil\")")
    db.session.commit()
    sign_in_as(client, world.user("auditor"))
    response = client.get("/beheer/logboek.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    reasons = [row["reason"] for row in rows]
    assert "'=HYPERLINK(\"http://evil\")" in reasons
    assert all(row["actor"] for row in rows)


def test_every_change_through_the_portal_is_logged(client, world):
    before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    sign_in_as(client, world.user("provider_admin"))
    client.post("/organisatie/contactpersonen", data={"name": "Nieuw", "subject": "facturatie", "email": "n@aanbieder.example.org"})
    after = db.session.scalar(select(db.func.count(AuditEvent.id)))
    assert after == before + 1
