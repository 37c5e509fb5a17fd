"""Councils give formal views (zienswijzen) by a deadline; staff see who is late and remind in time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultations import services
from consultations.models import Audience, FollowUpStatus, FormalViewStatus
from consultations.services import ConsultationError
from portal.extensions import db
from portal.models import AuditEvent, BodyKind
from tests.factories import BodyFactory, MunicipalityFactory


@pytest.fixture
def councils(world, consultation):
    """Three councils of region one, each asked for a view, with deadlines in 3, 10 and 30 days."""
    now = services.now_utc()
    second = BodyFactory(municipality=MunicipalityFactory(region=world.region, name="Tweebeek"), name="Gemeenteraad Tweebeek")
    third = BodyFactory(municipality=MunicipalityFactory(region=world.region, name="Driehuizen"), name="Gemeenteraad Driehuizen")
    views = [services.expect_formal_view(db.session, consultation=consultation, body=body, deadline=now + timedelta(days=days),
                                         actor=world.user("policy_officer"))
             for body, days in ((world.council, 3), (second, 10), (third, 30))]
    db.session.commit()
    return views


def test_a_council_that_misses_its_deadline_is_reminded_before_and_shown_as_late(world, consultation, councils):
    eendorp, tweebeek, _ = councils
    now = services.now_utc()
    assert eendorp.status(now) is FormalViewStatus.EXPECTED

    due_within_a_week = services.councils_to_remind(db.session, consultation=consultation, within=timedelta(days=7), now=now)
    assert [view.body.name for view in due_within_a_week] == ["Gemeenteraad Eendorp"]
    services.note_reminder(db.session, view=eendorp, actor=world.user("policy_officer"), now=now)

    services.record_formal_view(db.session, view=tweebeek, received_at=now + timedelta(days=2),
                                summary="Steunt de koers.", actor=world.user("policy_officer"))
    db.session.commit()

    later = now + timedelta(days=5)
    assert eendorp.status(later) is FormalViewStatus.LATE
    overview = services.formal_view_overview(db.session, consultation, now=later)
    assert [v.body.name for v in overview[FormalViewStatus.LATE]] == ["Gemeenteraad Eendorp"]
    assert [v.body.name for v in overview[FormalViewStatus.RECEIVED]] == ["Gemeenteraad Tweebeek"]
    assert [v.body.name for v in overview[FormalViewStatus.EXPECTED]] == ["Gemeenteraad Driehuizen"]
    # The late council is no longer "due soon": the reminder list is for deadlines still ahead.
    assert services.councils_to_remind(db.session, consultation=consultation, within=timedelta(days=7), now=later) == []
    assert db.session.query(AuditEvent).filter_by(action="formal_view.reminded").count() == 1


def test_a_view_that_arrives_after_the_deadline_counts_as_late(world, consultation, councils):
    eendorp = councils[0]
    services.record_formal_view(db.session, view=eendorp, received_at=services.as_utc(eendorp.deadline) + timedelta(hours=1),
                                actor=None)
    assert eendorp.status(services.now_utc() + timedelta(days=60)) is FormalViewStatus.LATE


def test_only_a_council_of_the_region_gives_a_formal_view(world, consultation):
    board = BodyFactory(municipality=world.municipality, name="Adviesraad Eendorp", body_kind=BodyKind.ADVIESRAAD)
    with pytest.raises(ConsultationError, match="Only a municipal council"):
        services.expect_formal_view(db.session, consultation=consultation, body=board,
                                    deadline=services.now_utc(), actor=None)
    with pytest.raises(ConsultationError, match="not a council of this region"):
        services.expect_formal_view(db.session, consultation=consultation, body=world.other_council,
                                    deadline=services.now_utc(), actor=None)


def test_an_information_evening_counts_as_input_of_its_audience(world, consultation):
    meeting = services.record_meeting(db.session, consultation=consultation, title="Informatieavond raadsleden",
                                      held_at=services.now_utc(), audience=Audience.GEMEENTERAAD, attendees=23,
                                      actor=world.user("policy_officer"))
    asked = services.add_meeting_question(db.session, meeting=meeting, question="Wat gebeurt er met de wachtlijsten?",
                                          answer="Die monitoren we per kwartaal.", follow_up="Cijfers nasturen",
                                          follow_up_owner="Team inkoop", actor=world.user("policy_officer"))
    services.add_meeting_question(db.session, meeting=meeting, question="Komen er minder aanbieders?", actor=None)
    db.session.commit()
    assert asked.follow_up_status is FollowUpStatus.OPEN
    services.complete_follow_up(db.session, entry=asked, actor=world.user("policy_officer"))
    assert asked.follow_up_status is FollowUpStatus.DONE
    assert services.counts_per_audience(db.session, consultation)[Audience.GEMEENTERAAD] == {
        "submitted": 0, "drafts": 0, "meeting_questions": 2}
    assert [body.name for body in services.bodies_without_reaction(db.session, consultation)] == ["Gemeenteraad Eendorp"]
