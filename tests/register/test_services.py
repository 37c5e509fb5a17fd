"""The register's rules: admitting once per scope, changing status with a reason, history, and
two colleagues acting at once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import ApplicationScope, AuditEvent
from portal.models.register import Admission, AdmissionChange, AdmissionStatus
from portal.register import services
from tests.conftest import find
from tests.register.helpers import admit
from tests.rounds.helpers import draft_round


def test_a_confirmed_decision_admits_once_however_often_it_is_confirmed(world):
    round = draft_round(world)
    [admission] = admit(world, round, world.provider, admitted_on=date(2026, 4, 1))
    scope = db.session.get(ApplicationScope, admission.application_scope_id)
    again = services.admit(db.session, scope=scope, admitted_on=date(2026, 5, 1), actor=world.user("buyer"))
    db.session.commit()
    assert again.id == admission.id
    assert again.admitted_on == date(2026, 4, 1)
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 1
    admission = find(Admission, admission.id)
    assert (admission.provider_id, admission.round_id, admission.municipality_id) == (
        world.provider.id, round.id, world.municipality.id)
    assert admission.product_group.code == "BEH"
    assert admission.status is AdmissionStatus.ACTIVE
    assert [(c.from_status, c.to_status) for c in admission.changes] == [(None, AdmissionStatus.ACTIVE)]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "admission.created")).all()
    assert len(events) == 1 and events[0].region_id == world.region.id


def test_the_database_refuses_a_second_admission_for_the_same_scope(world):
    round = draft_round(world)
    [admission] = admit(world, round, world.provider)
    db.session.add(Admission(provider_id=admission.provider_id, round_id=admission.round_id,
                             product_group_id=admission.product_group_id, municipality_id=admission.municipality_id,
                             application_scope_id=admission.application_scope_id, admitted_on=date(2026, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_admit_does_not_commit(world):
    round = draft_round(world)
    [admission] = admit(world, round, world.provider)
    scope = ApplicationScope(application_id=db.session.get(ApplicationScope, admission.application_scope_id).application_id,
                             product_group=round.product_groups[1], municipality=world.municipality)
    db.session.add(scope)
    db.session.commit()
    services.admit(db.session, scope=scope, admitted_on=date(2026, 1, 1), actor=world.user("buyer"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 1


def test_suspending_needs_a_reason_and_is_kept_in_the_history_and_audit_log(world):
    [admission] = admit(world, draft_round(world), world.provider)
    with pytest.raises(services.RegisterError, match="Give a reason"):
        services.suspend(db.session, admission=admission, reason="   ", seen_version=admission.version,
                         actor=world.user("contract_manager"))
    assert find(Admission, admission.id).status is AdmissionStatus.ACTIVE
    services.suspend(db.session, admission=admission, reason="GVA verlopen", seen_version=admission.version,
                     actor=world.user("contract_manager"))
    db.session.commit()
    admission = find(Admission, admission.id)
    assert admission.status is AdmissionStatus.SUSPENDED
    assert admission.version == 2
    last = admission.changes[-1]
    assert (last.from_status, last.to_status, last.reason, last.by_id) == (
        AdmissionStatus.ACTIVE, AdmissionStatus.SUSPENDED, "GVA verlopen", world.user("contract_manager").id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admission.suspended"))
    assert event.reason == "GVA verlopen" and event.changes == {"status": ["active", "suspended"]}


def test_a_suspended_admission_is_reinstated_and_an_ended_one_stays_ended(world):
    [admission] = admit(world, draft_round(world), world.provider)
    actor = world.user("buyer")
    services.suspend(db.session, admission=admission, reason="Onderzoek", seen_version=None, actor=actor)
    services.reinstate(db.session, admission=admission, reason="Onderzoek afgerond", seen_version=None, actor=actor)
    services.end(db.session, admission=admission, reason="Aanbieder stopt", seen_version=None, actor=actor)
    db.session.commit()
    with pytest.raises(services.RegisterError, match="not possible"):
        services.reinstate(db.session, admission=admission, reason="Toch door", seen_version=None, actor=actor)
    history = [(c.from_status, c.to_status) for c in find(Admission, admission.id).changes]
    assert history == [
        (None, AdmissionStatus.ACTIVE),
        (AdmissionStatus.ACTIVE, AdmissionStatus.SUSPENDED),
        (AdmissionStatus.SUSPENDED, AdmissionStatus.ACTIVE),
        (AdmissionStatus.ACTIVE, AdmissionStatus.ENDED),
    ]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "admission")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["admission.created", "admission.suspended", "admission.reinstated", "admission.ended"]


def test_a_change_based_on_an_old_page_is_refused(world):
    [admission] = admit(world, draft_round(world), world.provider)
    seen = admission.version
    services.suspend(db.session, admission=admission, reason="Eerste collega", seen_version=seen, actor=world.user("buyer"))
    db.session.commit()
    with pytest.raises(services.EditConflict, match="colleague"):
        services.end(db.session, admission=admission, reason="Tweede collega", seen_version=seen,
                     actor=world.user("contract_manager"))
    admission = find(Admission, admission.id)
    assert admission.status is AdmissionStatus.SUSPENDED
    assert db.session.scalar(select(func.count()).select_from(AdmissionChange)) == 2


def test_two_colleagues_changing_at_the_same_moment_do_not_overwrite_each_other(world):
    [admission] = admit(world, draft_round(world), world.provider)
    db.session.commit()
    assert admission.version == 1  # this person's page reads the admission; then a colleague commits a change
    with db.engine.begin() as other:
        other.execute(text("UPDATE admissions SET status = 'ended', version = version + 1 WHERE id = :id"),
                      {"id": admission.id})
    with pytest.raises(services.EditConflict, match="same moment"):
        services.suspend(db.session, admission=admission, reason="Te laat", seen_version=None, actor=world.user("buyer"))
    db.session.commit()
    admission = find(Admission, admission.id)
    assert admission.status is AdmissionStatus.ENDED
    assert db.session.scalar(select(func.count()).select_from(AdmissionChange)) == 1
